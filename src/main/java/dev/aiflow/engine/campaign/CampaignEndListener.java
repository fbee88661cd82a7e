package dev.aiflow.engine.campaign;

import dev.aiflow.campaign.CampaignCounters;
import dev.aiflow.campaign.CampaignLoop;
import dev.aiflow.campaign.CampaignLoop.EndReason;
import dev.aiflow.campaign.QueueOwner;
import dev.aiflow.engine.EngineVariables;
import dev.aiflow.engine.SessionRecorder;
import dev.aiflow.ids.Ids;
import dev.aiflow.transparency.Transparency;
import dev.aiflow.triage.QueueCounts;
import java.nio.file.Path;
import java.util.Map;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.ExecutionListener;
import org.camunda.bpm.model.bpmn.instance.BaseElement;
import org.camunda.bpm.model.bpmn.instance.camunda.CamundaProperties;
import org.camunda.bpm.model.bpmn.instance.camunda.CamundaProperty;
import org.springframework.stereotype.Component;

/**
 * The end listener of every end event of {@code campaign.bpmn}: records {@code endReason} from the
 * end event's {@code endReason} property (a modeler sees and edits it there), with {@code
 * endDetail}; for a campaign that ran, the final counts and summary and {@code campaign_finished};
 * gives the queue up; and, once the chain holds the campaign's events, signs a checkpoint of it.
 */
@Component
public class CampaignEndListener implements ExecutionListener {

  public static final String PROPERTY = "endReason";

  private final CampaignSupport support;
  private final SessionRecorder session;
  private final Transparency transparency;
  private final TaskWorktrees worktrees;

  CampaignEndListener(
      CampaignSupport support,
      SessionRecorder session,
      Transparency transparency,
      TaskWorktrees worktrees) {
    this.support = support;
    this.session = session;
    this.transparency = transparency;
    this.worktrees = worktrees;
  }

  @Override
  public void notify(DelegateExecution ex) {
    String property = property(ex.getBpmnModelElementInstance());
    EndReason reason =
        EndReason.of(property)
            .orElseThrow(
                () ->
                    new IllegalStateException(
                        ex.getCurrentActivityId()
                            + " has no known endReason property: "
                            + property));
    ex.setVariable(CampaignVars.END_REASON, reason.json());
    CampaignCounters counters = CampaignSupport.counters(ex);
    String detail = detail(ex, reason, counters);
    if (detail != null) {
      ex.setVariable(CampaignVars.END_DETAIL, detail);
    } else if (ex.getVariable(CampaignVars.END_DETAIL) == null) {
      ex.setVariable(CampaignVars.END_DETAIL, reason.json());
    }
    String queuePath = EngineVariables.string(ex, CampaignVars.QUEUE_PATH, null);
    if (reason == EndReason.INVALID_INPUT || reason == EndReason.QUEUE_IN_USE) {
      return; // it never took the queue: nothing there or in the chain is this campaign's
    }
    String projectId = EngineVariables.string(ex, CampaignVars.PROJECT_ID, "default");
    if (reason != EndReason.EXECUTION_BLOCKED) {
      CampaignLoop loop = support.loopWithoutPacks(ex);
      QueueCounts counts = loop.finish();
      CampaignSupport.setCounts(ex, counts);
      ex.setVariable(CampaignVars.ALL_COMPLETED, CampaignLoop.allCompleted(counts));
      session.record(
          ex,
          "campaign_finished",
          null,
          Map.of("end_reason", reason.json(), "cycles", counters.cyclesDone()));
    }
    new QueueOwner(Path.of(queuePath)).release(ex.getProcessInstanceId());
    if (Ids.isValid(projectId)) {
      worktrees.removeEmptyRoot(projectId, ex.getProcessInstanceId());
      // outsiders holding the verifier key can check the whole campaign offline
      transparency.issue(projectId);
    }
  }

  static String detail(DelegateExecution ex, EndReason reason, CampaignCounters c) {
    return switch (reason) {
      case CANCELLED ->
          "cancelled by "
              + EngineVariables.string(ex, CampaignVars.CANCEL_REQUESTED_BY, "system")
              + " after "
              + c.cyclesDone()
              + " cycle(s)";
      case MAX_CYCLES ->
          "stopped at the limit of "
              + EngineVariables.integer(ex, CampaignVars.MAX_CYCLES, 0)
              + " cycle(s)";
      case STAGNATED ->
          c.stagnantCycles()
              + " cycle(s) in a row completed no task (limit "
              + EngineVariables.integer(ex, CampaignVars.MAX_STAGNANT_CYCLES, 0)
              + ")";
      case BUDGET_EXHAUSTED ->
          String.format(
              java.util.Locale.ROOT,
              "spent %d token(s), %.4f USD (limits: %s tokens, %s USD)",
              c.tokens(),
              c.costUsd(),
              String.valueOf(ex.getVariable(CampaignVars.CAMPAIGN_MAX_TOKENS)),
              String.valueOf(ex.getVariable(CampaignVars.CAMPAIGN_MAX_COST_USD)));
      case BREAKER_STOPPED ->
          "stopped by "
              + EngineVariables.string(ex, CampaignVars.BREAKER_DECIDED_BY, "system")
              + " after "
              + EngineVariables.integer(ex, CampaignVars.BREAKER_STREAK, 0)
              + " task(s) in a row failed with "
              + EngineVariables.string(ex, CampaignVars.BREAKER_OUTCOME, "?")
              + ": "
              + EngineVariables.string(ex, CampaignVars.BREAKER_REASON, "");
      // these bring their own: the drained selection, the refusals, the preflight report
      default -> null;
    };
  }

  private static String property(BaseElement element) {
    if (element == null || element.getExtensionElements() == null) {
      return null;
    }
    for (CamundaProperties props :
        element
            .getExtensionElements()
            .getElementsQuery()
            .filterByType(CamundaProperties.class)
            .list()) {
      for (CamundaProperty p : props.getCamundaProperties()) {
        if (PROPERTY.equals(p.getCamundaName())) {
          return p.getCamundaValue();
        }
      }
    }
    return null;
  }
}
