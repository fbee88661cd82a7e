package dev.aiflow.engine.campaign;

import dev.aiflow.campaign.CampaignSpec;
import dev.aiflow.engine.EngineVariables;
import dev.aiflow.engine.SessionRecorder;
import dev.aiflow.gitwork.GitIsolation;
import dev.aiflow.protocol.Protocol;
import dev.aiflow.protocol.StepPack;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.JavaDelegate;
import org.springframework.stereotype.Component;

/**
 * {@code Task_PrepareTaskWorkspace}: with git isolation, a fresh worktree for the task on {@code
 * aiflow/<task>} at the campaign branch's head becomes the lane's {@code taskWorkspace}; a task
 * whose last integration was refused gets the refusal as the first instruction of its pack. Without
 * git, {@code taskWorkspace} is the campaign's workspace.
 */
@Component
public class PrepareTaskWorkspaceDelegate implements JavaDelegate {

  private final CampaignSupport support;
  private final TaskWorktrees worktrees;
  private final SessionRecorder session;

  PrepareTaskWorkspaceDelegate(
      CampaignSupport support, TaskWorktrees worktrees, SessionRecorder session) {
    this.support = support;
    this.worktrees = worktrees;
    this.session = session;
  }

  @Override
  public void execute(DelegateExecution ex) {
    CampaignSpec spec = support.spec(ex, false);
    String campaignId = ex.getProcessInstanceId();
    Optional<GitIsolation> iso = worktrees.isolation(ex, spec, campaignId);
    if (iso.isEmpty()) {
      EngineVariables.setIfChanged(
          ex,
          CampaignVars.TASK_WORKSPACE,
          spec.workspace() == null ? null : spec.workspace().toString());
      EngineVariables.setIfChanged(ex, CampaignVars.TASK_BRANCH, null);
      EngineVariables.setIfChanged(ex, CampaignVars.TASK_BASE_COMMIT, null);
      return;
    }
    String taskKey = CampaignSupport.taskKey(ex);
    String branch = TaskWorktrees.campaignBranch(ex, campaignId);
    GitIsolation.TaskWorktree wt = iso.get().prepare(branch, taskKey);
    ex.setVariable(CampaignVars.TASK_WORKSPACE, wt.path().toString());
    ex.setVariable(CampaignVars.TASK_BRANCH, wt.branch());
    ex.setVariable(CampaignVars.TASK_BASE_COMMIT, wt.baseCommit());
    Optional<String> refusal =
        TaskWorktrees.lastRefusal(support.loggers().logger(spec.projectId()), taskKey);
    if (refusal.isPresent()) {
      StepPack pack =
          Protocol.parseStepPack(EngineVariables.requireJson(ex, CampaignVars.CURRENT_STEP_PACK));
      StepPack reworked =
          Protocol.validate(Protocol.Kind.STEP_PACK, TaskWorktrees.withRework(pack, refusal.get()));
      CampaignSupport.handOverStepPack(ex, Protocol.toJson(reworked));
    }
    Map<String, Object> details = new LinkedHashMap<>();
    details.put("branch", wt.branch());
    details.put("base_commit", wt.baseCommit());
    details.put("campaign_branch", branch);
    details.put("rework_after_refusal", refusal.isPresent());
    session.record(ex, "worktree_prepared", taskKey, details);
  }
}
