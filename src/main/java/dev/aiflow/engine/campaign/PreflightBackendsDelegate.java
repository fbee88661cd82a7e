package dev.aiflow.engine.campaign;

import dev.aiflow.campaign.CampaignLoop;
import dev.aiflow.engine.EngineVariables;
import dev.aiflow.worker.BackendHealth;
import dev.aiflow.worker.ShimRegistry;
import java.util.List;
import java.util.stream.Collectors;
import org.camunda.bpm.engine.delegate.BpmnError;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.JavaDelegate;
import org.springframework.stereotype.Component;

/** {@code Task_PreflightBackends}: BPMN error {@value #BACKEND_UNHEALTHY} with the report. */
@Component
public class PreflightBackendsDelegate implements JavaDelegate {

  public static final String BACKEND_UNHEALTHY = "BACKEND_UNHEALTHY";

  private final CampaignSupport support;
  private final ShimRegistry shims;
  private final BackendHealth health;

  PreflightBackendsDelegate(CampaignSupport support, ShimRegistry shims, BackendHealth health) {
    this.support = support;
    this.shims = shims;
    this.health = health;
  }

  @Override
  public void execute(DelegateExecution ex) {
    CampaignLoop loop = support.loop(ex);
    if (loop.spec().skipBackendHealthCheck()) {
      ex.setVariable(CampaignVars.PREFLIGHT_SKIPPED, true);
      return;
    }
    List<BackendHealth.Problem> problems;
    try {
      problems =
          loop.preflight(
              CampaignSupport.owner(ex),
              CampaignSupport.setAside(ex),
              health,
              shims.resolve(loop.spec().workerShim()));
    } catch (IllegalArgumentException e) {
      problems = List.of(new BackendHealth.Problem(null, "UNKNOWN_SHIM", e.getMessage()));
    }
    if (!problems.isEmpty()) {
      EngineVariables.setJson(
          ex, CampaignVars.PREFLIGHT_PROBLEMS, CampaignSupport.toJson(problems));
      throw new BpmnError(
          BACKEND_UNHEALTHY,
          problems.stream().map(Object::toString).collect(Collectors.joining("; ")));
    }
  }
}
