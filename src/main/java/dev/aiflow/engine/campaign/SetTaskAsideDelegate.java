package dev.aiflow.engine.campaign;

import dev.aiflow.engine.EngineVariables;
import dev.aiflow.engine.SessionRecorder;
import java.util.LinkedHashMap;
import java.util.Map;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.JavaDelegate;
import org.springframework.stereotype.Component;

/** {@code Task_SetTaskAside}: the policy passes over the task from now on. */
@Component
public class SetTaskAsideDelegate implements JavaDelegate {

  private final CampaignSupport support;
  private final SessionRecorder session;

  SetTaskAsideDelegate(CampaignSupport support, SessionRecorder session) {
    this.support = support;
    this.session = session;
  }

  @Override
  public void execute(DelegateExecution ex) {
    String taskKey = CampaignSupport.taskKey(ex);
    Map<String, String> aside = new LinkedHashMap<>(CampaignSupport.setAside(ex));
    String reason = EngineVariables.string(ex, CampaignVars.SET_ASIDE_REASON, "no pack");
    aside.put(taskKey, reason);
    session.record(ex, "task_set_aside", taskKey, Map.of("reason", reason));
    EngineVariables.setJson(ex, CampaignVars.SET_ASIDE, CampaignSupport.toJson(aside));
    support.loopWithoutPacks(ex).setAside(taskKey, CampaignSupport.runId(ex));
  }
}
