package dev.aiflow.engine.stepcycle;

import dev.aiflow.engine.EngineVariables;
import dev.aiflow.protocol.Protocol;
import dev.aiflow.protocol.StepPack;
import dev.aiflow.worker.BackendMap;
import java.util.Map;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.JavaDelegate;
import org.springframework.stereotype.Component;

/**
 * {@code Task_PrepareDispatch}: {@code stepPack} becomes the pack as it will be dispatched, stamped
 * with the routed tier, the compiled contract and the backend override (written back only when that
 * changes it: every variable write is a history record).
 */
@Component
public class PrepareDispatchDelegate implements JavaDelegate {

  private final StepCycleSupport support;

  public PrepareDispatchDelegate(StepCycleSupport support) {
    this.support = support;
  }

  @Override
  public void execute(DelegateExecution ex) {
    StepPack pack = support.stepPack(ex);
    @SuppressWarnings("unchecked")
    Map<String, Object> decision =
        (Map<String, Object>) ex.getVariable(StepCycleVars.TIER_DECISION);
    String tier = decision == null ? pack.tier() : (String) decision.get("tier");
    String contract =
        tier.equals("tier3") ? (String) ex.getVariable(StepCycleVars.CONTRACT_REF) : null;
    StepPack stamped =
        new StepPack(
            pack.schema(),
            pack.runId(),
            pack.taskId(),
            pack.stepId(),
            pack.title(),
            pack.objective(),
            pack.instructions(),
            tier,
            contract != null ? contract : pack.contractRef(),
            pack.allowedPaths(),
            pack.acceptanceCriteria(),
            pack.requiredCommands(),
            pack.evidenceDir(),
            pack.limits(),
            pack.worker());
    String packBackend = pack.worker() == null ? null : pack.worker().backend();
    String backend =
        BackendMap.route(
            EngineVariables.string(ex, StepCycleVars.WORKER_BACKEND, null), packBackend);
    if (backend != null && !backend.equals(packBackend)) {
      stamped = stamped.withBackend(backend);
    }
    if (!stamped.equals(pack)) {
      EngineVariables.setJson(
          ex,
          StepCycleVars.STEP_PACK,
          Protocol.toJson(Protocol.validate(Protocol.Kind.STEP_PACK, stamped)));
    }
    ex.setVariable(StepCycleVars.REWORK_ROUND, 0);
  }
}
