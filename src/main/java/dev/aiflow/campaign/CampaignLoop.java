package dev.aiflow.campaign;

import dev.aiflow.logger.ChainEvent;
import dev.aiflow.logger.WorkflowLogger;
import dev.aiflow.protocol.Protocol;
import dev.aiflow.protocol.StepPack;
import dev.aiflow.scoreboard.CycleReport;
import dev.aiflow.scoreboard.ScoreboardStore;
import dev.aiflow.triage.QueueCounts;
import dev.aiflow.triage.QueueStore;
import dev.aiflow.triage.QueueTask;
import dev.aiflow.triage.SelectionPolicy;
import dev.aiflow.triage.TaskQueue;
import dev.aiflow.triage.TaskStatus;
import dev.aiflow.worker.BackendHealth;
import dev.aiflow.worker.BackendMap;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;

/**
 * The steps of a campaign over the queue, free of any engine: what the campaign model's delegates
 * call (docs/triage.md). Each step reads the queue and scoreboard from disk, so a campaign resumed
 * after a restart or a retried step sees the state as it is, and each is safe to repeat.
 */
public final class CampaignLoop {

  /** The owner prefix of claims made by campaign process instances. */
  public static final String CAMPAIGN_OWNER_PREFIX = "campaign:";

  /** The owner prefix of claims made by one run ({@code prepare-next}, {@code run-cycle}). */
  public static final String RUN_OWNER_PREFIX = "run:";

  private final CampaignSpec spec;
  private final Clock clock;
  private final QueueStore queue;
  private final ScoreboardStore scoreboard;
  private final BackendMap backends;

  public CampaignLoop(CampaignSpec spec, Clock clock) {
    this.spec = spec;
    this.clock = clock;
    this.backends = new BackendMap(spec.backendMap());
    this.queue = new QueueStore(spec.queuePath());
    this.scoreboard = new ScoreboardStore(spec.effectiveProgressDir());
  }

  public CampaignSpec spec() {
    return spec;
  }

  public QueueStore queue() {
    return queue;
  }

  public ScoreboardStore scoreboard() {
    return scoreboard;
  }

  /** The campaign id in a claim owner {@code campaign:<id>} or {@code campaign:<id>#<lane>}. */
  static String campaignOf(String owner) {
    String id = owner.substring(CAMPAIGN_OWNER_PREFIX.length());
    int lane = id.indexOf('#');
    return lane < 0 ? id : id.substring(0, lane);
  }

  /**
   * The owner a lane of a campaign claims as: with one lane the campaign's own ({@link #ownerOf}),
   * with more {@code campaign:<id>#<lane>}, so each lane resumes only its own claim.
   */
  public static String laneOwner(CampaignSpec spec, String campaignId, int lane) {
    return spec.maxParallelTasks() > 1
        ? CAMPAIGN_OWNER_PREFIX + campaignId + "#" + lane
        : ownerOf(spec, campaignId);
  }

  /** The owner a campaign instance claims tasks as, unless its spec names one. */
  public static String ownerOf(CampaignSpec spec, String campaignId) {
    return spec.claimOwner() != null ? spec.claimOwner() : CAMPAIGN_OWNER_PREFIX + campaignId;
  }

  /**
   * Puts tasks held by campaigns that no longer run back to pending.
   *
   * @param campaignRunning whether the campaign with this id still runs
   * @return the keys released
   */
  public List<String> releaseStaleClaims(Predicate<String> campaignRunning) {
    TaskQueue before = queue.read();
    Predicate<String> gone =
        owner ->
            owner.startsWith(CAMPAIGN_OWNER_PREFIX) && !campaignRunning.test(campaignOf(owner));
    List<String> stale =
        before.tasks().stream()
            .filter(t -> t.status() == TaskStatus.IN_PROGRESS && gone.test(t.claimedBy()))
            .map(QueueTask::key)
            .toList();
    if (!stale.isEmpty()) {
      queue.update(
          q -> q.release(gone, "released: its campaign ended without finishing it", now()));
    }
    return stale;
  }

  /**
   * The backends every runnable task will use, health-checked with the shim.
   *
   * @return every problem; empty when all is well or nothing is runnable
   */
  public List<BackendHealth.Problem> preflight(
      String owner, Map<String, String> setAside, BackendHealth health, String shimExecutable) {
    TaskQueue q = queue.read();
    Set<String> backends = new LinkedHashSet<>();
    for (QueueTask t : q.tasks()) {
      boolean runnable =
          (t.status() == TaskStatus.PENDING
                  || (t.status() == TaskStatus.IN_PROGRESS && owner.equals(t.claimedBy())))
              && t.attempts() < q.maxAttemptsOf(t)
              && !setAside.containsKey(t.key());
      if (!runnable) {
        continue;
      }
      Optional<String> packJson = spec.stepPacks().packJson(t.key());
      if (packJson.isPresent()) {
        StepPack pack = Protocol.parseStepPack(packJson.get());
        backends.add(backendFor(t.key(), pack.worker().backend()));
      } else if (spec.autoPlanMissing()) {
        AutoPlanner.Plan plan = AutoPlanner.plan(t, "preflight", backendFor(t.key(), null));
        if (plan.planned()) {
          backends.add(plan.pack().worker().backend());
        }
      }
    }
    if (backends.isEmpty()) {
      return List.of();
    }
    return health.check(shimExecutable, backends);
  }

  /**
   * The backend of a task: {@link BackendMap#route} without an override (the map's, else the
   * campaign's, else the pack's); the cycle gets it as its override.
   */
  public String backendFor(String taskKey, String packBackend) {
    return backends.route(null, taskKey, spec.workerBackend(), packBackend);
  }

  /**
   * What the next cycle runs: a task and its run id, or none (the queue is drained for this
   * campaign) with the reason the open tasks are not runnable. The limits (cycles, stagnation,
   * budget, cancel) are not decided here: they are conditions on {@code Gateway_WayOut} in the
   * model, on the counts {@link CampaignCounters} keeps.
   */
  public record Pick(String taskKey, String runId, String drainedDetail) {
    public boolean selected() {
      return taskKey != null;
    }
  }

  /** Why a campaign ended: the {@code endReason} property of each end event of the model. */
  public enum EndReason {
    QUEUE_DRAINED,
    MAX_CYCLES,
    STAGNATED,
    CANCELLED,
    BUDGET_EXHAUSTED,
    PREFLIGHT_FAILED,
    EXECUTION_BLOCKED,
    INVALID_INPUT,
    QUEUE_IN_USE,
    BREAKER_STOPPED;

    public String json() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }

    /** The reason a property names, or empty for a name no end event uses. */
    public static Optional<EndReason> of(String json) {
      for (EndReason r : values()) {
        if (r.json().equals(json)) {
          return Optional.of(r);
        }
      }
      return Optional.empty();
    }
  }

  /**
   * Picks the next task by the queue's policy. The scoreboard counts the pick when its cycle ends
   * ({@link #recordCycle}) or it is set aside ({@link #setAside}), so a pick writes no file.
   *
   * @param cyclesDone the cycles run so far: part of the new run id
   */
  public Pick select(
      String owner, String campaignId, int cyclesDone, Map<String, String> setAside) {
    return select(owner, campaignId, cyclesDone, setAside, true);
  }

  /**
   * As above; {@code sharedWorkspace} false when each task has a worktree of its own (git
   * isolation): then overlapping allowed paths do not keep lanes apart, integration decides.
   */
  public Pick select(
      String owner,
      String campaignId,
      int cyclesDone,
      Map<String, String> setAside,
      boolean sharedWorkspace) {
    TaskQueue q = queue.read();
    SelectionPolicy.Selection s = SelectionPolicy.select(q, owner, setAside);
    if (sharedWorkspace && spec.maxParallelTasks() > 1 && s.task().isPresent()) {
      // lanes share the workspace: a task whose paths overlap a running one waits
      s =
          new SelectionPolicy.Selection(
              SelectionPolicy.selectUpTo(q, owner, setAside, 1, this::allowedPaths).stream()
                  .findFirst(),
              s.passedOver());
    }
    if (s.task().isEmpty()) {
      QueueCounts c = q.counts();
      return new Pick(
          null,
          null,
          c.completed()
              + " completed, "
              + c.failed()
              + " failed, "
              + (c.pending() + c.inProgress())
              + " not runnable"
              + (c.pending() + c.inProgress() == 0 ? "" : " (" + s.explanationOfOpen() + ")"));
    }
    QueueTask t = s.task().get();
    Instant now = now();
    // a single run (run-cycle, prepare-next) owns its run id; a campaign makes one per cycle
    String runId =
        spec.claimOwner() != null && spec.claimOwner().startsWith(RUN_OWNER_PREFIX)
            ? spec.claimOwner().substring(RUN_OWNER_PREFIX.length())
            : RunIds.of(t.key(), now, campaignId + "#" + cyclesDone);
    return new Pick(t.key(), runId, null);
  }

  /**
   * Whether another lane of this campaign holds a task while a task is still pending: a lane with
   * nothing to do waits then (the other lane's outcome may make it runnable). With nothing pending
   * the lane ends, so a lane whose task waits for a person does not keep the others polling.
   */
  public boolean othersBusy(String owner, String campaignId) {
    String lanes = CAMPAIGN_OWNER_PREFIX + campaignId + "#";
    TaskQueue q = queue.read();
    if (q.tasks().stream().noneMatch(t -> t.status() == TaskStatus.PENDING)) {
      return false;
    }
    return q.tasks().stream()
        .anyMatch(
            t ->
                t.status() == TaskStatus.IN_PROGRESS
                    && t.claimedBy() != null
                    && t.claimedBy().startsWith(lanes)
                    && !t.claimedBy().equals(owner));
  }

  /** A task's allowed paths: its mapped StepPack's, else its plan's; none known: empty. */
  List<String> allowedPaths(QueueTask t) {
    Optional<String> pack = spec.stepPacks().packJson(t.key());
    if (pack.isPresent()) {
      return Protocol.parseStepPack(pack.get()).allowedPaths();
    }
    return t.plan() == null ? List.of() : t.plan().allowedPaths();
  }

  /** Whether the policy still finds a task for {@code owner}: what the limits apply to. */
  public boolean workLeft(String owner, Map<String, String> setAside) {
    return SelectionPolicy.select(queue.read(), owner, setAside).task().isPresent();
  }

  /** The task's StepPack for this run, or why there is none. */
  public record Resolution(String packJson, String backend, boolean autoPlanned, String refusal) {
    public boolean resolved() {
      return packJson != null;
    }
  }

  /** Finds or plans the task's pack and, when there is one, claims the task for {@code owner}. */
  public Resolution resolve(String owner, String taskKey, String runId) {
    Resolution r = packFor(queue.read().require(taskKey), runId);
    if (r.resolved()) {
      queue.update(q -> q.claim(taskKey, owner, now()));
    }
    return r;
  }

  /**
   * The StepPack {@link #resolve} gave run {@code runId} of a task, again, without claiming
   * anything: the map's pack, or the planner's from the task's plan (both depend only on the map,
   * the task and the run).
   *
   * @throws IllegalStateException when the task has no pack any more
   */
  public StepPack packOf(String taskKey, String runId) {
    Resolution r = packFor(queue.read().require(taskKey), runId);
    if (!r.resolved()) {
      throw new IllegalStateException(
          "task " + taskKey + " has no StepPack any more: " + r.refusal());
    }
    return Protocol.parseStepPack(r.packJson());
  }

  private Resolution packFor(QueueTask task, String runId) {
    String taskKey = task.key();
    Optional<String> mapped = spec.stepPacks().packJson(taskKey);
    StepPack pack;
    boolean planned = false;
    if (mapped.isPresent()) {
      pack = Protocol.parseStepPack(mapped.get()).withRunId(runId);
    } else if (spec.autoPlanMissing()) {
      AutoPlanner.Plan plan = AutoPlanner.plan(task, runId, backendFor(taskKey, null));
      if (!plan.planned()) {
        return new Resolution(null, null, false, plan.refusal());
      }
      pack = plan.pack();
      planned = true;
    } else {
      return new Resolution(
          null, null, false, "no step pack in the map (auto-plan is off: autoPlanMissing=false)");
    }
    String backend = backendFor(taskKey, pack.worker().backend());
    return new Resolution(
        Protocol.toJson(Protocol.validate(Protocol.Kind.STEP_PACK, pack)), backend, planned, null);
  }

  /**
   * Whether the task waits for a person when it runs out of rework rounds: the queue task's {@code
   * escalate_exhausted_rework}, else the campaign's {@code escalateExhaustedRework}.
   */
  public boolean escalatesExhaustedRework(String taskKey) {
    return queue
        .read()
        .require(taskKey)
        .escalateExhaustedRework()
        .orElse(spec.escalateExhaustedRework());
  }

  /** The task picked for run {@code runId} has no pack: the pick counts as skipped. */
  public void setAside(String taskKey, String runId) {
    scoreboard.recordSkip(taskKey, runId, now());
  }

  /** How a finished cycle changed its task. */
  public record Finalized(
      TaskStatus status,
      CycleReport.Outcome outcome,
      String reason,
      QueueCounts counts,
      ChainEvent lastEvent) {}

  /**
   * Moves the cycle's task on in the queue and, when that is final, closes it in the hash chain.
   * Safe to repeat: a task no longer held by {@code owner} was finalized already.
   *
   * @param cycleOutcome the step cycle's {@code outcome}: completed, failed, rejected or blocked
   */
  public Finalized finalizeCycle(
      String owner,
      String campaignId,
      String taskKey,
      String runId,
      String cycleOutcome,
      String qaVerdict,
      String qaReasonCode,
      int reworkRounds,
      String dispatchOutcome,
      WorkflowLogger log) {
    TaskQueue.CycleEnd end =
        switch (String.valueOf(cycleOutcome)) {
          case "completed" -> TaskQueue.CycleEnd.COMPLETED;
          case "rejected", "blocked" -> TaskQueue.CycleEnd.REJECTED;
          default -> TaskQueue.CycleEnd.FAILED;
        };
    String reason =
        reason(runId, cycleOutcome, qaVerdict, qaReasonCode, reworkRounds, dispatchOutcome);
    TaskQueue after =
        queue.update(
            q -> {
              QueueTask t = q.require(taskKey);
              boolean ours = t.status() == TaskStatus.IN_PROGRESS && owner.equals(t.claimedBy());
              return ours ? q.finishCycle(taskKey, owner, end, reason, now()) : q;
            });
    QueueTask t = after.require(taskKey);
    CycleReport.Outcome outcome =
        switch (t.status()) {
          case COMPLETED -> CycleReport.Outcome.COMPLETED;
          case PENDING -> CycleReport.Outcome.REQUEUED;
          default -> CycleReport.Outcome.FAILED;
        };
    Map<String, Object> fields = new LinkedHashMap<>();
    fields.put("campaign_id", campaignId);
    fields.put("run_id", runId);
    fields.put("cycle_outcome", String.valueOf(cycleOutcome));
    fields.put("queue_status", t.status().json());
    fields.put("attempts", t.attempts());
    // keyed by the run: a repeated finalize (a retried job) appends nothing new and gets the
    // event the first one appended
    ChainEvent last = null;
    if (t.status().terminal()) {
      String status =
          t.status() == TaskStatus.COMPLETED
              ? "accepted"
              : end == TaskQueue.CycleEnd.REJECTED ? "rejected" : "failed";
      if (!log.task(taskKey).closed()) {
        last = log.closeTask(taskKey, status, t.lastReason(), fields, "campaign-close:" + runId);
      }
    } else if (t.status() == TaskStatus.PENDING) {
      last = log.logTaskEvent(taskKey, "task_requeued", fields, "requeue:" + runId);
    }
    return new Finalized(t.status(), outcome, t.lastReason(), after.counts(), last);
  }

  /** Why the task moved, in one line a person reads in the queue file and the summary. */
  static String reason(
      String runId,
      String cycleOutcome,
      String qaVerdict,
      String qaReasonCode,
      int reworkRounds,
      String dispatchOutcome) {
    StringBuilder r = new StringBuilder("run ").append(runId).append(' ');
    r.append(cycleOutcome == null ? "ended without an outcome" : cycleOutcome);
    if (reworkRounds > 0) {
      r.append(" after ").append(reworkRounds).append(" rework round(s)");
    }
    if (qaVerdict != null) {
      r.append("; last QA ").append(qaVerdict).append(" (").append(qaReasonCode).append(')');
    } else if ("rejected".equals(cycleOutcome)) {
      r.append(" at intake");
    } else if ("blocked".equals(cycleOutcome)) {
      r.append(" by the contract guard (").append(qaReasonCode).append(')');
    }
    if (dispatchOutcome != null && !"OK".equals(dispatchOutcome)) {
      r.append("; the agent's last run: ").append(dispatchOutcome);
    }
    return r.toString();
  }

  /**
   * Adds the cycle to the scoreboard and trends (idempotent per run).
   *
   * @param queueAfter the queue's counts after {@link #finalizeCycle}, or null to read them
   */
  public void recordCycle(
      String campaignId,
      String taskKey,
      String runId,
      CycleReport.Outcome outcome,
      int reworkRounds,
      String qaVerdict,
      String qaReasonCode,
      QueueCounts queueAfter,
      Instant startedAt) {
    recordCycle(
        campaignId,
        taskKey,
        runId,
        outcome,
        reworkRounds,
        qaVerdict,
        qaReasonCode,
        queueAfter,
        startedAt,
        Map.of());
  }

  /**
   * As above, with what the cycle's attempts used by {@code backend/model} (from the chain: {@code
   * BudgetLedger.byBackendModel(log.taskEvents(taskKey), run filter)}).
   */
  public void recordCycle(
      String campaignId,
      String taskKey,
      String runId,
      CycleReport.Outcome outcome,
      int reworkRounds,
      String qaVerdict,
      String qaReasonCode,
      QueueCounts queueAfter,
      Instant startedAt,
      Map<String, dev.aiflow.budget.Spend> spend) {
    recordCycle(
        campaignId,
        taskKey,
        runId,
        outcome,
        reworkRounds,
        qaVerdict,
        qaReasonCode,
        queueAfter,
        startedAt,
        spend,
        Map.of());
  }

  /**
   * As above, with the claims the workspace contradicted by {@code backend/model} (from the chain:
   * {@code ClaimsLedger.byBackendModel}), the honesty rate of summary.md.
   */
  public void recordCycle(
      String campaignId,
      String taskKey,
      String runId,
      CycleReport.Outcome outcome,
      int reworkRounds,
      String qaVerdict,
      String qaReasonCode,
      QueueCounts queueAfter,
      Instant startedAt,
      Map<String, dev.aiflow.budget.Spend> spend,
      Map<String, dev.aiflow.scoreboard.ClaimTally> claims) {
    Instant now = now();
    scoreboard.recordCycle(
        new CycleReport(
                now,
                campaignId,
                runId,
                taskKey,
                outcome,
                reworkRounds,
                qaVerdict,
                qaReasonCode,
                queueAfter != null ? queueAfter : queue.read().counts(),
                startedAt == null ? 0 : Duration.between(startedAt, now).toMillis(),
                spend)
            .withClaims(claims));
  }

  /** The queue at the end, with the summary rendered for it. */
  public QueueCounts finish() {
    QueueCounts c = queue.read().counts();
    scoreboard.render(c);
    return c;
  }

  /** Every task completed: what {@code run-campaign} exits 0 for. */
  public static boolean allCompleted(QueueCounts c) {
    return c.total() > 0 && c.completed() == c.total();
  }

  private Instant now() {
    return clock.instant();
  }
}
