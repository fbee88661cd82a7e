package dev.aiflow.agent;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.aiflow.attempts.AttemptLogging;
import dev.aiflow.budget.BudgetLedger;
import dev.aiflow.budget.Spend;
import dev.aiflow.logger.ChainEvent;
import dev.aiflow.logger.EngineCorrelation;
import dev.aiflow.logger.WorkflowLogger;
import dev.aiflow.protocol.Limits;
import dev.aiflow.protocol.ReworkPack;
import dev.aiflow.protocol.StepPack;
import dev.aiflow.qa.QaReview;
import dev.aiflow.qa.ReworkBuilder;
import dev.aiflow.qa.StepQaReviewer;
import dev.aiflow.qa.Verdict;
import dev.aiflow.worker.AgentUsage;
import dev.aiflow.worker.DispatchOutcome;
import dev.aiflow.worker.Outcome;
import dev.aiflow.worker.ProgressListener;
import dev.aiflow.worker.SelfLauncher;
import dev.aiflow.worker.ShimAdapter;
import dev.aiflow.worker.SupervisedProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The worker's path end to end: {@link ShimAdapter} starts aiflow's own shim ({@code builtin}: a
 * second JVM running {@code aiflow shim}) under {@link SupervisedProcess}, the shim drives a fake
 * CLI, and the worker reads its result, usage and outcome; budgets are enforced by the worker.
 */
class BuiltinShimDispatchTest {

  @TempDir Path workspace;
  @TempDir Path root;

  ShimAdapter adapter() {
    return ShimAdapter.of(
        new ShimAdapter.Config(
            SelfLauncher.BUILTIN,
            workspace,
            4,
            Duration.ofMillis(500),
            SupervisedProcess.DEFAULT_CAPTURE_CAP,
            FakeAgents.environment()));
  }

  @Test
  void aClaudeStepIsAccountedInTheDispatchTheEvidenceAndTheChain() throws Exception {
    StepPack pack = FakeAgents.pack("claude", null, "pass");
    DispatchOutcome d = adapter().dispatch(pack, ProgressListener.NONE);

    assertThat(d.outcome()).as(d.process().detail()).isEqualTo(Outcome.OK);
    assertThat(d.result().result()).isEqualTo("PASS");
    assertThat(d.threadId()).isEqualTo(FakeAgents.sessions(workspace, "claude").get(0));
    assertThat(d.command()).contains("shim create <prompt: ").contains("--backend=claude");
    AgentUsage u = d.usage();
    assertThat(u.totalTokens()).isEqualTo(480 + 720 + 9600 + 2400);
    assertThat(u.costUsd()).isEqualTo(0.02412);
    assertThat(u.costSource()).isEqualTo(AgentUsage.CostSource.REPORTED);
    assertThat(u.turns()).isEqualTo(4);
    assertThat(new StepQaReviewer(workspace).review(pack, d.result()).verdict())
        .isEqualTo(Verdict.PASS);
    Path evidence = workspace.resolve(pack.evidenceDir());
    JsonNode record = new ObjectMapper().readTree(evidence.resolve("dispatch.json").toFile());
    assertThat(record.path("usage").path("cost_usd").asDouble()).isEqualTo(0.02412);
    assertThat(evidence.resolve("agent.events.jsonl")).content().contains("\"type\":\"result\"");

    WorkflowLogger.init(root, "p");
    try (WorkflowLogger log = WorkflowLogger.open(root, "p")) {
      AttemptLogging.logDispatch(log, pack, d, EngineCorrelation.none(), null, Map.of());
      List<ChainEvent> events = log.taskEvents("T-1");
      JsonNode attempt = new ObjectMapper().readTree(events.get(0).json()).path("usage");
      assertThat(attempt.path("total_tokens").asLong()).isEqualTo(13_200);
      assertThat(attempt.path("cost_usd").asText()).isEqualTo("0.024120");
      assertThat(attempt.path("cost_usd_micros").asLong()).isEqualTo(24_120);
      assertThat(attempt.path("cost_source").asText()).isEqualTo("reported");
      assertThat(attempt.path("model").asText()).isEqualTo("claude-sonnet-4-5");
      assertThat(attempt.path("turns").asLong()).isEqualTo(4);
      assertThat(attempt.path("wall_ms").asLong()).isPositive();
      Spend spend = BudgetLedger.ofTask(events);
      assertThat(spend.tokens()).isEqualTo(13_200);
      assertThat(spend.costMicros()).isEqualTo(24_120);
      assertThat(log.verifyProject(null).ok()).isTrue();
    }
    assertThat(root.resolve("p/tasks/T-1/task_log.md"))
        .content()
        .contains("13200 tokens, $0.024120 (reported), 4 turns, model claude-sonnet-4-5");
  }

  @Test
  void theWorkerStopsTheWholeTreeTheMomentTheTokenBudgetIsPassed() throws Exception {
    StepPack pack =
        FakeAgents.pack(
            "claude",
            null,
            "over-budget",
            "T-1",
            "tier2",
            new Limits(120, 60, 1024).withBudget(20_000L, null, null));
    long start = System.nanoTime();
    DispatchOutcome d = adapter().dispatch(pack, ProgressListener.NONE);

    assertThat(d.outcome()).isEqualTo(Outcome.BUDGET);
    assertThat(d.result().reasonCode()).isEqualTo("BUDGET");
    assertThat(d.result().reasonDetail()).contains("over max_tokens=20000");
    assertThat(d.usage().totalTokens()).isBetween(20_001L, 40_000L);
    assertThat(d.threadId()).isEqualTo(FakeAgents.sessions(workspace, "claude").get(0));
    // the fake would talk for a minute: it was stopped long before
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(20));
    long child =
        Long.parseLong(
            Files.readString(workspace.resolve(pack.evidenceDir()).resolve("fake-agent-child.pid"))
                .trim());
    assertThat(FakeAgents.alive(child)).as("the agent's background child").isFalse();
    assertThat(FakeAgents.alive(d.process().pid())).as("the shim").isFalse();
    assertThat(workspace.resolve(pack.evidenceDir()).resolve("dispatch.json"))
        .content()
        .contains("\"budget_exceeded\"")
        .contains("\"max_tokens\" : 20000");
  }

  @Test
  void aGeminiCostBudgetIsEnforcedOnItsEstimatedCost() throws Exception {
    StepPack pack =
        FakeAgents.pack(
            "gemini",
            null,
            "over-budget",
            "T-1",
            "tier2",
            new Limits(120, 60, 1024).withBudget(null, 0.10, null));
    DispatchOutcome d = adapter().dispatch(pack, ProgressListener.NONE);
    assertThat(d.outcome()).isEqualTo(Outcome.BUDGET);
    assertThat(d.usage().costSource()).isEqualTo(AgentUsage.CostSource.ESTIMATED);
    assertThat(d.usage().costUsd()).isGreaterThan(0.10);
    assertThat(d.result().reasonDetail()).contains("over max_cost_usd=0.1");
    long child =
        Long.parseLong(
            Files.readString(workspace.resolve(pack.evidenceDir()).resolve("fake-agent-child.pid"))
                .trim());
    assertThat(FakeAgents.alive(child)).isFalse();
  }

  @Test
  void aCodexReworkResumesTheThreadAndIsChargedOnlyForItself() {
    ShimAdapter adapter = adapter();
    StepPack pack = FakeAgents.pack("codex", "gpt-5-codex", "fail-then-pass");
    DispatchOutcome first = adapter.dispatch(pack, ProgressListener.NONE);
    assertThat(first.outcome()).isEqualTo(Outcome.OK);
    assertThat(first.result().result()).isEqualTo("FAIL");

    QaReview review = new StepQaReviewer(workspace).review(pack, first.result());
    assertThat(review.verdict()).isEqualTo(Verdict.REWORK);
    ReworkPack rework = ReworkBuilder.build(pack, review, 1, first.threadId());
    DispatchOutcome second = adapter.dispatch(rework, first.threadId(), ProgressListener.NONE);

    assertThat(second.outcome()).as(second.process().detail()).isEqualTo(Outcome.OK);
    assertThat(second.result().result()).isEqualTo("PASS");
    assertThat(second.threadId()).isEqualTo(first.threadId());
    assertThat(second.command()).contains("shim resume <prompt: ").contains(first.threadId());
    // the CLI reported the thread's total (twice the first run's); the worker saw this run's own
    assertThat(second.usage().totalTokens()).isEqualTo(first.usage().totalTokens()).isEqualTo(3400);
    assertThat(second.usage().costUsd()).isEqualTo(0.0055);
    assertThat(new StepQaReviewer(workspace).review(rework, second.result()).verdict())
        .isEqualTo(Verdict.PASS);
  }

  @Test
  void aRateLimitIsItsOwnOutcome() {
    DispatchOutcome d =
        adapter().dispatch(FakeAgents.pack("claude", null, "rate-limit"), ProgressListener.NONE);
    assertThat(d.outcome()).isEqualTo(Outcome.RATE_LIMITED);
    assertThat(d.result().result()).isEqualTo("FAIL");
    assertThat(d.result().reasonCode()).isEqualTo("RATE_LIMITED");
    assertThat(d.result().reasonDetail()).contains("rate_limit");
  }
}
