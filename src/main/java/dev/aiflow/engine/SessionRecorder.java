package dev.aiflow.engine;

import dev.aiflow.config.AiflowProperties;
import dev.aiflow.sessionlog.SessionLog;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.springframework.stereotype.Component;

/**
 * Writes controller decisions to the project's session log ({@code
 * <data-dir>/projects/<projectId>/session_log.jsonl}, docs/session-log.md) with the engine's
 * correlation. Each line carries a key made of the process instance, the activity and the caller's
 * round, so a retried job writes it once; the hash chain holds the exact record.
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
    String projectId = EngineVariables.string(ex, SharedVars.PROJECT_ID, "default");
    String campaignId = EngineVariables.string(ex, SharedVars.CAMPAIGN_ID, null);
    if (campaignId == null && SharedVars.CAMPAIGN_PROCESS.equals(processKey(ex))) {
      campaignId = ex.getProcessInstanceId();
    }
    String runId = EngineVariables.string(ex, SharedVars.RUN_ID, null);
    Map<String, String> d = new LinkedHashMap<>();
    if (details != null) {
      details.forEach((k, v) -> d.put(k, String.valueOf(v)));
    }
    d.put("activity", ex.getCurrentActivityId());
    // the same step with the same facts (a retried job) writes one line; a new round, draft or
    // cycle differs in its details and writes its own
    d.putIfAbsent(
        SessionLog.KEY,
        dev.aiflow.files.Digests.sha256(
                ex.getProcessInstanceId()
                    + "\n"
                    + kind
                    + "\n"
                    + (taskKey == null ? "" : taskKey)
                    + "\n"
                    + (runId == null ? "" : runId)
                    + "\n"
                    + EngineVariables.integer(ex, SharedVars.REWORK_ROUND, 0)
                    + "\n"
                    + new java.util.TreeMap<>(d))
            .substring(0, 24));
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
