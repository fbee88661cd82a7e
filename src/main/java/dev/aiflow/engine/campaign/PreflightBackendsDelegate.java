package dev.aiflow.engine.campaign;

import dev.aiflow.campaign.CampaignLoop;
import dev.aiflow.config.AiflowProperties;
import dev.aiflow.engine.ChainAnchors;
import dev.aiflow.engine.EngineVariables;
import dev.aiflow.engine.SessionRecorder;
import dev.aiflow.worker.BackendHealth;
import dev.aiflow.worker.SandboxCheck;
import dev.aiflow.worker.ShimRegistry;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.camunda.bpm.engine.delegate.BpmnError;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.JavaDelegate;
import org.springframework.stereotype.Component;

/**
 * {@code Task_PreflightBackends}: BPMN error {@value #BACKEND_UNHEALTHY} with the report. When the
 * agents would run without a sandbox ({@link SandboxCheck}: mode {@code none}, or bwrap missing
 * under {@code auto}) it warns, and does not refuse: {@code sandbox_warning} in the chain and the
 * session log, and {@code sandboxWarning}, which the campaign's view and the CLI's summary show.
 */
@Component
public class PreflightBackendsDelegate implements JavaDelegate {

  public static final String BACKEND_UNHEALTHY = "BACKEND_UNHEALTHY";

  private final CampaignSupport support;
  private final ShimRegistry shims;
  private final BackendHealth health;
  private final SessionRecorder session;

  PreflightBackendsDelegate(
      CampaignSupport support, ShimRegistry shims, BackendHealth health, SessionRecorder session) {
    this.support = support;
    this.shims = shims;
    this.health = health;
    this.session = session;
  }

  @Override
  public void execute(DelegateExecution ex) {
    CampaignLoop loop = support.loop(ex);
    if (loop.spec().skipBackendHealthCheck()) {
      ex.setVariable(CampaignVars.PREFLIGHT_SKIPPED, true);
      warnWithoutSandbox(ex, loop);
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
    warnWithoutSandbox(ex, loop);
    if (!problems.isEmpty()) {
      EngineVariables.setJson(
          ex, CampaignVars.PREFLIGHT_PROBLEMS, CampaignSupport.toJson(problems));
      throw new BpmnError(
          BACKEND_UNHEALTHY,
          problems.stream().map(Object::toString).collect(Collectors.joining("; ")));
    }
  }

  /**
   * The sandbox the worker will use, as {@code aiflow doctor} reports it: a warning, not a stop.
   */
  private void warnWithoutSandbox(DelegateExecution ex, CampaignLoop loop) {
    AiflowProperties.Worker.Sandbox sandbox = support.properties().worker().sandbox();
    SandboxCheck box = SandboxCheck.of(sandbox.mode(), sandbox.bwrap());
    if (box.ok()) {
      return;
    }
    Map<String, Object> fields = new LinkedHashMap<>();
    fields.put("campaign_id", ex.getProcessInstanceId());
    fields.put("code", box.code());
    fields.put("state", box.state());
    fields.put("detail", box.detail());
    ChainAnchors.anchor(
        ex,
        support
            .loggers()
            .logger(loop.spec().projectId())
            .logProjectEvent("sandbox_warning", fields));
    session.record(ex, "sandbox_warning", null, fields);
    ex.setVariable(CampaignVars.SANDBOX_WARNING, box.code() + ": " + box.detail());
  }
}
