package dev.aiflow.engine.campaign;

import dev.aiflow.campaign.CampaignLoop;
import dev.aiflow.engine.EngineVariables;
import dev.aiflow.engine.SessionRecorder;
import java.util.Map;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.JavaDelegate;
import org.springframework.stereotype.Component;

/** {@code Task_ResolveStepPack}: the pack (mapped or auto-planned), its backend, the claim. */
@Component
public class ResolveStepPackDelegate implements JavaDelegate {

  private final CampaignSupport support;
  private final SessionRecorder session;

  ResolveStepPackDelegate(CampaignSupport support, SessionRecorder session) {
    this.support = support;
    this.session = session;
  }

  @Override
  public void execute(DelegateExecution ex) {
    String taskKey = CampaignSupport.taskKey(ex);
    CampaignLoop loop = support.loop(ex); // the pack map is read once per task, here
    CampaignLoop.Resolution r =
        loop.resolve(CampaignSupport.owner(ex), taskKey, CampaignSupport.runId(ex));
    EngineVariables.setIfChanged(ex, CampaignVars.STEP_PACK_RESOLVED, r.resolved());
    if (r.resolved()) {
      CampaignSupport.handOverStepPack(ex, r.packJson());
      EngineVariables.setIfChanged(ex, CampaignVars.CURRENT_BACKEND, r.backend());
      EngineVariables.setIfChanged(
          ex,
          CampaignVars.CURRENT_ESCALATE_EXHAUSTED_REWORK,
          loop.escalatesExhaustedRework(taskKey));
      EngineVariables.setIfChanged(ex, CampaignVars.AUTO_PLANNED, r.autoPlanned());
      session.record(
          ex,
          "cycle_started",
          taskKey,
          Map.of("backend", String.valueOf(r.backend()), "auto_planned", r.autoPlanned()));
    } else {
      ex.setVariable(CampaignVars.SET_ASIDE_REASON, r.refusal());
    }
  }
}
