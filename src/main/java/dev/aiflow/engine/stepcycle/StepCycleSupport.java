package dev.aiflow.engine.stepcycle;

import dev.aiflow.budget.Budget;
import dev.aiflow.config.AiflowProperties;
import dev.aiflow.engine.EngineVariables;
import dev.aiflow.engine.LoggerRegistry;
import dev.aiflow.engine.SessionRecorder;
import dev.aiflow.intake.IntakeReader;
import dev.aiflow.intake.IntakeTask;
import dev.aiflow.logger.EngineCorrelation;
import dev.aiflow.logger.WorkflowLogger;
import dev.aiflow.observe.KernelObservation;
import dev.aiflow.protocol.Protocol;
import dev.aiflow.protocol.ReworkPack;
import dev.aiflow.protocol.StepPack;
import dev.aiflow.protocol.StepResult;
import dev.aiflow.protocol.StepSpec;
import dev.aiflow.qa.QaReview;
import dev.aiflow.qa.ReviewInputs;
import dev.aiflow.qa.StepQaReviewer;
import java.nio.file.Path;
import java.util.Map;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.springframework.stereotype.Component;

/** What the step cycle's delegates share: reading the variable contract, the log, the workspace. */
@Component
public class StepCycleSupport {

  private final AiflowProperties properties;
  private final LoggerRegistry loggers;

  private final SessionRecorder sessions;

  public StepCycleSupport(
      AiflowProperties properties, LoggerRegistry loggers, SessionRecorder sessions) {
    this.properties = properties;
    this.sessions = sessions;
    this.loggers = loggers;
  }

  /**
   * Parsed documents by their JSON text: the same pack is read by several delegates of a cycle, and
   * schema validation is not free. Records are immutable, so sharing them is safe.
   */
  private final Map<String, Object> parsed =
      java.util.Collections.synchronizedMap(
          new java.util.LinkedHashMap<>(64, 0.75f, true) {
            private static final long serialVersionUID = 1L;

            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Object> eldest) {
              return size() > 256;
            }
          });

  private <T> T parse(String json, Protocol.Kind kind, Class<T> type) {
    Object hit = parsed.get(json);
    if (type.isInstance(hit)) {
      return type.cast(hit);
    }
    T value = Protocol.parse(kind, json, type);
    parsed.put(json, value);
    return value;
  }

  StepPack stepPack(DelegateExecution ex) {
    return parse(
        EngineVariables.requireJson(ex, StepCycleVars.STEP_PACK),
        Protocol.Kind.STEP_PACK,
        StepPack.class);
  }

  /** The pack dispatched last: the step ({@code stepPack}), or its latest rework. */
  StepSpec currentSpec(DelegateExecution ex) {
    boolean rework = EngineVariables.integer(ex, StepCycleVars.REWORK_ROUND, 0) > 0;
    return rework
        ? parse(
            EngineVariables.requireJson(ex, StepCycleVars.REWORK_PACK),
            Protocol.Kind.REWORK_PACK,
            ReworkPack.class)
        : stepPack(ex);
  }

  StepResult stepResult(DelegateExecution ex) {
    return parse(
        EngineVariables.requireJson(ex, StepCycleVars.STEP_RESULT),
        Protocol.Kind.STEP_RESULT,
        StepResult.class);
  }

  IntakeTask intake(DelegateExecution ex, StepPack pack) {
    String json = EngineVariables.json(ex, StepCycleVars.INTAKE);
    return json == null ? IntakeTask.fromStepPack(pack) : IntakeReader.read(json).task();
  }

  AiflowProperties properties() {
    return properties;
  }

  /** Records a decision of this cycle in the project's session log. */
  void session(DelegateExecution ex, String kind, Map<String, ?> details) {
    Object taskId = ex.getVariable(StepCycleVars.TASK_ID);
    if (taskId == null) {
      try {
        taskId = stepPack(ex).taskId();
      } catch (RuntimeException e) {
        taskId = null; // a pack too broken to name its task
      }
    }
    sessions.record(ex, kind, taskId == null ? null : taskId.toString(), details);
  }

  String projectId(DelegateExecution ex) {
    return EngineVariables.string(ex, StepCycleVars.PROJECT_ID, "default");
  }

  WorkflowLogger logger(DelegateExecution ex) {
    return loggers.logger(projectId(ex));
  }

  /**
   * The agent's workspace: the variable, else {@code <data-dir>/projects/<project>/workspace}. With
   * the agents on remote workers only ({@code aiflow.worker.in-process=false}) a named workspace
   * need not exist here: the worker that runs the agent checks the folder.
   */
  Path workspace(DelegateExecution ex) {
    String ws = EngineVariables.string(ex, StepCycleVars.WORKSPACE, null);
    if (ws != null) {
      // a caller's folder: inside the allowed roots, holding none of the server's secrets
      return properties.agentWorkspace(StepCycleVars.WORKSPACE, ws);
    }
    if (!properties.workspacesHere()) {
      throw new dev.aiflow.files.PathRefusedException(
          StepCycleVars.WORKSPACE, dev.aiflow.files.PathPolicy.WORKSPACE_REQUIRED);
    }
    Path own = properties.projectDir(projectId(ex)).resolve("workspace").toAbsolutePath();
    try {
      java.nio.file.Files.createDirectories(own); // ours to create; a given one must exist
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException("cannot create the workspace " + own, e);
    }
    return own;
  }

  /**
   * The QA gate's review of the latest dispatch, from what the kernel observed and re-ran next to
   * the workspace: the inputs {@code Task_VerifyInWorkspace} handed over ({@code reviewInputs}), so
   * the workspace may be on another machine. Deterministic: the rework step recomputes it instead
   * of keeping it in a variable. A verification by an earlier aiflow worker handed over only {@code
   * kernelObservation}: its observation and evidence are read from the workspace then, when this
   * server has it.
   */
  QaReview review(DelegateExecution ex) {
    String named = EngineVariables.string(ex, StepCycleVars.WORKSPACE, null);
    String inputs = EngineVariables.json(ex, StepCycleVars.REVIEW_INPUTS);
    if (inputs != null) {
      ReviewInputs given =
          parsed.get(inputs) instanceof ReviewInputs hit ? hit : ReviewInputs.fromJson(inputs);
      parsed.put(inputs, given);
      if (named != null && !named.equals(given.evidence().named())) {
        throw new IllegalStateException(
            "the review inputs are of the workspace '"
                + given.evidence().named()
                + "', not of this cycle's '"
                + named
                + "'");
      }
      return given.review(currentSpec(ex), stepResult(ex));
    }
    String file = EngineVariables.string(ex, StepCycleVars.KERNEL_OBSERVATION, null);
    if (file == null) {
      throw new IllegalStateException(
          "no kernel observation: Task_VerifyInWorkspace did not run for this dispatch");
    }
    Path ws = workspace(ex);
    if (!properties.workspacesHere() && !java.nio.file.Files.isDirectory(ws)) {
      throw new IllegalStateException(
          "the verifying worker handed over no reviewInputs, and the workspace is not on this"
              + " server: upgrade the worker to this aiflow version, then retry the step");
    }
    dev.aiflow.protocol.WorkspacePath at = dev.aiflow.protocol.WorkspacePath.check(ws, file);
    if (!at.safe()) {
      throw new IllegalStateException("kernelObservation '" + file + "': " + at.problem());
    }
    KernelObservation observation = KernelObservation.read(ws.resolve(at.normalised()));
    return new StepQaReviewer(ws).review(currentSpec(ex), stepResult(ex), observation);
  }

  /**
   * Forgets the review inputs once the rework is built: the next round's gate judges only what its
   * own verification hands over (an earlier worker's verification hands over none).
   */
  static void reviewed(DelegateExecution ex) {
    ex.removeVariable(StepCycleVars.REVIEW_INPUTS);
  }

  /** The task's budget across its rework rounds ({@code taskMax*} variables; none: unlimited). */
  static Budget taskBudget(DelegateExecution ex) {
    Object tokens = ex.getVariable(StepCycleVars.TASK_MAX_TOKENS);
    Object cost = ex.getVariable(StepCycleVars.TASK_MAX_COST_USD);
    Object turns = ex.getVariable(StepCycleVars.TASK_MAX_TURNS);
    return new Budget(
        tokens instanceof Number n ? n.longValue() : null,
        cost instanceof Number n ? n.doubleValue() : null,
        turns instanceof Number n ? n.longValue() : null);
  }

  AiflowProperties.Worker worker() {
    return properties.worker();
  }

  Path contractDir(DelegateExecution ex, String taskId, String runId) {
    return properties.projectDir(projectId(ex)).resolve("contracts").resolve(taskId).resolve(runId);
  }

  /** Where in the engine an attempt came from: the dispatch's external task. */
  static EngineCorrelation dispatchCorrelation(DelegateExecution ex) {
    return new EngineCorrelation(
        ex.getProcessInstanceId(),
        EngineVariables.string(ex, StepCycleVars.DISPATCH_ACTIVITY_INSTANCE_ID, null),
        EngineVariables.string(ex, StepCycleVars.DISPATCH_EXTERNAL_TASK_ID, null),
        EngineVariables.string(ex, StepCycleVars.DISPATCH_ACTIVITY_ID, null));
  }

  static EngineCorrelation here(DelegateExecution ex) {
    return new EngineCorrelation(
        ex.getProcessInstanceId(), ex.getActivityInstanceId(), null, ex.getCurrentActivityId());
  }
}
