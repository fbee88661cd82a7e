package dev.aiflow.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

/**
 * aiflow's own metrics, as plain method calls (docs/operations.md, "Metrics"). The engine calls the
 * event methods where a cycle, a QA verdict, a dispatch or a verification ends; {@link
 * #engineState} is fed by a poller that asks the engine what is running. Prometheus sees them under
 * {@code /actuator/prometheus} with the names in the table of docs/operations.md ({@code
 * aiflow_cycles_total{outcome}}, ...).
 *
 * <p>Tag values come from packs, queues and agents, so they are cleaned (letters, digits and {@code
 * _.:-}, at most 64 characters) and bounded: past {@value Labels#MAX_VALUES} distinct values of one
 * tag, further ones count as {@code other}, so a run with made-up model names cannot grow the
 * registry without end. Every method is safe to call from any thread and never throws on odd input.
 */
public final class AiflowMetrics {

  private final MeterRegistry registry;
  private final Labels labels = new Labels();
  private final AtomicReference<EngineState> engine = new AtomicReference<>(EngineState.EMPTY);
  private final MultiGauge externalTasks;
  private final MultiGauge queueDepth;
  private final MultiGauge queueInProgress;

  public AiflowMetrics(MeterRegistry registry) {
    this.registry = registry;
    Gauge.builder("aiflow.campaigns.running", engine, e -> e.get().runningCampaigns())
        .description("campaign process instances running (the whole cluster)")
        .register(registry);
    externalTasks =
        MultiGauge.builder("aiflow.external.tasks")
            .description(
                "external tasks by topic and state: waiting (unlocked, retries left), locked"
                    + " (a worker holds them), failed (no retries left: an incident)")
            .register(registry);
    queueDepth =
        MultiGauge.builder("aiflow.queue.depth")
            .description("pending tasks in the queues of the running campaigns, by project")
            .register(registry);
    queueInProgress =
        MultiGauge.builder("aiflow.queue.in.progress")
            .description("in-progress tasks in the queues of the running campaigns, by project")
            .register(registry);
  }

  /** Metrics that go nowhere: for code run without a registry (the CLI, plain tests). */
  public static AiflowMetrics discarding() {
    return new AiflowMetrics(new CompositeMeterRegistry());
  }

  /**
   * A step cycle ended. {@code outcome}: how the campaign took it ({@code completed}, {@code
   * requeued}, {@code failed}; the {@code lastCycleResult} variable).
   */
  public void cycleFinished(String outcome) {
    Counter.builder("aiflow.cycles")
        .description("step cycles ended, by outcome")
        .tags(labels.tags("outcome", outcome))
        .register(registry)
        .increment();
  }

  /**
   * The QA gate judged a step. {@code verdict}: PASS, FAIL, BLOCKED...; {@code reasonCode}: the
   * review's reason code ({@code none} when it has none).
   */
  public void qaVerdict(String verdict, String reasonCode) {
    Counter.builder("aiflow.qa.verdicts")
        .description("QA verdicts, by verdict and reason code")
        .tags(labels.tags("verdict", verdict, "reason", reasonCode))
        .register(registry)
        .increment();
  }

  /** A step cycle ended after {@code rounds} rework rounds (0 when it passed at once). */
  public void reworkRounds(int rounds) {
    DistributionSummary.builder("aiflow.cycle.rework.rounds")
        .description("rework rounds a step cycle took before it ended")
        .serviceLevelObjectives(1, 2, 3, 5, 8) // le="1.0" holds the cycles without rework too
        .register(registry)
        .record(Math.max(0, rounds));
  }

  /**
   * An agent run ended: its outcome ({@code OK}, {@code TIMEOUT}, {@code SILENCE}, {@code
   * BUDGET}...) by backend, and how long the dispatch took (spawn to the last byte of its
   * StepResult).
   */
  public void dispatchFinished(String backend, String outcome, Duration elapsed) {
    Tags backendTag = labels.tags("backend", backend);
    Counter.builder("aiflow.agent.outcomes")
        .description("agent runs ended, by backend and outcome")
        .tags(backendTag.and(labels.tags("outcome", outcome)))
        .register(registry)
        .increment();
    Timer.builder("aiflow.dispatch.duration")
        .description("how long agent dispatches took, by backend")
        .tags(backendTag)
        .publishPercentileHistogram()
        .minimumExpectedValue(Duration.ofSeconds(1))
        .maximumExpectedValue(Duration.ofHours(4))
        .register(registry)
        .record(nonNegative(elapsed));
  }

  /**
   * The kernel verified a step in its workspace (observation and re-runs of the proofs): whether
   * they passed, and how long it took.
   */
  public void verificationFinished(boolean passed, Duration elapsed) {
    Timer.builder("aiflow.verification.duration")
        .description("how long the kernel's verification of a step took, by result")
        .tags("result", passed ? "passed" : "failed")
        .publishPercentileHistogram()
        .minimumExpectedValue(Duration.ofMillis(100))
        .maximumExpectedValue(Duration.ofHours(1))
        .register(registry)
        .record(nonNegative(elapsed));
  }

  /**
   * What one agent run consumed, as its shim reported it. Negative or unknown amounts (-1, NaN) are
   * not counted.
   */
  public void usage(
      String backend, String model, long inputTokens, long outputTokens, double costUsd) {
    Tags tags = labels.tags("backend", backend, "model", model);
    if (inputTokens > 0) {
      tokens(tags, "input").increment(inputTokens);
    }
    if (outputTokens > 0) {
      tokens(tags, "output").increment(outputTokens);
    }
    if (costUsd > 0 && Double.isFinite(costUsd)) {
      Counter.builder("aiflow.agent.cost")
          .description("what the agents cost as their CLIs reported it, by backend and model")
          .baseUnit("usd")
          .tags(tags)
          .register(registry)
          .increment(costUsd);
    }
  }

  private Counter tokens(Tags tags, String direction) {
    return Counter.builder("aiflow.agent.tokens")
        .description("tokens the agents used, by backend, model and direction")
        .tags(tags.and("direction", direction))
        .register(registry);
  }

  /** What the engine has running now; replaces the previous state (rows that vanished go). */
  public void engineState(EngineState state) {
    EngineState s = state == null ? EngineState.EMPTY : state;
    engine.set(s);
    List<MultiGauge.Row<?>> tasks = new ArrayList<>();
    row(tasks, s.externalTasksWaiting(), "topic", "state", "waiting");
    row(tasks, s.externalTasksLocked(), "topic", "state", "locked");
    row(tasks, s.externalTasksFailed(), "topic", "state", "failed");
    externalTasks.register(tasks, true);
    List<MultiGauge.Row<?>> pending = new ArrayList<>();
    List<MultiGauge.Row<?>> inProgress = new ArrayList<>();
    s.queues()
        .forEach(
            (project, q) -> {
              Tags t = labels.tags("project", project);
              pending.add(MultiGauge.Row.of(t, q.pending()));
              inProgress.add(MultiGauge.Row.of(t, q.inProgress()));
            });
    queueDepth.register(pending, true);
    queueInProgress.register(inProgress, true);
  }

  /** The state the gauges show now. */
  public EngineState engineState() {
    return engine.get();
  }

  /**
   * The poller could not ask the engine (the database is away): counted, gauges keep their last.
   */
  public void engineStateFailed() {
    Counter.builder("aiflow.metrics.poll.failures")
        .description("times the engine could not be asked for the gauges' values")
        .register(registry)
        .increment();
  }

  private void row(
      List<MultiGauge.Row<?>> rows,
      Map<String, Long> counts,
      String key,
      String stateKey,
      String state) {
    counts.forEach(
        (topic, n) -> rows.add(MultiGauge.Row.of(labels.tags(key, topic).and(stateKey, state), n)));
  }

  private static Duration nonNegative(Duration d) {
    return d == null || d.isNegative() ? Duration.ZERO : d;
  }
}
