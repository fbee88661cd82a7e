package dev.aiflow.engine.campaign;

import dev.aiflow.campaign.CampaignInputException;
import dev.aiflow.campaign.CampaignLoop;
import dev.aiflow.campaign.CampaignSpec;
import dev.aiflow.campaign.QueueOwner;
import dev.aiflow.engine.EngineVariables;
import dev.aiflow.triage.QueueFormatException;
import java.time.Clock;
import java.util.List;
import org.camunda.bpm.engine.delegate.BpmnError;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.JavaDelegate;
import org.camunda.bpm.engine.impl.cfg.TransactionState;
import org.camunda.bpm.engine.impl.context.Context;
import org.springframework.stereotype.Component;

/**
 * {@code Task_StartCampaign}: checks the inputs, fills the defaults the gateways read, takes the
 * queue and releases stale claims. Inputs it cannot use end the campaign at {@code
 * EndEvent_InvalidInput}, a queue a running campaign owns at {@code EndEvent_QueueInUse}, whoever
 * started it: a start over {@code /engine-rest} gets the same checks as one over {@code /api}.
 */
@Component
public class StartCampaignDelegate implements JavaDelegate {

  public static final String INVALID_INPUT = "INVALID_INPUT";
  public static final String QUEUE_IN_USE = "QUEUE_IN_USE";

  private final CampaignSupport support;

  StartCampaignDelegate(CampaignSupport support) {
    this.support = support;
  }

  @Override
  public void execute(DelegateExecution ex) {
    CampaignSpec spec;
    CampaignLoop loop;
    try {
      spec = support.spec(ex);
      loop = new CampaignLoop(spec, Clock.systemUTC());
      loop.queue().read(); // a queue that does not parse stops the start, naming the member
    } catch (CampaignInputException e) {
      throw invalidInput(ex, e.field(), e.getMessage());
    } catch (QueueFormatException e) {
      throw invalidInput(ex, CampaignVars.QUEUE_PATH, e.getMessage());
    } catch (IllegalArgumentException e) {
      throw invalidInput(ex, null, e.getMessage());
    }
    QueueOwner.Claim claim = support.claimQueue(ex.getProcessInstanceId(), spec);
    if (!claim.taken()) {
      ex.setVariable(CampaignVars.QUEUE_OWNER, claim.holder());
      throw new BpmnError(
          QUEUE_IN_USE,
          "the queue " + spec.queuePath() + " is owned by running campaign " + claim.holder());
    }
    // a start that does not commit (an exception in a later step of this transaction) leaves no
    // owner behind: the queue would otherwise look held by a campaign that never existed
    String self = ex.getProcessInstanceId();
    Context.getCommandContext()
        .getTransactionContext()
        .addTransactionListener(
            TransactionState.ROLLED_BACK, ctx -> new QueueOwner(spec.queuePath()).release(self));
    if (claim.takenOverFrom() != null) {
      // the record of a campaign that no longer runs: on record who held it
      ex.setVariable(CampaignVars.QUEUE_TAKEN_OVER_FROM, claim.takenOverFrom());
    }
    ex.setVariable(CampaignVars.PROGRESS_DIR, spec.effectiveProgressDir().toString());
    ex.setVariable(CampaignVars.CLAIM_OWNER, CampaignLoop.ownerOf(spec, ex.getProcessInstanceId()));
    // what Gateway_WayOut reads, present from the start (a start over engine-rest may omit them)
    ex.setVariable(CampaignVars.MAX_CYCLES, spec.maxCycles());
    ex.setVariable(CampaignVars.MAX_STAGNANT_CYCLES, spec.maxStagnantCycles());
    ex.setVariable(CampaignVars.CANCEL_REQUESTED, false);
    ex.setVariable(CampaignVars.BUDGET_EXHAUSTED, false);
    ex.setVariable(CampaignVars.WORK_LEFT, true);
    ex.setVariable(CampaignVars.BREAKER_TRIPPED, false);
    ex.setVariable(CampaignVars.BREAKER_STOPPED, false);
    ex.setVariable(CampaignVars.MAX_PARALLEL_TASKS, spec.maxParallelTasks());
    ex.setVariable(CampaignVars.ESCALATE_EXHAUSTED_REWORK, spec.escalateExhaustedRework());
    CampaignSupport.setCounters(ex, dev.aiflow.campaign.CampaignCounters.START);
    EngineVariables.setJson(ex, CampaignVars.SET_ASIDE, "{}");
    List<String> released = loop.releaseStaleClaims(support::campaignRunning);
    if (!released.isEmpty()) {
      ex.setVariable(CampaignVars.RELEASED_TASKS, String.join(",", released));
    }
  }

  private static BpmnError invalidInput(DelegateExecution ex, String field, String message) {
    // variables set before a BpmnError stay: the error is caught in this transaction
    ex.setVariable(CampaignVars.INVALID_FIELD, field);
    return new BpmnError(INVALID_INPUT, (field == null ? "" : field + ": ") + message);
  }
}
