package dev.aiflow.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class AiflowMetricsTest {

  final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  final AiflowMetrics metrics = new AiflowMetrics(registry);

  @Test
  void cyclesAreCountedByOutcome() {
    metrics.cycleFinished("completed");
    metrics.cycleFinished("completed");
    metrics.cycleFinished("failed");

    assertThat(registry.get("aiflow.cycles").tag("outcome", "completed").counter().count())
        .isEqualTo(2);
    assertThat(registry.get("aiflow.cycles").tag("outcome", "failed").counter().count())
        .isEqualTo(1);
  }

  @Test
  void qaVerdictsAreCountedByVerdictAndReasonCodeAMissingCodeIsNone() {
    metrics.qaVerdict("FAIL", "MISSING_EVIDENCE");
    metrics.qaVerdict("FAIL", "MISSING_EVIDENCE");
    metrics.qaVerdict("PASS", null);

    assertThat(
            registry
                .get("aiflow.qa.verdicts")
                .tags("verdict", "FAIL", "reason", "MISSING_EVIDENCE")
                .counter()
                .count())
        .isEqualTo(2);
    assertThat(
            registry.get("aiflow.qa.verdicts").tags("verdict", "PASS", "reason", "none").counter())
        .extracting(c -> c.count())
        .isEqualTo(1.0);
  }

  @Test
  void reworkRoundsAreADistributionANegativeCountIsZero() {
    metrics.reworkRounds(0);
    metrics.reworkRounds(2);
    metrics.reworkRounds(-3);

    var summary = registry.get("aiflow.cycle.rework.rounds").summary();
    assertThat(summary.count()).isEqualTo(3);
    assertThat(summary.totalAmount()).isEqualTo(2);
    assertThat(summary.max()).isEqualTo(2);
  }

  @Test
  void dispatchesCountTheAgentOutcomeByBackendAndTimeTheRun() {
    metrics.dispatchFinished("claude", "OK", Duration.ofSeconds(90));
    metrics.dispatchFinished("claude", "TIMEOUT", Duration.ofSeconds(600));
    metrics.dispatchFinished("codex", "OK", Duration.ofSeconds(30));
    metrics.dispatchFinished("codex", "OK", null);

    assertThat(
            registry
                .get("aiflow.agent.outcomes")
                .tags("backend", "claude", "outcome", "TIMEOUT")
                .counter()
                .count())
        .isEqualTo(1);
    assertThat(
            registry
                .get("aiflow.agent.outcomes")
                .tags("backend", "codex", "outcome", "OK")
                .counter()
                .count())
        .isEqualTo(2);
    var claude = registry.get("aiflow.dispatch.duration").tag("backend", "claude").timer();
    assertThat(claude.count()).isEqualTo(2);
    assertThat(claude.totalTime(TimeUnit.SECONDS)).isEqualTo(690);
    assertThat(claude.max(TimeUnit.SECONDS)).isEqualTo(600);
  }

  @Test
  void verificationsAreTimedByResult() {
    metrics.verificationFinished(true, Duration.ofMillis(1500));
    metrics.verificationFinished(false, Duration.ofMillis(250));
    metrics.verificationFinished(false, Duration.ofMillis(-5));

    assertThat(
            registry
                .get("aiflow.verification.duration")
                .tag("result", "passed")
                .timer()
                .totalTime(TimeUnit.MILLISECONDS))
        .isEqualTo(1500);
    var failed = registry.get("aiflow.verification.duration").tag("result", "failed").timer();
    assertThat(failed.count()).isEqualTo(2);
    assertThat(failed.totalTime(TimeUnit.MILLISECONDS)).isEqualTo(250);
  }

  @Test
  void tokensAndCostAddUpByBackendAndModelUnknownAmountsAreLeftOut() {
    metrics.usage("claude", "claude-sonnet-4", 1200, 300, 0.042);
    metrics.usage("claude", "claude-sonnet-4", 800, 100, 0.018);
    metrics.usage("codex", "gpt-5", -1, -1, Double.NaN);

    assertThat(
            registry
                .get("aiflow.agent.tokens")
                .tags("backend", "claude", "model", "claude-sonnet-4", "direction", "input")
                .counter()
                .count())
        .isEqualTo(2000);
    assertThat(
            registry
                .get("aiflow.agent.tokens")
                .tags("backend", "claude", "model", "claude-sonnet-4", "direction", "output")
                .counter()
                .count())
        .isEqualTo(400);
    assertThat(
            registry
                .get("aiflow.agent.cost")
                .tags("backend", "claude", "model", "claude-sonnet-4")
                .counter()
                .count())
        .isCloseTo(0.06, org.assertj.core.data.Offset.offset(1e-9));
    assertThat(registry.find("aiflow.agent.tokens").tag("backend", "codex").meters()).isEmpty();
    assertThat(registry.find("aiflow.agent.cost").tag("backend", "codex").meters()).isEmpty();
  }

  @Test
  void tagValuesFromOutsideAreCleanedShortenedAndBounded() {
    metrics.usage("my backend\n{evil=\"x\"}", "m".repeat(200), 1, 0, 0);
    Meter meter = registry.get("aiflow.agent.tokens").meter();
    assertThat(meter.getId().getTag("backend")).isEqualTo("my_backend__evil__x__");
    assertThat(meter.getId().getTag("model")).hasSize(Labels.MAX_LENGTH);

    for (int i = 0; i < Labels.MAX_VALUES + 20; i++) {
      metrics.cycleFinished("outcome-" + i);
    }
    assertThat(registry.find("aiflow.cycles").counters()).hasSize(Labels.MAX_VALUES + 1);
    assertThat(registry.get("aiflow.cycles").tag("outcome", "other").counter().count())
        .isEqualTo(20);
    // a value seen before the bound is still counted as itself
    metrics.cycleFinished("outcome-7");
    assertThat(registry.get("aiflow.cycles").tag("outcome", "outcome-7").counter().count())
        .isEqualTo(2);
  }

  @Test
  void gaugesShowTheLatestEngineStateAndDropRowsThatVanished() {
    metrics.engineState(
        new EngineState(
            2,
            Map.of("aiflow-dispatch", 3L, "aiflow-verify", 1L),
            Map.of("aiflow-dispatch", 2L),
            Map.of("aiflow-dispatch", 1L),
            Map.of(
                "alpha", new EngineState.QueueDepth(5, 1),
                "beta", new EngineState.QueueDepth(0, 2))));

    assertThat(registry.get("aiflow.campaigns.running").gauge().value()).isEqualTo(2);
    assertThat(gauge("aiflow.external.tasks", "topic", "aiflow-dispatch", "state", "waiting"))
        .isEqualTo(3);
    assertThat(gauge("aiflow.external.tasks", "topic", "aiflow-dispatch", "state", "locked"))
        .isEqualTo(2);
    assertThat(gauge("aiflow.external.tasks", "topic", "aiflow-dispatch", "state", "failed"))
        .isEqualTo(1);
    assertThat(gauge("aiflow.external.tasks", "topic", "aiflow-verify", "state", "waiting"))
        .isEqualTo(1);
    assertThat(gauge("aiflow.queue.depth", "project", "alpha")).isEqualTo(5);
    assertThat(gauge("aiflow.queue.in.progress", "project", "beta")).isEqualTo(2);

    metrics.engineState(
        new EngineState(
            0,
            Map.of("aiflow-dispatch", 0L),
            Map.of(),
            Map.of(),
            Map.of("alpha", new EngineState.QueueDepth(4, 0))));

    assertThat(registry.get("aiflow.campaigns.running").gauge().value()).isZero();
    assertThat(gauge("aiflow.external.tasks", "topic", "aiflow-dispatch", "state", "waiting"))
        .isZero();
    assertThat(registry.find("aiflow.external.tasks").tag("topic", "aiflow-verify").gauges())
        .isEmpty();
    assertThat(registry.find("aiflow.external.tasks").tag("state", "locked").gauges()).isEmpty();
    assertThat(registry.find("aiflow.queue.depth").tag("project", "beta").gauges()).isEmpty();
    assertThat(gauge("aiflow.queue.depth", "project", "alpha")).isEqualTo(4);
    assertThat(metrics.engineState().runningCampaigns()).isZero();
  }

  @Test
  void prometheusSeesTheNamesDocsOperationsListsWithUnitsAndSuffixes() {
    PrometheusMeterRegistry prometheus = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    AiflowMetrics m = new AiflowMetrics(prometheus);
    m.cycleFinished("completed");
    m.qaVerdict("FAIL", "SCOPE_VIOLATION");
    m.reworkRounds(1);
    m.dispatchFinished("mock", "OK", Duration.ofSeconds(2));
    m.verificationFinished(true, Duration.ofSeconds(1));
    m.usage("mock", "scripted", 10, 5, 0.5);
    m.engineStateFailed();
    m.engineState(
        new EngineState(
            1,
            Map.of("aiflow-dispatch", 1L),
            Map.of("aiflow-dispatch", 0L),
            Map.of(),
            Map.of("demo", new EngineState.QueueDepth(3, 1))));

    String text = prometheus.scrape();
    assertThat(text)
        .contains("aiflow_cycles_total{outcome=\"completed\"} 1.0")
        .contains("aiflow_qa_verdicts_total{reason=\"SCOPE_VIOLATION\",verdict=\"FAIL\"} 1.0")
        .contains("aiflow_cycle_rework_rounds_bucket{le=\"1.0\"} 1")
        .contains("aiflow_agent_outcomes_total{backend=\"mock\",outcome=\"OK\"} 1.0")
        .contains("aiflow_dispatch_duration_seconds_count{backend=\"mock\"} 1")
        .contains("aiflow_verification_duration_seconds_count{result=\"passed\"} 1")
        .contains(
            "aiflow_agent_tokens_total{backend=\"mock\",direction=\"input\",model=\"scripted\"}"
                + " 10.0")
        .contains("aiflow_agent_cost_usd_total{backend=\"mock\",model=\"scripted\"} 0.5")
        .contains("aiflow_metrics_poll_failures_total 1.0")
        .contains("aiflow_campaigns_running 1.0")
        .contains("aiflow_external_tasks{state=\"waiting\",topic=\"aiflow-dispatch\"} 1.0")
        .contains("aiflow_external_tasks{state=\"locked\",topic=\"aiflow-dispatch\"} 0.0")
        .contains("aiflow_queue_depth{project=\"demo\"} 3.0")
        .contains("aiflow_queue_in_progress{project=\"demo\"} 1.0");
  }

  @Test
  void theDiscardingMetricsTakeEveryCall() {
    AiflowMetrics m = AiflowMetrics.discarding();
    m.cycleFinished(null);
    m.qaVerdict(null, null);
    m.dispatchFinished(null, null, null);
    m.usage(null, null, 1, 1, 1);
    m.engineState(null);
    assertThat(m.engineState()).isEqualTo(EngineState.EMPTY);
  }

  private double gauge(String name, String... tags) {
    return registry.get(name).tags(tags).gauge().value();
  }
}
