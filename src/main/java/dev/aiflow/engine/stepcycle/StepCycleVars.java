package dev.aiflow.engine.stepcycle;

/**
 * The variable contract of {@code step-cycle.bpmn} (docs/architecture.md, "Variables"). JSON
 * documents are Camunda {@code Json} values (Spin, serialised with Jackson), never Java
 * serialization; a JSON document given as a plain {@code String} is accepted on input.
 */
public final class StepCycleVars {

  // inputs
  public static final String PROJECT_ID = "projectId";
  public static final String TASK_ID = "taskId";
  public static final String RUN_ID = "runId";
  public static final String STEP_PACK = "stepPack";
  public static final String INTAKE = "intake";
  public static final String MAX_REWORK_ROUNDS = "maxReworkRounds";
  public static final String WORKER_BACKEND = "workerBackend";
  public static final String WORKSPACE = "workspace";
  public static final String CLOSE_TASK_ON_FINISH = "closeTaskOnFinish";
  public static final String WORKER_SHIM = "workerShim";
  public static final String CAMPAIGN_ID = "campaignId";

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
  public static final String REWORK_ROUND = "reworkRound";
  public static final String STEP_RESULT = "stepResult";
  public static final String DISPATCH_OUTCOME = "dispatchOutcome";
  public static final String DISPATCH_EXTERNAL_TASK_ID = "dispatchExternalTaskId";
  public static final String DISPATCH_ACTIVITY_ID = "dispatchActivityId";
  public static final String DISPATCH_ACTIVITY_INSTANCE_ID = "dispatchActivityInstanceId";
  public static final String DISPATCH_EVIDENCE_DIR = "dispatchEvidenceDir";
  public static final String DISPATCH_BACKEND = "dispatchBackend";
  public static final String DISPATCH_ELAPSED_MS = "dispatchElapsedMs";

  // audit and review
  public static final String ATTEMPT_EVENT_HASH = "attemptEventHash";
  public static final String QA_VERDICT = "qaVerdict";
  public static final String QA_REASON_CODE = "qaReasonCode";

  // outcome
  public static final String OUTCOME = "outcome";
  public static final String CLOSE_EVENT_HASH = "closeEventHash";

  public static final String PACK_KIND_STEP = "step";
  public static final String PACK_KIND_REWORK = "rework";

  private StepCycleVars() {}
}
