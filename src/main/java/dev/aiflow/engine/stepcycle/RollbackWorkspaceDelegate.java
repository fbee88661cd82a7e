package dev.aiflow.engine.stepcycle;

import dev.aiflow.engine.ChainAnchors;
import dev.aiflow.engine.EngineVariables;
import dev.aiflow.logger.ChainEvent;
import dev.aiflow.recovery.CheckpointStore;
import dev.aiflow.recovery.RollbackReport;
import java.util.LinkedHashMap;
import java.util.Map;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.JavaDelegate;
import org.springframework.stereotype.Component;

/**
 * {@code Task_RollbackWorkspace} (asynchronous): with {@code rollbackOnFail} and a checkpoint,
 * restore it and say so in the chain. Repeating it (a retried job) restores the same state and
 * finds its chain event already there.
 */
@Component
public class RollbackWorkspaceDelegate implements JavaDelegate {

  private final StepCycleSupport support;

  public RollbackWorkspaceDelegate(StepCycleSupport support) {
    this.support = support;
  }

  @Override
  public void execute(DelegateExecution ex) {
    String id = EngineVariables.string(ex, StepCycleVars.CHECKPOINT_ID, null);
    if (!EngineVariables.bool(ex, StepCycleVars.ROLLBACK_ON_FAIL, false) || id == null) {
      return;
    }
    String taskId = support.stepPack(ex).taskId();
    RollbackReport r = new CheckpointStore(support.properties().checkpointRoot()).rollback(id);
    Map<String, Object> fields = new LinkedHashMap<>();
    fields.put("checkpoint_id", id);
    fields.put("restored", String.join(",", r.restored()));
    fields.put("deleted", String.join(",", r.deleted()));
    fields.put("unchanged", r.unchanged().size());
    fields.put("process_instance_id", ex.getProcessInstanceId());
    ChainEvent e = support.logger(ex).logTaskEvent(taskId, "rollback", fields, "rollback:" + id);
    ChainAnchors.anchor(ex, e);
    ex.setVariable(
        StepCycleVars.ROLLBACK_SUMMARY,
        r.restored().size()
            + " restored, "
            + r.deleted().size()
            + " deleted ("
            + e.eventHash()
            + ")");
    support.session(ex, "rollback", fields);
  }
}
