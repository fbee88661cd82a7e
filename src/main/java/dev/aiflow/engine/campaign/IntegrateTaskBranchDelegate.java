package dev.aiflow.engine.campaign;

import com.fasterxml.jackson.databind.JsonNode;
import dev.aiflow.campaign.CampaignSpec;
import dev.aiflow.engine.ChainAnchors;
import dev.aiflow.engine.EngineVariables;
import dev.aiflow.engine.SessionRecorder;
import dev.aiflow.gitwork.GitIsolation;
import dev.aiflow.gitwork.GitWorkException;
import dev.aiflow.logger.ChainEvent;
import dev.aiflow.logger.WorkflowLogger;
import dev.aiflow.protocol.StepPack;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.JavaDelegate;
import org.springframework.stereotype.Component;

/**
 * {@code Task_IntegrateTaskBranch} (its own job), after the step cycle: with git isolation, a
 * completed cycle's change is committed on {@code aiflow/<task>} and integrated into the campaign
 * branch; a conflict or a merged tree that fails re-verification turns the cycle into a failed one
 * (reason {@code INTEGRATION_CONFLICT} or {@code INTEGRATION_VERIFY_FAILED}, the finding naming the
 * files), so {@code Task_FinalizeQueue} requeues the task for a run from the campaign branch's head
 * while it has attempts left. The worktree is removed, a failed one kept when {@code
 * keepFailedWorktrees}. Without git isolation it does nothing.
 */
@Component
public class IntegrateTaskBranchDelegate implements JavaDelegate {

  private final CampaignSupport support;
  private final TaskWorktrees worktrees;
  private final SessionRecorder session;

  IntegrateTaskBranchDelegate(
      CampaignSupport support, TaskWorktrees worktrees, SessionRecorder session) {
    this.support = support;
    this.worktrees = worktrees;
    this.session = session;
  }

  @Override
  public void execute(DelegateExecution ex) {
    String taskBranch = EngineVariables.string(ex, CampaignVars.TASK_BRANCH, null);
    if (taskBranch == null) {
      return;
    }
    CampaignSpec spec = support.spec(ex, false);
    String campaignId = ex.getProcessInstanceId();
    GitIsolation iso =
        worktrees
            .isolation(ex, spec, campaignId)
            .orElseThrow(
                () ->
                    new GitWorkException(
                        "NOT_A_REPOSITORY",
                        "the workspace of campaign "
                            + campaignId
                            + " is no git repository any more"));
    String taskKey = CampaignSupport.taskKey(ex);
    String runId = CampaignSupport.runId(ex);
    GitIsolation.TaskWorktree wt =
        new GitIsolation.TaskWorktree(
            taskKey,
            Path.of(EngineVariables.string(ex, CampaignVars.TASK_WORKSPACE, null)),
            taskBranch,
            EngineVariables.string(ex, CampaignVars.TASK_BASE_COMMIT, null));
    boolean completed =
        "completed".equals(EngineVariables.string(ex, CampaignVars.CYCLE_OUTCOME, null));
    boolean keep = EngineVariables.bool(ex, CampaignVars.KEEP_FAILED_WORKTREES, false);
    if (!completed) {
      ex.setVariable(CampaignVars.INTEGRATION_STATUS, "not_integrated");
      iso.remove(wt, !keep);
      return;
    }
    WorkflowLogger log = support.loggers().logger(spec.projectId());
    Optional<ChainEvent> done = TaskWorktrees.integrationOf(log, taskKey, runId);
    if (done.isPresent()) {
      // a retried job: the chain already has this run's integration; repeat its result
      JsonNode finding = readTree(done.get().json()).findValue("finding");
      boolean refused = finding != null && !finding.isNull();
      ex.setVariable(
          CampaignVars.INTEGRATION_STATUS,
          done.get().eventType().equals(TaskWorktrees.CONFLICT)
              ? "conflict"
              : refused ? "verify_failed" : "integrated");
      ChainAnchors.anchor(ex, done.get());
      if (refused) {
        String code = finding.asText().split(":", 2)[0];
        ex.setVariable(CampaignVars.INTEGRATION_FINDING, finding.asText());
        ex.setVariable(CampaignVars.CYCLE_OUTCOME, "failed");
        ex.setVariable(CampaignVars.CYCLE_QA_VERDICT, "FAIL");
        ex.setVariable(CampaignVars.CYCLE_QA_REASON_CODE, code);
      }
      if (java.nio.file.Files.exists(wt.path())) {
        iso.remove(wt, !refused || !keep);
      }
      return;
    }
    String branch = TaskWorktrees.campaignBranch(ex, campaignId);
    GitIsolation.Mode mode = TaskWorktrees.mode(ex);
    StepPack pack = CampaignSupport.packTheCycleRan(ex, support.loop(ex), taskKey, runId);
    GitIsolation.Integration in =
        iso.integrate(
            wt,
            branch,
            mode,
            "aiflow: " + taskKey + " (run " + runId + ")\n\n" + pack.title(),
            null,
            worktrees.reVerifier(
                pack, runId, EngineVariables.string(ex, CampaignVars.CURRENT_BACKEND, null)));
    Map<String, Object> fields = new LinkedHashMap<>();
    fields.put("campaign_id", campaignId);
    fields.put("run_id", runId);
    fields.put("campaign_branch", branch);
    fields.put("task_branch", taskBranch);
    fields.put("base_commit", wt.baseCommit());
    fields.put("task_commit", in.taskCommit());
    fields.put("campaign_head", in.commit());
    fields.put("mode", mode.name().toLowerCase(java.util.Locale.ROOT).replace('_', '-'));
    fields.put("files", in.files());
    ex.setVariable(
        CampaignVars.INTEGRATION_STATUS, in.status().name().toLowerCase(java.util.Locale.ROOT));
    String type;
    if (in.accepted()) {
      type = TaskWorktrees.ACCEPTED;
      fields.put("fast_forward", in.fastForward());
      fields.put("reverified", in.reverified());
      ex.setVariable(CampaignVars.INTEGRATION_FINDING, null);
    } else {
      type =
          in.status() == GitIsolation.Status.CONFLICT
              ? TaskWorktrees.CONFLICT
              : TaskWorktrees.VERIFY_FAILED;
      String code =
          in.status() == GitIsolation.Status.CONFLICT
              ? "INTEGRATION_CONFLICT"
              : "INTEGRATION_VERIFY_FAILED";
      String finding = code + ": " + in.detail();
      fields.put("finding", finding);
      ex.setVariable(CampaignVars.INTEGRATION_FINDING, finding);
      // the cycle passed in its worktree but is not accepted: the queue takes it as a failure
      ex.setVariable(CampaignVars.CYCLE_OUTCOME, "failed");
      ex.setVariable(CampaignVars.CYCLE_QA_VERDICT, "FAIL");
      ex.setVariable(CampaignVars.CYCLE_QA_REASON_CODE, code);
    }
    ChainEvent e = log.logTaskEvent(taskKey, type, fields, "integration:" + runId);
    ChainAnchors.anchor(ex, e);
    iso.remove(wt, in.accepted() || !keep);
    session.record(ex, type, taskKey, sessionDetails(fields));
  }

  private static JsonNode readTree(String json) {
    try {
      return new com.fasterxml.jackson.databind.ObjectMapper().readTree(json);
    } catch (java.io.IOException e) {
      throw new IllegalStateException("a chain event that is not JSON", e);
    }
  }

  private static Map<String, Object> sessionDetails(Map<String, Object> fields) {
    Map<String, Object> out = new LinkedHashMap<>(fields);
    Object files = out.get("files");
    if (files instanceof List<?> l) {
      out.put("files", String.join(",", l.stream().map(String::valueOf).toList()));
    }
    out.values().removeIf(java.util.Objects::isNull);
    return out;
  }
}
