package dev.aiflow.engine.stepcycle;

import dev.aiflow.engine.SharedVars;

/**
 * The variable contract of {@code step-cycle.bpmn} (docs/architecture.md, "Variables"). JSON
 * documents are Camunda {@code Json} values (Spin, serialised with Jackson), never Java
 * serialization; a JSON document given as a plain {@code String} is accepted on input. A test keeps
 * this list, the documentation and the element templates in step.
 */
public final class StepCycleVars {

  // inputs
  public static final String PROJECT_ID = SharedVars.PROJECT_ID;
  public static final String TASK_ID = "taskId";
  public static final String RUN_ID = SharedVars.RUN_ID;
  public static final String STEP_PACK = "stepPack";
  public static final String INTAKE = "intake";
  public static final String MAX_REWORK_ROUNDS = "maxReworkRounds";
  public static final String WORKER_BACKEND = "workerBackend";
  public static final String WORKSPACE = "workspace";
  public static final String CLOSE_TASK_ON_FINISH = "closeTaskOnFinish";
  public static final String WORKER_SHIM = "workerShim";
  public static final String CAMPAIGN_ID = SharedVars.CAMPAIGN_ID;
  public static final String STARTED_BY = SharedVars.STARTED_BY;

  // escalation and budgets (inputs, with defaults set at intake)
  public static final String ESCALATE_EXHAUSTED_REWORK = "escalateExhaustedRework";
  public static final String ESCALATION_GROUP = "escalationGroup";
  public static final String TASK_MAX_TOKENS = "taskMaxTokens";
  public static final String TASK_MAX_COST_USD = "taskMaxCostUsd";
  public static final String TASK_MAX_TURNS = "taskMaxTurns";

  // requirements, guard and recovery (docs/requirements.md, docs/recovery.md)
  public static final String PLAN_SNAPSHOT_PATH = "planSnapshotPath";
  public static final String BOUNDARY_SNAPSHOT_PATH = "boundarySnapshotPath";
  public static final String REQUIREMENTS_SHA256 = "requirementsSha256";
  public static final String GUARD_FINDINGS = "guardFindings";
  public static final String AUTO_CHECKPOINT = "autoCheckpoint";
  public static final String ROLLBACK_ON_FAIL = "rollbackOnFail";
  public static final String CHECKPOINT_ID = "checkpointId";
  public static final String ROLLBACK_SUMMARY = "rollbackSummary";

  // intake and tier
  public static final String INTAKE_FINDINGS = "intakeFindings";
  public static final String RISK = "risk";
  public static final String STEP_COUNT = "stepCount";
  public static final String ALLOWED_PATH_COUNT = "allowedPathCount";
  public static final String EXECUTION_ROUTE = "executionRoute";
  public static final String TIER_DECISION = "tierDecision";
  public static final String CONTRACT_REF = "contractRef";
  public static final String CONTRACT_CONFORMANT = "contractConformant";

  // dispatch
  public static final String REWORK_PACK = "reworkPack";
  public static final String THREAD_ID = "threadId";
  public static final String REWORK_ROUND = SharedVars.REWORK_ROUND;
  public static final String STEP_RESULT = "stepResult";
  public static final String DISPATCH_OUTCOME = "dispatchOutcome";
  public static final String DISPATCH_EXTERNAL_TASK_ID = "dispatchExternalTaskId";
  public static final String DISPATCH_ACTIVITY_ID = "dispatchActivityId";
  public static final String DISPATCH_ACTIVITY_INSTANCE_ID = "dispatchActivityInstanceId";
  public static final String DISPATCH_EVIDENCE_DIR = "dispatchEvidenceDir";
  public static final String DISPATCH_BACKEND = "dispatchBackend";
  public static final String DISPATCH_KERNEL = "dispatchKernel";
  public static final String DISPATCH_ELAPSED_MS = "dispatchElapsedMs";
  public static final String DISPATCH_USAGE = "dispatchUsage";
  public static final String DISPATCH_TOKENS = "dispatchTokens";
  public static final String DISPATCH_COST_USD = "dispatchCostUsd";
  public static final String DISPATCH_TURNS = "dispatchTurns";

  // the kernel's verification
  public static final String KERNEL_OBSERVATION = "kernelObservation";
  public static final String VERIFY_ELAPSED_MS = "verifyElapsedMs";
  public static final String REVIEW_INPUTS = "reviewInputs";

  // audit and review
  public static final String ATTEMPT_EVENT_HASH = "attemptEventHash";
  public static final String CHAIN_ANCHOR = SharedVars.CHAIN_ANCHOR;
  public static final String QA_VERDICT = "qaVerdict";
  public static final String QA_REASON_CODE = "qaReasonCode";
  public static final String QA_SUMMARY = "qaSummary";
  public static final String CLAIMS_CONTRADICTED = "claimsContradicted";
  public static final String REWORK_CONVERGING = "reworkConverging";
  public static final String TASK_BUDGET_LEFT = "taskBudgetLeft";
  public static final String REWORK_STOP = "reworkStop";

  // escalation (UserTask_DecideEscalation)
  public static final String ESCALATION_CAUSE = "escalationCause";
  public static final String ESCALATION_DECISION = "escalationDecision";
  public static final String ESCALATION_ROUNDS = "escalationRounds";
  public static final String ESCALATION_REASON = "escalationReason";
  public static final String ESCALATION_DECIDED_BY = "escalationDecidedBy";
  public static final String ACCEPTED_BY_OVERRIDE = "acceptedByOverride";

  // outcome
  public static final String OUTCOME = "outcome";
  public static final String CLOSE_EVENT_HASH = "closeEventHash";

  /** The kinds of pack a dispatch runs: the step, or a rework of it (round 1 on). */
  public static final String PACK_KIND_STEP = "step";

  public static final String PACK_KIND_REWORK = "rework";

  /** The default candidate group of the escalation task. */
  public static final String DEFAULT_ESCALATION_GROUP = "aiflow-operators";

  private StepCycleVars() {}
}
