package dev.aiflow.engine;

import dev.aiflow.config.AiflowProperties;
import dev.aiflow.engine.campaign.CampaignService;
import dev.aiflow.engine.campaign.CampaignVars;
import dev.aiflow.engine.stepcycle.StepCycleVars;
import dev.aiflow.sessionlog.SessionLog;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.springframework.stereotype.Component;

/**
 * Writes controller decisions to the project's session log ({@code
 * <data-dir>/projects/<projectId>/session_log.jsonl}, docs/session-log.md) with the engine's
 * correlation. At least once: a retried job may repeat a line; the hash chain holds the exact
 * record.
 */
@Component
public class SessionRecorder {

  public static final String FILE = "session_log.jsonl";

  private final AiflowProperties properties;

  public SessionRecorder(AiflowProperties properties) {
    this.properties = properties;
  }

  public Path file(String projectId) {
    return properties.projectDir(projectId).resolve(FILE);
  }

  public SessionLog log(String projectId) {
    return new SessionLog(file(projectId));
  }

  /** Records {@code kind} for the execution's project, campaign, task and run. */
  public void record(DelegateExecution ex, String kind, String taskKey, Map<String, ?> details) {
    String projectId = EngineVariables.string(ex, StepCycleVars.PROJECT_ID, "default");
    String campaignId = EngineVariables.string(ex, StepCycleVars.CAMPAIGN_ID, null);
    if (campaignId == null && CampaignService.PROCESS_KEY.equals(processKey(ex))) {
      campaignId = ex.getProcessInstanceId();
    }
    String runId = EngineVariables.string(ex, StepCycleVars.RUN_ID, null);
    if (runId == null) {
      runId = EngineVariables.string(ex, CampaignVars.CURRENT_RUN_ID, null);
    }
    Map<String, String> d = new LinkedHashMap<>();
    if (details != null) {
      details.forEach((k, v) -> d.put(k, String.valueOf(v)));
    }
    d.put("activity", ex.getCurrentActivityId());
    log(projectId)
        .append(
            new SessionLog.Entry(
                kind, projectId, campaignId, ex.getProcessInstanceId(), taskKey, runId, d));
  }

  private static String processKey(DelegateExecution ex) {
    String def = ex.getProcessDefinitionId();
    return def == null ? null : def.split(":")[0];
  }
}
