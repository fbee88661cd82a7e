package dev.aiflow.engine.stepcycle;

import dev.aiflow.engine.ChainAnchors;
import dev.aiflow.engine.EngineVariables;
import dev.aiflow.logger.ChainEvent;
import dev.aiflow.protocol.StepPack;
import dev.aiflow.recovery.Checkpoint;
import dev.aiflow.recovery.CheckpointStore;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.JavaDelegate;
import org.springframework.stereotype.Component;

/**
 * {@code Task_CreateCheckpoint} (asynchronous): with {@code autoCheckpoint}, a checkpoint of the
 * pack's allowed paths (docs/recovery.md). Keyed by the process instance and the activity, so a
 * retried job finds the checkpoint its first try took and logs it once.
 */
@Component
public class CreateCheckpointDelegate implements JavaDelegate {

  private final StepCycleSupport support;

  public CreateCheckpointDelegate(StepCycleSupport support) {
    this.support = support;
  }

  @Override
  public void execute(DelegateExecution ex) {
    if (!EngineVariables.bool(ex, StepCycleVars.AUTO_CHECKPOINT, false)) {
      return;
    }
    StepPack pack = support.stepPack(ex);
    String key = ex.getProcessInstanceId() + ":" + ex.getCurrentActivityId();
    Checkpoint cp =
        new CheckpointStore(support.properties().checkpointRoot())
            .createOnce(
                key,
                pack.taskId(),
                pack.runId(),
                support.workspace(ex),
                List.of(),
                pack.allowedPaths(),
                Instant.now());
    ex.setVariable(StepCycleVars.CHECKPOINT_ID, cp.id());
    Map<String, Object> fields = new LinkedHashMap<>();
    fields.put("checkpoint_id", cp.id());
    fields.put("files", cp.entries().size());
    fields.put("patterns", String.join(",", cp.patterns()));
    fields.put("process_instance_id", ex.getProcessInstanceId());
    ChainEvent e =
        support
            .logger(ex)
            .logTaskEvent(pack.taskId(), "checkpoint_created", fields, "checkpoint:" + cp.id());
    ChainAnchors.anchor(ex, e);
    support.session(ex, "checkpoint_created", fields);
  }
}
