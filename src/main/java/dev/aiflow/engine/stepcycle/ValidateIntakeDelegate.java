package dev.aiflow.engine.stepcycle;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.aiflow.engine.EngineVariables;
import dev.aiflow.ids.Ids;
import dev.aiflow.intake.IntakeFinding;
import dev.aiflow.intake.IntakeReader;
import dev.aiflow.intake.IntakeTask;
import dev.aiflow.intake.RouteDodValidator;
import dev.aiflow.intake.TierInputs;
import dev.aiflow.protocol.ProtocolException;
import dev.aiflow.protocol.StepPack;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import org.camunda.bpm.engine.delegate.BpmnError;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.JavaDelegate;
import org.springframework.stereotype.Component;

/**
 * {@code Task_ValidateIntake}: the StepPack must parse and the intake (given, or derived from the
 * pack) must be ready; otherwise BPMN error {@code INTAKE_REJECTED}. Sets the DMN inputs.
 */
@Component
public class ValidateIntakeDelegate implements JavaDelegate {

  public static final String ERROR_CODE = "INTAKE_REJECTED";
  private static final ObjectMapper JSON = new ObjectMapper();

  private final StepCycleSupport support;

  public ValidateIntakeDelegate(StepCycleSupport support) {
    this.support = support;
  }

  @Override
  public void execute(DelegateExecution ex) throws Exception {
    try {
      validate(ex);
    } catch (IllegalArgumentException e) {
      // a variable of the wrong type or shape (also over /engine-rest): a finding, never a 500
      reject(ex, List.of(new IntakeFinding("INVALID_VARIABLE", "", e.getMessage())));
    }
  }

  private void validate(DelegateExecution ex) throws Exception {
    List<IntakeFinding> findings = new ArrayList<>();
    Object projectId = ex.getVariable(StepCycleVars.PROJECT_ID);
    if (projectId != null && !Ids.isValid(projectId.toString())) {
      // nothing can be logged for a project that cannot exist: the findings are the record
      reject(ex, List.of(new IntakeFinding("INVALID_PROJECT_ID", "/projectId", Ids.RULE)));
      return;
    }
    java.nio.file.Path workspace;
    try {
      workspace = support.workspace(ex);
    } catch (dev.aiflow.files.PathRefusedException e) {
      reject(ex, List.of(new IntakeFinding("WORKSPACE_REFUSED", "/workspace", e.getMessage())));
      return;
    }
    if (EngineVariables.bool(ex, StepCycleVars.AUTO_CHECKPOINT, false)
        && !support.properties().workspacesHere()) {
      reject(
          ex,
          List.of(
              new IntakeFinding(
                  "CHECKPOINT_NEEDS_WORKSPACE",
                  "/autoCheckpoint",
                  dev.aiflow.files.PathPolicy.CHECKPOINT_NEEDS_WORKSPACE)));
      return;
    }
    StepPack pack;
    if (ex.getVariable(StepCycleVars.STEP_PACK) == null) {
      reject(ex, List.of(new IntakeFinding("STEP_PACK_MISSING", "/stepPack", "required")));
      return;
    }
    try {
      pack = support.stepPack(ex);
    } catch (ProtocolException e) {
      reject(ex, List.of(new IntakeFinding("STEP_PACK_INVALID", "/stepPack", e.getMessage())));
      return;
    }
    String intakeJson = EngineVariables.json(ex, StepCycleVars.INTAKE);
    IntakeTask intake = support.intake(ex, pack);
    if (intakeJson != null) {
      findings.addAll(IntakeReader.read(intakeJson).findings());
    }
    findings.addAll(RouteDodValidator.validate(intake));
    String taskId = EngineVariables.string(ex, StepCycleVars.TASK_ID, pack.taskId());
    if (!Ids.isValid(taskId)) {
      reject(ex, List.of(new IntakeFinding("INVALID_TASK_ID", "/taskId", Ids.RULE)));
      return;
    }
    if (!taskId.equals(pack.taskId())) {
      findings.add(
          new IntakeFinding(
              "TASK_ID_MISMATCH",
              "/stepPack/task_id",
              "the pack is for " + pack.taskId() + ", not " + taskId));
    }
    if (support.logger(ex).task(taskId).closed()) {
      findings.add(
          new IntakeFinding(
              "TASK_ALREADY_CLOSED",
              "/stepPack/task_id",
              "task " + taskId + " is closed in the workflow log; use a new task id"));
    }
    // defaults only where the caller gave none: every variable write is a history record
    setIfAbsent(ex, StepCycleVars.TASK_ID, taskId);
    setIfAbsent(ex, StepCycleVars.RUN_ID, pack.runId());
    setIfAbsent(ex, StepCycleVars.MAX_REWORK_ROUNDS, 1);
    setIfAbsent(ex, StepCycleVars.ESCALATE_EXHAUSTED_REWORK, false);
    setIfAbsent(ex, StepCycleVars.ESCALATION_GROUP, StepCycleVars.DEFAULT_ESCALATION_GROUP);
    setIfAbsent(ex, StepCycleVars.WORKSPACE, workspace.toString());
    TierInputs tier = intake.tierInputs();
    ex.setVariable(StepCycleVars.RISK, tier.risk());
    ex.setVariable(StepCycleVars.STEP_COUNT, tier.stepCount());
    ex.setVariable(StepCycleVars.ALLOWED_PATH_COUNT, tier.allowedPathCount());
    ex.setVariable(StepCycleVars.EXECUTION_ROUTE, tier.executionRoute());
    if (!findings.isEmpty()) {
      reject(ex, findings);
    }
  }

  private static void setIfAbsent(DelegateExecution ex, String name, Object value) {
    if (ex.getVariable(name) == null) {
      ex.setVariable(name, value);
    }
  }

  private static void reject(DelegateExecution ex, List<IntakeFinding> findings) throws Exception {
    EngineVariables.setJson(ex, StepCycleVars.INTAKE_FINDINGS, JSON.writeValueAsString(findings));
    throw new BpmnError(
        ERROR_CODE,
        findings.size()
            + " intake finding(s): "
            + findings.stream().map(IntakeFinding::code).collect(Collectors.joining(", ")));
  }
}
