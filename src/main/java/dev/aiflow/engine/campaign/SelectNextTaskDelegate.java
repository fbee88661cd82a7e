package dev.aiflow.engine.campaign;

import dev.aiflow.campaign.CampaignLoop;
import dev.aiflow.engine.EngineVariables;
import dev.aiflow.engine.SessionRecorder;
import java.util.Map;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.JavaDelegate;
import org.springframework.stereotype.Component;

/** {@code Task_SelectNextTask}: the next task and its run id, or why none is runnable. */
@Component
public class SelectNextTaskDelegate implements JavaDelegate {

  private final CampaignSupport support;
  private final SessionRecorder session;

  private final TaskWorktrees worktrees;

  SelectNextTaskDelegate(
      CampaignSupport support, SessionRecorder session, TaskWorktrees worktrees) {
    this.support = support;
    this.session = session;
    this.worktrees = worktrees;
  }

  @Override
  public void execute(DelegateExecution ex) {
    int cyclesDone = CampaignSupport.counters(ex).cyclesDone();
    CampaignLoop withoutPacks = support.loopWithoutPacks(ex);
    boolean lanes = withoutPacks.spec().maxParallelTasks() > 1;
    // with a worktree per task (git isolation) the lanes share no workspace
    boolean shared =
        !lanes || worktrees.isolation(ex, withoutPacks.spec(), ex.getProcessInstanceId()).isEmpty();
    // only lanes sharing a workspace compare the tasks' allowed paths, which the packs hold: the
    // pack map is a large Json variable, read only then
    CampaignLoop loop = lanes && shared ? support.loop(ex) : withoutPacks;
    CampaignLoop.Pick pick =
        loop.select(
            CampaignSupport.owner(ex),
            ex.getProcessInstanceId(),
            cyclesDone,
            CampaignSupport.setAside(ex),
            shared);
    EngineVariables.setIfChanged(ex, CampaignVars.TASK_SELECTED, pick.selected());
    if (pick.selected()) {
      ex.setVariable(CampaignVars.CURRENT_TASK_KEY, pick.taskKey());
      ex.setVariable(CampaignVars.CURRENT_RUN_ID, pick.runId());
      ex.setVariable(CampaignVars.CYCLE_STARTED_AT, System.currentTimeMillis());
      session.record(ex, "task_selected", pick.taskKey(), Map.of("cycle", cyclesDone + 1));
    } else {
      boolean othersBusy = loop.othersBusy(CampaignSupport.owner(ex), ex.getProcessInstanceId());
      ex.setVariable(CampaignVars.OTHERS_BUSY, othersBusy);
      if (!othersBusy) {
        ex.setVariable(CampaignVars.END_DETAIL, pick.drainedDetail());
      }
    }
  }
}
