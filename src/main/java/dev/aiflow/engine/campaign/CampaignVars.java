package dev.aiflow.engine.campaign;

import dev.aiflow.engine.stepcycle.StepCycleVars;

/**
 * The variable contract of {@code campaign.bpmn} (docs/architecture.md, "Campaign variables"). A
 * campaign started over Camunda's REST API gives the inputs; JSON maps may be Json values or JSON
 * text in a String.
 */
public final class CampaignVars {

  // inputs
  public static final String PROJECT_ID = StepCycleVars.PROJECT_ID;
  public static final String QUEUE_PATH = "queuePath";
  public static final String PROGRESS_DIR = "progressDir";
  public static final String STEP_PACK_MAP = "stepPackMap";
  public static final String WORKER_BACKEND_MAP = "workerBackendMap";
  public static final String WORKER_BACKEND = StepCycleVars.WORKER_BACKEND;
  public static final String AUTO_PLAN_MISSING = "autoPlanMissing";
  public static final String MAX_CYCLES = "maxCycles";
  public static final String MAX_STAGNANT_CYCLES = "maxStagnantCycles";
  public static final String MAX_PARALLEL_TASKS = "maxParallelTasks";
  public static final String ESCALATE_EXHAUSTED_REWORK = StepCycleVars.ESCALATE_EXHAUSTED_REWORK;

  /** Per lane: the option as it applies to the lane's task (the queue task may override it). */
  public static final String CURRENT_ESCALATE_EXHAUSTED_REWORK = "currentEscalateExhaustedRework";

  public static final String MAX_REWORK_ROUNDS = StepCycleVars.MAX_REWORK_ROUNDS;
  public static final String WORKSPACE = StepCycleVars.WORKSPACE;
  public static final String WORKER_SHIM = StepCycleVars.WORKER_SHIM;
  public static final String SKIP_BACKEND_HEALTH_CHECK = "skipBackendHealthCheck";
  public static final String CLAIM_OWNER = "claimOwner";
  public static final String REQUIRE_FREEZE = "requireFreeze";
  public static final String GUARD_CONTRACTS = "guardContracts";
  public static final String AUTO_CHECKPOINT = StepCycleVars.AUTO_CHECKPOINT;
  public static final String ROLLBACK_ON_FAIL = StepCycleVars.ROLLBACK_ON_FAIL;
  public static final String REQUIREMENTS_DIR = "requirementsDir";
  public static final String CAMPAIGN_MAX_TOKENS = "campaignMaxTokens";
  public static final String CAMPAIGN_MAX_COST_USD = "campaignMaxCostUsd";

  /**
   * {@code auto} (default: isolate when the workspace is a git repository's top level), {@code
   * off}.
   */
  public static final String GIT_ISOLATION = "gitIsolation";

  /** {@code merge} (default: a merge commit per task) or {@code fast-forward} (when possible). */
  public static final String INTEGRATION_MODE = "integrationMode";

  /** The branch accepted tasks go into; default {@code aiflow-campaign/<campaign id>}. */
  public static final String CAMPAIGN_BRANCH = "campaignBranch";

  /** Keep a failed task's worktree and branch for inspection (default false). */
  public static final String KEEP_FAILED_WORKTREES = "keepFailedWorktrees";

  /** Tasks in a row failing with the same backend outcome before a person decides; 0: off. */
  public static final String BREAKER_THRESHOLD = "breakerThreshold";

  // loop state
  public static final String CYCLES_DONE = "cyclesDone";
  public static final String STAGNANT_CYCLES = "stagnantCycles";
  public static final String SET_ASIDE = "setAside";
  public static final String TASK_SELECTED = "taskSelected";
  public static final String CURRENT_TASK_KEY = "currentTaskKey";
  public static final String CURRENT_RUN_ID = "currentRunId";
  public static final String CURRENT_STEP_PACK = "currentStepPack";
  public static final String CURRENT_BACKEND = "currentBackend";
  public static final String CYCLE_STARTED_AT = "cycleStartedAt";
  public static final String STEP_PACK_RESOLVED = "stepPackResolved";
  public static final String AUTO_PLANNED = "autoPlanned";
  public static final String SET_ASIDE_REASON = "setAsideReason";
  public static final String CYCLE_OUTCOME = "cycleOutcome";
  public static final String CYCLE_QA_VERDICT = "cycleQaVerdict";
  public static final String CYCLE_QA_REASON_CODE = "cycleQaReasonCode";
  public static final String CYCLE_REWORK_ROUNDS = "cycleReworkRounds";
  public static final String CYCLE_DISPATCH_OUTCOME = "cycleDispatchOutcome";
  public static final String LAST_CYCLE_RESULT = "lastCycleResult";
  public static final String CYCLE_TOKENS = "cycleTokens";
  public static final String CYCLE_COST_USD = "cycleCostUsd";
  public static final String CAMPAIGN_TOKENS = "campaignTokens";
  public static final String CAMPAIGN_COST_USD = "campaignCostUsd";
  public static final String BUDGET_EXHAUSTED = "budgetExhausted";
  public static final String WORK_LEFT = "workLeft";
  public static final String BREAKER_OUTCOME = "breakerOutcome";
  public static final String BREAKER_STREAK = "breakerStreak";
  public static final String BREAKER_TRIPPED = "breakerTripped";
  public static final String BREAKER_DECISION = "breakerDecision";
  public static final String BREAKER_REASON = "breakerReason";
  public static final String BREAKER_DECIDED_BY = "breakerDecidedBy";

  /** Lane-local: which lane of SubProcess_Lanes (its loopCounter), and others hold tasks. */
  public static final String LANE = "lane";

  public static final String OTHERS_BUSY = "othersBusy";

  /** Lane-local: the workspace the lane's step cycle gets (its worktree with git isolation). */
  public static final String TASK_WORKSPACE = "taskWorkspace";

  /** Lane-local, git isolation: the task's branch {@code aiflow/<task>}, its base commit. */
  public static final String TASK_BRANCH = "taskBranch";

  public static final String TASK_BASE_COMMIT = "taskBaseCommit";

  /** Lane-local, git isolation: integrated, nothing_to_integrate, conflict, verify_failed. */
  public static final String INTEGRATION_STATUS = "integrationStatus";

  /** Lane-local: why the task's branch was not integrated (the conflicting files named). */
  public static final String INTEGRATION_FINDING = "integrationFinding";

  public static final String BREAKER_STOPPED = "breakerStopped";
  public static final String CANCEL_REQUESTED = "cancelRequested";
  public static final String CANCEL_REQUESTED_BY = "cancelRequestedBy";
  public static final String PREFLIGHT_PROBLEMS = "preflightProblems";
  public static final String PREFLIGHT_SKIPPED = "preflightSkipped";

  /** Set by Task_PreflightBackends when agents would run without a sandbox: "CODE: detail". */
  public static final String SANDBOX_WARNING = "sandboxWarning";

  public static final String RELEASED_TASKS = "releasedTasks";
  public static final String PLAN_SNAPSHOT_PATH = StepCycleVars.PLAN_SNAPSHOT_PATH;
  public static final String BOUNDARY_SNAPSHOT_PATH = StepCycleVars.BOUNDARY_SNAPSHOT_PATH;
  public static final String REQUIREMENTS_SHA256 = StepCycleVars.REQUIREMENTS_SHA256;
  public static final String FREEZE_PROBLEM = "freezeProblem";

  // outcome
  /** Set by the end listener from the {@code endReason} property of the end event reached. */
  public static final String END_REASON = "endReason";

  /** The message {@code SubProcess_Cancel} starts on. */
  public static final String CANCEL_MESSAGE = "aiflowCancelCampaign";

  /** Who started the campaign (the start event's {@code camunda:initiator}); absent: the system. */
  public static final String STARTED_BY = "startedBy";

  /** The variable a refused start named ({@code BoundaryEvent_InvalidInput}). */
  public static final String INVALID_FIELD = "invalidField";

  /** The running campaign that owns the queue ({@code EndEvent_QueueInUse}). */
  public static final String QUEUE_OWNER = "queueOwner";

  /** The campaign whose stale owner record this one replaced at its start. */
  public static final String QUEUE_TAKEN_OVER_FROM = "queueTakenOverFrom";

  public static final String END_DETAIL = "endDetail";
  public static final String ALL_COMPLETED = "allCompleted";
  public static final String QUEUE_COUNTS = "queueCounts";

  private CampaignVars() {}
}
