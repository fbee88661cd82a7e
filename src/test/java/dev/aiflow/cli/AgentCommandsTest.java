package dev.aiflow.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.aiflow.agent.FakeAgents;
import dev.aiflow.protocol.StepPack;
import dev.aiflow.worker.PromptRenderer;
import dev.aiflow.worker.StepResultExtractor;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code aiflow shim} and {@code aiflow doctor} through the command line. */
class AgentCommandsTest {

  @TempDir Path tmp;

  record Run(int exit, String out, String err) {}

  Run aiflow(Map<String, String> env, Path workspace, String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine.IFactory defaults = CommandLine.defaultFactory();
    CommandLine cli =
        Cli.commandLine(
            new CommandLine.IFactory() {
              @Override
              public <K> K create(Class<K> cls) throws Exception {
                K k = defaults.create(cls);
                if (k instanceof ShimCommand s) {
                  s.environment = env;
                  s.workspace = workspace;
                } else if (k instanceof DoctorCommand d) {
                  d.environment = env;
                  d.home = workspace;
                }
                return k;
              }
            });
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    return new Run(cli.execute(args), out.toString(), err.toString());
  }

  @Test
  void theShimCommandRunsTheFakeClaudeAndPrintsAFramedResult() throws Exception {
    Path ws = Files.createDirectories(tmp.resolve("ws"));
    StepPack pack = FakeAgents.pack("claude", null, "pass");
    Map<String, String> env = new HashMap<>(FakeAgents.environment());
    env.put("AIFLOW_EVIDENCE_DIR", pack.evidenceDir());
    Run r =
        aiflow(
            env,
            ws,
            "shim",
            "create",
            PromptRenderer.bundled().render(pack),
            "--backend=claude",
            "--run-id=R-1",
            "--task-id=T-1",
            "--step-id",
            "S1");
    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.out()).contains("<<<AIFLOW-STEP-RESULT").contains("AIFLOW-USAGE {");
    // the relayed message mentions the markers too, but only the shim's block stands on its lines
    assertThat(StepResultExtractor.extract(r.out()).result().threadId())
        .isEqualTo(FakeAgents.sessions(ws, "claude").get(0));
  }

  @Test
  void aSettingsFileNamesTheCliAndWhereItsLoginIsAndTheLieIsRelayedAsItWasTold() throws Exception {
    Path ws = Files.createDirectories(tmp.resolve("ws"));
    Path login = Files.createDirectories(tmp.resolve("claude-config"));
    Files.writeString(login.resolve(".credentials.json"), "{}");
    Path settings = tmp.resolve("settings.json");
    Files.writeString(
        settings,
        "{\"backends\": {\"claude\": {\"executable\": \""
            + FakeAgents.DIR.resolve("claude")
            + "\", \"environment\": {\"CLAUDE_CONFIG_DIR\": \""
            + login
            + "\"}}}}");
    StepPack pack = FakeAgents.pack("claude", null, "lie-tests-pass");
    // no key in the environment, no fakes on PATH, a home without logins
    Map<String, String> env = new HashMap<>();
    env.put("PATH", System.getenv().getOrDefault("PATH", "/usr/bin:/bin"));
    env.put("HOME", tmp.resolve("empty-home").toString());
    env.put("AIFLOW_EVIDENCE_DIR", pack.evidenceDir());
    String prompt = PromptRenderer.bundled().render(pack);
    String[] args = {
      "shim", "create", prompt, "--backend=claude", "--run-id=R-1", "--task-id=T-1", "--step-id=S1"
    };

    Run without = aiflow(env, ws, args);
    assertThat(without.exit()).isEqualTo(1);
    assertThat(without.out()).contains("AIFLOW-OUTCOME {\"code\":\"AGENT_FAILED\"");

    String[] withSettings = java.util.Arrays.copyOf(args, args.length + 1);
    withSettings[args.length] = "--settings-file=" + settings;
    Run with = aiflow(env, ws, withSettings);
    assertThat(with.exit()).as(with.out() + with.err()).isZero();
    var result = StepResultExtractor.extract(with.out()).result();
    // the fake lies: PASS and exit 0 claimed, the file left unfinished, nothing run
    assertThat(result.result()).isEqualTo("PASS");
    assertThat(Files.readString(ws.resolve("src/app.txt"))).contains("status: wip");

    Path secretSettings = tmp.resolve("secret.json");
    Files.writeString(
        secretSettings,
        "{\"backends\": {\"claude\": {\"environment\": {\"ANTHROPIC_API_KEY\": \"sk-x\"}}}}");
    withSettings[args.length] = "--settings-file=" + secretSettings;
    Run refused = aiflow(env, ws, withSettings);
    assertThat(refused.exit()).isEqualTo(ExitCodes.USAGE);
    assertThat(refused.err()).contains(secretSettings.toString()).doesNotContain("sk-x");
  }

  @Test
  void theShimCommandRefusesBadUsageWithAnOutcomeLine() {
    Run r =
        aiflow(
            Map.of(),
            tmp,
            "shim",
            "resume",
            "prompt",
            "--backend=claude",
            "--run-id=R",
            "--task-id=T",
            "--step-id=S");
    assertThat(r.exit()).isEqualTo(ExitCodes.USAGE);
    assertThat(r.out()).startsWith("AIFLOW-OUTCOME {\"code\":\"AGENT_FAILED\"");
    assertThat(r.err()).contains("resume needs the THREAD_ID");

    Run bad =
        aiflow(
            Map.of(),
            tmp,
            "shim",
            "start",
            "prompt",
            "--backend=claude",
            "--run-id=R",
            "--task-id=T",
            "--step-id=S");
    assertThat(bad.exit()).isEqualTo(ExitCodes.USAGE);
    assertThat(bad.err()).contains("create or resume");
  }

  @Test
  void doctorSaysPerBackendWhatIsThereAndNeverACredentialsValue() throws Exception {
    Path settings = tmp.resolve("agents.json");
    Files.writeString(
        settings,
        "{\"backends\": {"
            + "\"claude\": {\"executable\": \""
            + FakeAgents.DIR.resolve("claude")
            + "\"},"
            + "\"codex\": {\"executable\": \""
            + tmp.resolve("no-codex")
            + "\"},"
            + "\"gemini\": {\"executable\": \""
            + FakeAgents.DIR.resolve("gemini")
            + "\"}}}");
    Map<String, String> env =
        Map.of(
            "AIFLOW_AGENTS_CONFIG",
            settings.toString(),
            "ANTHROPIC_API_KEY",
            "sk-ant-never-print-this");

    Run all = aiflow(env, tmp, "doctor");
    assertThat(all.exit()).as(all.out() + all.err()).isZero();
    String[] lines = all.out().split("\n");
    assertThat(lines).hasSize(5);
    assertThat(lines[4]).startsWith("sandbox");
    assertThat(lines[0]).startsWith("shim").contains("ok").contains("builtin:");
    assertThat(lines[1])
        .startsWith("claude")
        .contains(" ok ")
        .contains("1.0.0 (fake Claude Code")
        .contains("credentials: $ANTHROPIC_API_KEY");
    assertThat(lines[2]).startsWith("codex").contains("unusable").contains("RUNTIME_MISSING");
    assertThat(lines[3])
        .startsWith("gemini")
        .contains("unusable")
        .contains("credentials: none")
        .contains("CREDENTIALS_MISSING");
    assertThat(all.out()).doesNotContain("sk-ant-never-print-this");

    assertThat(aiflow(env, tmp, "doctor", "--backend", "claude").exit()).isZero();
    Run needed = aiflow(env, tmp, "doctor", "--backend", "claude", "--backend", "gemini");
    assertThat(needed.exit()).isEqualTo(ExitCodes.FAILED);
  }

  /** A backend's own environment in the settings is where doctor looks for its login. */
  @Test
  void doctorLooksForALoginWhereTheBackendsOwnEnvironmentPutsIt() throws Exception {
    Path home = Files.createDirectories(tmp.resolve("gemini-home/.gemini"));
    Files.writeString(home.resolve("oauth_creds.json"), "{}");
    Path settings = tmp.resolve("agents.json");
    Files.writeString(
        settings,
        "{\"backends\": {\"gemini\": {\"executable\": \""
            + FakeAgents.DIR.resolve("gemini")
            + "\", \"environment\": {\"HOME\": \""
            + tmp.resolve("gemini-home")
            + "\"}}}}");
    Run withOwnHome =
        aiflow(
            Map.of("AIFLOW_AGENTS_CONFIG", settings.toString()),
            tmp,
            "doctor",
            "--backend",
            "gemini");
    assertThat(withOwnHome.exit()).as(withOwnHome.out() + withOwnHome.err()).isZero();
    assertThat(withOwnHome.out()).contains("oauth_creds.json");

    Files.writeString(
        settings,
        "{\"backends\": {\"gemini\": {\"executable\": \""
            + FakeAgents.DIR.resolve("gemini")
            + "\"}}}");
    Run without =
        aiflow(
            Map.of("AIFLOW_AGENTS_CONFIG", settings.toString()),
            tmp,
            "doctor",
            "--backend",
            "gemini");
    assertThat(without.exit()).isEqualTo(ExitCodes.FAILED);
    assertThat(without.out()).contains("CREDENTIALS_MISSING");
  }

  @Test
  void doctorWarnsWhenAgentsWouldRunUnsandboxed() throws Exception {
    Map<String, String> env = Map.of();
    Run disabled = aiflow(env, tmp, "doctor", "--sandbox", "none");
    assertThat(disabled.exit()).isZero();
    assertThat(disabled.out())
        .containsPattern("(?m)^sandbox +warning +aiflow.worker.sandbox.mode=none: agents")
        .contains("[SANDBOX_DISABLED]");
    assertThat(disabled.err()).contains("aiflow: warning: ").contains("NOT sandboxed");

    Path missing = tmp.resolve("no-bwrap");
    Run fallback = aiflow(Map.of("AIFLOW_WORKER_SANDBOX_BWRAP", missing.toString()), tmp, "doctor");
    assertThat(fallback.exit()).as("auto falls back: a warning, not a failure").isZero();
    assertThat(fallback.out())
        .containsPattern("(?m)^sandbox +warning .*bubblewrap is not installed")
        .contains("[SANDBOX_UNAVAILABLE]");
    assertThat(fallback.err()).contains("aiflow: warning: ");

    Run required = aiflow(env, tmp, "doctor", "--sandbox", "bwrap", "--bwrap", missing.toString());
    assertThat(required.exit()).isEqualTo(ExitCodes.FAILED);
    assertThat(required.out())
        .containsPattern("(?m)^sandbox +unusable +aiflow.worker.sandbox.mode=bwrap, but")
        .contains("[SANDBOX_REQUIRED_UNAVAILABLE]");

    Run invalid = aiflow(env, tmp, "doctor", "--sandbox", "chroot");
    assertThat(invalid.exit()).isEqualTo(ExitCodes.FAILED);
    assertThat(invalid.out()).contains("[SANDBOX_MODE_INVALID]");
  }

  @Test
  void doctorSaysOkWhenBubblewrapWorks() {
    // .ci/run installs bubblewrap, as the worker's own sandbox tests require
    Run ok = aiflow(Map.of(), tmp, "doctor", "--sandbox", "bwrap");
    assertThat(ok.exit()).isZero();
    assertThat(ok.out()).containsPattern("(?m)^sandbox +ok +bwrap: new PID namespace");
    assertThat(ok.err()).doesNotContain("sandbox");
  }
}
