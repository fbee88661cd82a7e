package dev.aiflow.engine.stepcycle;

import dev.aiflow.attempts.AttemptLogging;
import dev.aiflow.engine.ChainAnchors;
import dev.aiflow.engine.EngineVariables;
import dev.aiflow.json.StrictJson;
import dev.aiflow.worker.AgentUsage;
import java.util.LinkedHashMap;
import java.util.Map;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.JavaDelegate;
import org.springframework.stereotype.Component;

/**
 * {@code Task_LogAttempt} (async-before): one attempt per dispatch, with the run's tokens, cost and
 * turns, keyed by the dispatch's external task id, so a retried job or a re-delivered task never
 * writes a second one. The hash goes into variables, and so into Camunda's history.
 */
@Component
public class LogAttemptDelegate implements JavaDelegate {

  private final StepCycleSupport support;

  public LogAttemptDelegate(StepCycleSupport support) {
    this.support = support;
  }

  @Override
  public void execute(DelegateExecution ex) {
    String externalTaskId =
        EngineVariables.string(ex, StepCycleVars.DISPATCH_EXTERNAL_TASK_ID, null);
    String usageJson = EngineVariables.json(ex, StepCycleVars.DISPATCH_USAGE);
    AgentUsage usage =
        usageJson == null
            ? AgentUsage.UNKNOWN
            : AgentUsage.fromTree(StrictJson.readTree(usageJson));
    AttemptLogging.LoggedAttempt logged =
        AttemptLogging.logDispatch(
            support.logger(ex),
            support.currentSpec(ex),
            support.stepResult(ex),
            EngineVariables.string(ex, StepCycleVars.DISPATCH_OUTCOME, "OK"),
            EngineVariables.string(ex, StepCycleVars.DISPATCH_BACKEND, null),
            EngineVariables.string(ex, StepCycleVars.DISPATCH_EVIDENCE_DIR, null),
            EngineVariables.integer(ex, StepCycleVars.DISPATCH_ELAPSED_MS, 0),
            usage,
            StepCycleSupport.dispatchCorrelation(ex),
            externalTaskId == null ? null : "dispatch:" + externalTaskId,
            context(ex));
    ex.setVariable(StepCycleVars.ATTEMPT_EVENT_HASH, logged.event().eventHash());
    ChainAnchors.anchor(ex, logged.event());
    support.session(
        ex,
        "dispatch",
        Map.of(
            "outcome",
            EngineVariables.string(ex, StepCycleVars.DISPATCH_OUTCOME, "OK"),
            "attempt_event_hash",
            logged.event().eventHash()));
  }

  /** Facts recorded with the attempt: the frozen requirements it ran under, among others. */
  private static Map<String, String> context(DelegateExecution ex) {
    Map<String, String> c = new LinkedHashMap<>();
    c.put("source", "engine");
    c.put(
        "pack_kind",
        EngineVariables.integer(ex, StepCycleVars.REWORK_ROUND, 0) > 0
            ? StepCycleVars.PACK_KIND_REWORK
            : StepCycleVars.PACK_KIND_STEP);
    String sha = EngineVariables.string(ex, StepCycleVars.REQUIREMENTS_SHA256, null);
    if (sha != null) {
      c.put("requirements_sha256", sha);
    }
    return c;
  }
}
