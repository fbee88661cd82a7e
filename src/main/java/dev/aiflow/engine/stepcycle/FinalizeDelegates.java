package dev.aiflow.engine.stepcycle;

import dev.aiflow.engine.EngineVariables;
import dev.aiflow.logger.ChainEvent;
import dev.aiflow.logger.WorkflowLogger;
import java.util.LinkedHashMap;
import java.util.Map;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.JavaDelegate;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * {@code Task_FinalizeCompleted}, {@code Task_FinalizeFailed}, {@code Task_FinalizeRejected}:
 * record the outcome, log {@code cycle_finished}, and close the task in the log unless a campaign
 * will ({@code closeTaskOnFinish=false}).
 */
@Configuration(proxyBeanMethods = false)
public class FinalizeDelegates {

  @Bean
  JavaDelegate finalizeCompletedDelegate(StepCycleSupport support) {
    return ex -> finish(support, ex, "completed", "accepted");
  }

  @Bean
  JavaDelegate finalizeFailedDelegate(StepCycleSupport support) {
    return ex -> finish(support, ex, "failed", "failed");
  }

  @Bean
  JavaDelegate finalizeRejectedDelegate(StepCycleSupport support) {
    return ex -> finish(support, ex, "rejected", "rejected");
  }

  static void finish(
      StepCycleSupport support, DelegateExecution ex, String outcome, String status) {
    ex.setVariable(StepCycleVars.OUTCOME, outcome);
    if (!dev.aiflow.ids.Ids.isValid(support.projectId(ex))) {
      return; // no project to log in: the intake findings are the record
    }
    support.session(ex, "cycle_finished", Map.of("outcome", outcome));
    Object taskId = taskId(support, ex);
    if (taskId == null || !dev.aiflow.ids.Ids.isValid(taskId.toString())) {
      return; // a pack so broken it names no task: the outcome variable is the record
    }
    WorkflowLogger log = support.logger(ex);
    Map<String, Object> fields = new LinkedHashMap<>();
    fields.put("outcome", outcome);
    fields.put("process_instance_id", ex.getProcessInstanceId());
    fields.put("rework_rounds", EngineVariables.integer(ex, StepCycleVars.REWORK_ROUND, 0));
    putIfSet(fields, "qa_verdict", ex.getVariable(StepCycleVars.QA_VERDICT));
    putIfSet(fields, "qa_reason_code", ex.getVariable(StepCycleVars.QA_REASON_CODE));
    putIfSet(fields, "intake_findings", EngineVariables.json(ex, StepCycleVars.INTAKE_FINDINGS));
    putIfSet(fields, "guard_findings", EngineVariables.json(ex, StepCycleVars.GUARD_FINDINGS));
    putIfSet(fields, "rollback", ex.getVariable(StepCycleVars.ROLLBACK_SUMMARY));
    putIfSet(fields, "requirements_sha256", ex.getVariable(StepCycleVars.REQUIREMENTS_SHA256));
    String key = ex.getProcessInstanceId();
    if (log.task(taskId.toString()).closed()) {
      return; // a task rejected because it was already closed
    }
    if (EngineVariables.bool(ex, StepCycleVars.CLOSE_TASK_ON_FINISH, true)) {
      ChainEvent close =
          log.closeTask(taskId.toString(), status, "step cycle " + outcome, fields, "close:" + key);
      ex.setVariable(StepCycleVars.CLOSE_EVENT_HASH, close.eventHash());
    } else {
      log.logTaskEvent(taskId.toString(), "cycle_finished", fields, "finished:" + key);
    }
  }

  private static Object taskId(StepCycleSupport support, DelegateExecution ex) {
    Object id = ex.getVariable(StepCycleVars.TASK_ID);
    if (id != null) {
      return id;
    }
    try {
      return support.stepPack(ex).taskId();
    } catch (RuntimeException e) {
      return null; // no usable pack: nothing names the task
    }
  }

  private static void putIfSet(Map<String, Object> fields, String name, Object value) {
    if (value != null) {
      fields.put(name, value.toString());
    }
  }
}
