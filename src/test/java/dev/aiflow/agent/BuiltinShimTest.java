package dev.aiflow.agent;

import static org.assertj.core.api.Assertions.assertThat;

import dev.aiflow.protocol.Limits;
import dev.aiflow.protocol.StepPack;
import dev.aiflow.worker.AgentUsage;
import dev.aiflow.worker.Outcome;
import dev.aiflow.worker.PromptRenderer;
import dev.aiflow.worker.StepResultExtractor;
import dev.aiflow.worker.UsageLines;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The built-in shim, in this JVM, driving the fake CLIs of examples/agents (real processes that
 * speak each CLI's documented event format and really change the workspace).
 */
class BuiltinShimTest {

  @TempDir Path workspace;

  /** What one shim run printed. */
  record Run(int exit, String out, String err) {

    AgentUsage usage() {
      AgentUsage last = AgentUsage.UNKNOWN;
      for (String line : out.split("\n")) {
        Optional<AgentUsage> u = UsageLines.parseUsage(line);
        if (u.isPresent()) {
          last = u.get();
        }
      }
      return last;
    }

    Optional<UsageLines.Reported> outcome() {
      return out.lines().map(UsageLines::parseOutcome).flatMap(Optional::stream).findFirst();
    }

    StepResultExtractor.Extraction result() {
      return StepResultExtractor.extract(out);
    }
  }

  Run run(StepPack pack, String threadId, Map<String, String> extra, AgentSettings settings) {
    Map<String, String> env = new HashMap<>(FakeAgents.environment());
    env.put("AIFLOW_EVIDENCE_DIR", pack.evidenceDir());
    env.put("AIFLOW_TIER", pack.tier());
    if (pack.worker().model() != null) {
      env.put("AIFLOW_MODEL", pack.worker().model());
    }
    env.putAll(extra);
    env.values().removeIf(v -> v == null);
    String prompt = PromptRenderer.bundled().render(pack);
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int exit =
        new BuiltinShim(settings, workspace, new PrintWriter(out), new PrintWriter(err), env)
            .run(
                ShimRequest.of(
                    prompt,
                    threadId,
                    pack.worker().backend(),
                    pack.runId(),
                    pack.taskId(),
                    pack.stepId(),
                    env));
    return new Run(exit, out.toString(), err.toString());
  }

  Run run(StepPack pack, String threadId, Map<String, String> extra) {
    return run(pack, threadId, extra, AgentSettings.defaults());
  }

  Run run(StepPack pack) {
    return run(pack, null, Map.of());
  }

  @ParameterizedTest(name = "{0}: {2}/{3}/{4}/{5} tokens, ${6} {7}, {8} turns")
  @CsvSource({
    "claude, , 480, 720, 9600, 2400, 0.02412, REPORTED, 4, claude-sonnet-4-5",
    "codex, gpt-5-codex, 1000, 400, 2000, , 0.0055, ESTIMATED, 1, gpt-5-codex",
    "gemini, , 4000, 500, 1200, , 0.01015, ESTIMATED, 2, gemini-2.5-pro"
  })
  void aPassingRunChangesTheWorkspaceAndReportsThreadAndUsage(
      String backend,
      String model,
      long input,
      long output,
      long cacheRead,
      Long cacheWrite,
      double cost,
      AgentUsage.CostSource source,
      int turns,
      String reportedModel)
      throws Exception {
    Run r = run(FakeAgents.pack(backend, model, "pass"));

    assertThat(r.exit()).as(r.err()).isZero();
    StepResultExtractor.Extraction x = r.result();
    assertThat(x.ok()).as(r.out()).isTrue();
    assertThat(x.result().result()).isEqualTo("PASS");
    List<String> sessions = FakeAgents.sessions(workspace, backend);
    assertThat(sessions).hasSize(1);
    assertThat(x.result().threadId()).isEqualTo(sessions.get(0));
    assertThat(workspace.resolve("src/app.txt")).content().contains("status: done");
    assertThat(workspace.resolve(".artifacts/R-1/T-1/S1/cmd-1.log")).exists();

    AgentUsage u = r.usage();
    assertThat(u.backend()).isEqualTo(backend);
    assertThat(u.model()).isEqualTo(reportedModel);
    assertThat(u.threadId()).isEqualTo(sessions.get(0));
    assertThat(u.inputTokens()).isEqualTo(input);
    assertThat(u.outputTokens()).isEqualTo(output);
    assertThat(u.cacheReadTokens()).isEqualTo(cacheRead);
    assertThat(u.cacheWriteTokens()).isEqualTo(cacheWrite);
    assertThat(u.costUsd()).isCloseTo(cost, org.assertj.core.data.Offset.offset(1e-9));
    assertThat(u.costSource()).isEqualTo(source);
    assertThat(u.turns()).isEqualTo(turns);
    // progress lines relay the stream, never a marker line
    assertThat(r.out()).contains("[" + backend + "] ");
    // the raw events are evidence, without the secrets of the environment
    Path events = workspace.resolve(".artifacts/R-1/T-1/S1/agent.events.jsonl");
    assertThat(events).exists();
    assertThat(Files.readString(events)).doesNotContain("fake-anthropic-key-for-tests");
  }

  @Test
  void claudeRunsInPrintModeWithTheTiersPermissionsAndTheBudgetFlags() throws Exception {
    StepPack tier3 =
        FakeAgents.pack("claude", null, "pass", "T-1", "tier3", new Limits(60, 30, 1024));
    run(tier3, null, Map.of("AIFLOW_MAX_TURNS", "7", "AIFLOW_MAX_COST_USD", "1.5"));
    List<String> argv = FakeAgents.lastArgv(workspace, "claude");
    assertThat(argv)
        .containsSubsequence("-p", "--output-format", "stream-json", "--verbose")
        .containsSubsequence("--permission-mode", "acceptEdits")
        .contains("Bash(grep -q 'status: done' src/app.txt)")
        .doesNotContain("Bash")
        .containsSubsequence("--disallowedTools", "WebFetch", "WebSearch")
        .containsSubsequence("--max-turns", "7")
        .containsSubsequence("--max-budget-usd", "1.5");

    run(FakeAgents.pack("claude", "claude-haiku-4-5", "pass"));
    assertThat(FakeAgents.lastArgv(workspace, "claude"))
        .contains("Bash")
        .containsSubsequence("--model", "claude-haiku-4-5")
        .doesNotContain("--max-turns");
  }

  @Test
  void codexAndGeminiRunWithTheTiersSandboxAndApprovalMode() throws Exception {
    run(FakeAgents.pack("codex", "gpt-5-codex", "pass", "T-1", "tier3", new Limits(60, 30, 1024)));
    assertThat(FakeAgents.lastArgv(workspace, "codex"))
        .containsSubsequence("exec", "--json")
        .containsSubsequence("--sandbox", "workspace-write")
        .containsSubsequence("-c", "sandbox_workspace_write.network_access=false")
        .containsSubsequence("--model", "gpt-5-codex")
        .contains("--skip-git-repo-check");

    run(FakeAgents.pack("gemini", null, "pass", "T-2", "tier3", new Limits(60, 30, 1024)));
    assertThat(FakeAgents.lastArgv(workspace, "gemini"))
        .containsSubsequence("--output-format", "stream-json")
        .containsSubsequence("--approval-mode", "auto_edit")
        .contains("-p");
    run(FakeAgents.pack("gemini", null, "pass", "T-3", "tier2", new Limits(60, 30, 1024)));
    assertThat(FakeAgents.lastArgv(workspace, "gemini"))
        .containsSubsequence("--approval-mode", "yolo");
  }

  @ParameterizedTest(name = "{0} {1} -> {2}")
  @CsvSource({
    "claude, rate-limit, RATE_LIMITED",
    "claude, no-auth, AUTH_MISSING",
    "claude, context, CONTEXT_EXHAUSTED",
    "claude, permission, PERMISSION_REFUSED",
    "claude, max-turns, BUDGET",
    "codex, rate-limit, RATE_LIMITED",
    "codex, no-auth, AUTH_MISSING",
    "codex, context, CONTEXT_EXHAUSTED",
    "codex, permission, PERMISSION_REFUSED",
    "gemini, rate-limit, RATE_LIMITED",
    "gemini, no-auth, AUTH_MISSING",
    "gemini, context, CONTEXT_EXHAUSTED",
    "gemini, permission, PERMISSION_REFUSED",
    "gemini, max-turns, BUDGET"
  })
  void theClisOwnFailuresAreNamedNotLeftAsParseErrors(
      String backend, String scenario, Outcome expected) {
    Run r = run(FakeAgents.pack(backend, null, scenario), null, Map.of("AIFLOW_MAX_TURNS", "2"));
    assertThat(r.exit()).as(r.out()).isEqualTo(1);
    assertThat(r.outcome())
        .as(r.out())
        .hasValueSatisfying(
            o -> {
              assertThat(o.outcome()).isEqualTo(expected);
              assertThat(o.detail()).isNotBlank();
            });
    assertThat(r.out()).doesNotContain(StepResultExtractor.OPEN);
  }

  @ParameterizedTest
  @ValueSource(strings = {"claude", "codex", "gemini"})
  void aMessageWithoutAFramedResultIsLeftToTheWorkerAsAParseError(String backend) {
    Run r = run(FakeAgents.pack(backend, null, "garbage"));
    assertThat(r.exit()).isZero();
    assertThat(r.outcome()).isEmpty();
    assertThat(r.result().failure()).isEqualTo(Outcome.PARSE_ERROR);
    assertThat(r.out()).contains("I think I fixed it. {not json");
  }

  @ParameterizedTest
  @ValueSource(strings = {"claude", "codex", "gemini"})
  void losingTheCredentialsIsAuthMissing(String backend) {
    Map<String, String> none = new HashMap<>();
    none.put("ANTHROPIC_API_KEY", null);
    none.put("OPENAI_API_KEY", null);
    none.put("GEMINI_API_KEY", null);
    Run r = run(FakeAgents.pack(backend, null, "pass"), null, none);
    assertThat(r.outcome())
        .as(r.out() + r.err())
        .map(UsageLines.Reported::outcome)
        .hasValue(Outcome.AUTH_MISSING);
  }

  @ParameterizedTest
  @CsvSource({"claude, --resume", "codex, resume", "gemini, --resume"})
  void aResumedRunContinuesTheSameSessionAndCountsOnlyItsOwnUsage(String backend, String flag)
      throws Exception {
    String model = backend.equals("codex") ? "gpt-5-codex" : null;
    Run first = run(FakeAgents.pack(backend, model, "fail-then-pass"));
    assertThat(first.result().result().result()).isEqualTo("FAIL");
    String thread = first.result().result().threadId();
    assertThat(thread).isNotBlank();
    assertThat(workspace.resolve("src/app.txt")).content().contains("status: wip");

    Run second = run(FakeAgents.pack(backend, model, "fail-then-pass"), thread, Map.of());
    assertThat(second.exit()).as(second.out()).isZero();
    assertThat(second.result().result().result()).isEqualTo("PASS");
    assertThat(second.result().result().threadId()).isEqualTo(thread);
    assertThat(FakeAgents.lastArgv(workspace, backend)).containsSubsequence(flag, thread);
    assertThat(FakeAgents.sessions(workspace, backend)).containsExactly(thread);
    assertThat(workspace.resolve("src/app.txt")).content().contains("status: done");
    // Codex reports the thread's running total; the second run used as much as the first
    assertThat(second.usage().totalTokens()).isEqualTo(first.usage().totalTokens());
    assertThat(second.usage().costUsd()).isEqualTo(first.usage().costUsd());
  }

  @ParameterizedTest
  @ValueSource(strings = {"claude", "codex", "gemini"})
  void resumingAThreadTheCliDoesNotKnowIsAnAgentFailure(String backend) {
    Run r = run(FakeAgents.pack(backend, null, "pass"), "no-such-thread", Map.of());
    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.outcome()).map(UsageLines.Reported::outcome).hasValue(Outcome.AGENT_FAILED);
  }

  @Test
  void anUnknownBackendOrAMissingCliIsRefusedWithAReason() {
    Run unknown = run(FakeAgents.pack("martian", null, "pass"));
    assertThat(unknown.exit()).isEqualTo(2);
    assertThat(unknown.outcome())
        .hasValueSatisfying(
            o -> {
              assertThat(o.outcome()).isEqualTo(Outcome.AGENT_FAILED);
              assertThat(o.detail()).contains("no backend 'martian'");
            });

    Run missing =
        run(FakeAgents.pack("claude", null, "pass"), null, Map.of("PATH", "/nonexistent"));
    assertThat(missing.exit()).isEqualTo(1);
    assertThat(missing.outcome())
        .hasValueSatisfying(o -> assertThat(o.detail()).contains("'claude' was not found"));
  }

  @Test
  void aCommandBackendTakesThePromptOnStdinAndReportsItsOwnUsage() throws Exception {
    Path script = workspace.resolve("my-agent.sh");
    Files.writeString(
        script,
        """
        #!/usr/bin/env bash
        prompt=$(cat)
        step=$(printf '%s\\n' "$prompt" | sed -n 's/^STEP-ID: //p')
        echo "working on $step"
        echo 'AIFLOW-USAGE {"thread_id":"local-1","input_tokens":10,"output_tokens":5,"cost_usd":0.001,"turns":1}'
        echo '<<<AIFLOW-STEP-RESULT'
        printf '{"schema":"aiflow.step_result.v1","run_id":"R-1","task_id":"T-1","step_id":"%s",' "$step"
        echo '"result":"FAIL","reason_code":"NOT_IMPLEMENTED","changed_files":[],"commands":[],"acceptance":[],"artifacts":[],"next_action":"none"}'
        echo 'AIFLOW-STEP-RESULT>>>'
        """);
    AgentSettings settings =
        AgentSettings.defaults()
            .overlay(
                new AgentSettings(
                    null,
                    null,
                    null,
                    Map.of(
                        "local",
                        new AgentSettings.CommandTemplate(
                            List.of("bash", script.toString()), null, null))));
    Run r = run(FakeAgents.pack("local", null, "pass"), null, Map.of(), settings);
    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.out()).contains("[local] working on S1");
    assertThat(r.result().result().reasonCode()).isEqualTo("NOT_IMPLEMENTED");
    assertThat(r.result().result().threadId()).isEqualTo("local-1");
    AgentUsage u = r.usage();
    assertThat(u.totalTokens()).isEqualTo(15);
    assertThat(u.costUsd()).isEqualTo(0.001);
    assertThat(u.costSource()).isEqualTo(AgentUsage.CostSource.REPORTED);
  }
}
