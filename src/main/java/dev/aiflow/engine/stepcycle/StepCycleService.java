package dev.aiflow.engine.stepcycle;

import dev.aiflow.engine.EngineVariables;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.camunda.bpm.engine.HistoryService;
import org.camunda.bpm.engine.RuntimeService;
import org.camunda.bpm.engine.history.HistoricProcessInstance;
import org.camunda.bpm.engine.history.HistoricVariableInstance;
import org.camunda.bpm.engine.runtime.Incident;
import org.camunda.bpm.engine.runtime.ProcessInstance;
import org.springframework.stereotype.Component;

/** Starts step cycles and waits for them: what {@code aiflow run-cycle} and tests use. */
@Component
public class StepCycleService {

  public static final String PROCESS_KEY = "stepCycle";

  private final RuntimeService runtime;
  private final HistoryService history;

  public StepCycleService(RuntimeService runtime, HistoryService history) {
    this.runtime = runtime;
    this.history = history;
  }

  /**
   * One cycle's inputs (docs/architecture.md, "Variables").
   *
   * @param intakeJson the task file, or null to derive the intake from the pack
   * @param workspace the agent's workspace, or null for the project's default
   */
  public record CycleRequest(
      String projectId,
      String runId,
      String stepPackJson,
      String intakeJson,
      int maxReworkRounds,
      String workerBackend,
      String workspace,
      boolean closeTaskOnFinish) {}

  /**
   * How a cycle ended: {@code completed}, {@code failed}, {@code rejected}, {@code blocked} (the
   * contract guard), or {@code incident}.
   */
  public record CycleResult(
      String processInstanceId, String outcome, Map<String, Object> variables, String incident) {}

  public String start(CycleRequest r) {
    return start(r, CycleGuards.NONE);
  }

  /**
   * The optional safeguards of one cycle (docs/requirements.md, docs/recovery.md).
   *
   * @param planSnapshot with {@code boundarySnapshot}: the contract guard checks the pack first
   * @param autoCheckpoint a checkpoint of the pack's allowed paths before dispatch
   * @param rollbackOnFail restore it when the cycle ends failed
   */
  public record CycleGuards(
      Path planSnapshot, Path boundarySnapshot, boolean autoCheckpoint, boolean rollbackOnFail) {

    public static final CycleGuards NONE = new CycleGuards(null, null, false, false);

    Map<String, Object> variables() {
      Map<String, Object> v = new HashMap<>();
      if (planSnapshot != null) {
        v.put(
            StepCycleVars.PLAN_SNAPSHOT_PATH, planSnapshot.toAbsolutePath().normalize().toString());
      }
      if (boundarySnapshot != null) {
        v.put(
            StepCycleVars.BOUNDARY_SNAPSHOT_PATH,
            boundarySnapshot.toAbsolutePath().normalize().toString());
      }
      v.put(StepCycleVars.AUTO_CHECKPOINT, autoCheckpoint);
      v.put(StepCycleVars.ROLLBACK_ON_FAIL, rollbackOnFail);
      return v;
    }
  }

  public String start(CycleRequest r, CycleGuards guards) {
    return startInstance(r, guards).getId();
  }

  /** Starts a cycle; the business key is the run id. */
  public ProcessInstance startInstance(CycleRequest r) {
    return startInstance(r, CycleGuards.NONE);
  }

  /** Starts a cycle with safeguards; the business key is the run id. */
  public ProcessInstance startInstance(CycleRequest r, CycleGuards guards) {
    Map<String, Object> vars = new HashMap<>();
    vars.put(StepCycleVars.PROJECT_ID, r.projectId());
    vars.put(StepCycleVars.RUN_ID, r.runId());
    vars.put(StepCycleVars.STEP_PACK, EngineVariables.jsonValue(r.stepPackJson()));
    if (r.intakeJson() != null) {
      vars.put(StepCycleVars.INTAKE, EngineVariables.jsonValue(r.intakeJson()));
    }
    vars.put(StepCycleVars.MAX_REWORK_ROUNDS, r.maxReworkRounds());
    if (r.workerBackend() != null) {
      vars.put(StepCycleVars.WORKER_BACKEND, r.workerBackend());
    }
    if (r.workspace() != null) {
      vars.put(StepCycleVars.WORKSPACE, r.workspace());
    }
    vars.put(StepCycleVars.CLOSE_TASK_ON_FINISH, r.closeTaskOnFinish());
    vars.putAll(guards.variables());
    return runtime.startProcessInstanceByKey(PROCESS_KEY, r.runId(), vars);
  }

  /** Waits until the instance ends or raises an incident. */
  public CycleResult await(String processInstanceId, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      HistoricProcessInstance hpi =
          history
              .createHistoricProcessInstanceQuery()
              .processInstanceId(processInstanceId)
              .singleResult();
      if (hpi != null && hpi.getEndTime() != null) {
        Map<String, Object> vars = variables(processInstanceId);
        return new CycleResult(
            processInstanceId, String.valueOf(vars.get(StepCycleVars.OUTCOME)), vars, null);
      }
      List<Incident> incidents =
          runtime.createIncidentQuery().processInstanceId(processInstanceId).list();
      if (!incidents.isEmpty()) {
        Incident i = incidents.get(0);
        return new CycleResult(
            processInstanceId,
            "incident",
            variables(processInstanceId),
            i.getActivityId() + ": " + i.getIncidentMessage());
      }
      Thread.sleep(100);
    }
    return new CycleResult(processInstanceId, "timeout", variables(processInstanceId), null);
  }

  private Map<String, Object> variables(String processInstanceId) {
    Map<String, Object> vars = new HashMap<>();
    for (HistoricVariableInstance v :
        history.createHistoricVariableInstanceQuery().processInstanceId(processInstanceId).list()) {
      vars.put(v.getName(), v.getValue());
    }
    return vars;
  }
}
