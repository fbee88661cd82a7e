package dev.aiflow.engine.stepcycle;

import dev.aiflow.engine.EngineVariables;
import dev.aiflow.files.PathPolicy;
import dev.aiflow.files.PathRefusedException;
import dev.aiflow.negotiation.ContractGuard;
import dev.aiflow.negotiation.SnapshotException;
import dev.aiflow.negotiation.Snapshots;
import dev.aiflow.protocol.StepPack;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.camunda.bpm.engine.delegate.BpmnError;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.JavaDelegate;
import org.springframework.stereotype.Component;

/**
 * {@code Task_CheckContractGuard}: with snapshots, the pack must conform to the frozen plan and
 * boundary ({@link ContractGuard}); a violation is BPMN error {@value #CONTRACT_VIOLATION}. Passes
 * through when the cycle names no snapshots.
 */
@Component
public class CheckContractGuardDelegate implements JavaDelegate {

  public static final String CONTRACT_VIOLATION = "CONTRACT_VIOLATION";

  private final StepCycleSupport support;

  public CheckContractGuardDelegate(StepCycleSupport support) {
    this.support = support;
  }

  @Override
  public void execute(DelegateExecution ex) {
    String plan = EngineVariables.string(ex, StepCycleVars.PLAN_SNAPSHOT_PATH, null);
    String boundary = EngineVariables.string(ex, StepCycleVars.BOUNDARY_SNAPSHOT_PATH, null);
    if (!ContractGuard.applies(plan != null, boundary != null)) {
      return;
    }
    StepPack pack = support.stepPack(ex);
    List<ContractGuard.Finding> findings;
    try {
      ContractGuard.requireBothSnapshots(plan != null, boundary != null);
      Snapshots.Plan frozen = Snapshots.readPlan(snapshot(plan, StepCycleVars.PLAN_SNAPSHOT_PATH));
      findings =
          ContractGuard.check(
              pack,
              frozen,
              Snapshots.readBoundary(snapshot(boundary, StepCycleVars.BOUNDARY_SNAPSHOT_PATH)));
      if (findings.isEmpty() && ex.getVariable(StepCycleVars.REQUIREMENTS_SHA256) == null) {
        // the attempts record the spec they ran under, also outside a campaign
        ex.setVariable(StepCycleVars.REQUIREMENTS_SHA256, frozen.requirementsSha256());
      }
    } catch (SnapshotException e) {
      findings = List.of(new ContractGuard.Finding("GUARD_" + e.code(), "", e.getMessage()));
    } catch (PathRefusedException e) {
      findings =
          List.of(
              new ContractGuard.Finding(
                  "GUARD_SNAPSHOT_REFUSED", "", e.field() + ": " + e.getMessage()));
    }
    if (findings.isEmpty()) {
      return;
    }
    EngineVariables.setJson(
        ex,
        StepCycleVars.GUARD_FINDINGS,
        EngineVariables.toJson(
            findings.stream().map(CheckContractGuardDelegate::finding).toList()));
    ex.setVariable(StepCycleVars.QA_REASON_CODE, findings.get(0).code());
    support.session(
        ex, "guard_blocked", Map.of("code", findings.get(0).code(), "findings", findings.size()));
    throw new BpmnError(
        CONTRACT_VIOLATION,
        findings.stream().map(Object::toString).collect(Collectors.joining("; ")));
  }

  private Path snapshot(String path, String variable) {
    if (!Files.exists(Path.of(path))) {
      throw new SnapshotException(Path.of(path), "", "SNAPSHOT_MISSING", "no such file");
    }
    return support
        .properties()
        .pathPolicy()
        .existingFile(variable, path, PathPolicy.DEFAULT_MAX_DOCUMENT_BYTES);
  }

  private static Map<String, String> finding(ContractGuard.Finding f) {
    Map<String, String> m = new LinkedHashMap<>();
    m.put("code", f.code());
    m.put("pointer", f.pointer());
    m.put("message", f.message());
    return m;
  }
}
