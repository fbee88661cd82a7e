package dev.aiflow.engine.stepcycle;

import dev.aiflow.engine.EngineVariables;
import dev.aiflow.engine.SessionRecorder;
import dev.aiflow.engine.campaign.CampaignSupport;
import dev.aiflow.logger.ChainEvent;
import dev.aiflow.negotiation.ContractGuard;
import dev.aiflow.negotiation.SnapshotException;
import dev.aiflow.negotiation.Snapshots;
import dev.aiflow.protocol.StepPack;
import dev.aiflow.recovery.Checkpoint;
import dev.aiflow.recovery.CheckpointStore;
import dev.aiflow.recovery.RollbackReport;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.camunda.bpm.engine.delegate.BpmnError;
import org.camunda.bpm.engine.delegate.JavaDelegate;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The guard and recovery steps of {@code step-cycle.bpmn}: {@code Task_CheckContractGuard}, {@code
 * Task_RecordGuardBlock}, {@code Task_CreateCheckpoint}, {@code Task_RollbackWorkspace}. Rules live
 * in {@code dev.aiflow.negotiation} and {@code dev.aiflow.recovery}.
 */
@Configuration(proxyBeanMethods = false)
public class GuardDelegates {

  public static final String CONTRACT_VIOLATION = "CONTRACT_VIOLATION";

  /** Passes when no snapshots are set; else BPMN error {@value #CONTRACT_VIOLATION}. */
  @Bean
  JavaDelegate checkContractGuardDelegate(StepCycleSupport support, SessionRecorder session) {
    return ex -> {
      String plan = EngineVariables.string(ex, StepCycleVars.PLAN_SNAPSHOT_PATH, null);
      String boundary = EngineVariables.string(ex, StepCycleVars.BOUNDARY_SNAPSHOT_PATH, null);
      if (plan == null && boundary == null) {
        return;
      }
      StepPack pack = support.stepPack(ex);
      List<ContractGuard.Finding> findings;
      try {
        if (plan == null || boundary == null) {
          throw new SnapshotException(
              Path.of(
                  plan == null
                      ? StepCycleVars.PLAN_SNAPSHOT_PATH
                      : StepCycleVars.BOUNDARY_SNAPSHOT_PATH),
              "",
              "SNAPSHOT_MISSING",
              "the guard needs both planSnapshotPath and boundarySnapshotPath");
        }
        Path planFile = inside(support, plan, StepCycleVars.PLAN_SNAPSHOT_PATH);
        Path boundaryFile = inside(support, boundary, StepCycleVars.BOUNDARY_SNAPSHOT_PATH);
        Snapshots.Plan frozen = Snapshots.readPlan(planFile);
        findings = ContractGuard.check(pack, frozen, Snapshots.readBoundary(boundaryFile));
        if (findings.isEmpty() && ex.getVariable(StepCycleVars.REQUIREMENTS_SHA256) == null) {
          // the attempts record the spec they ran under, also outside a campaign
          ex.setVariable(StepCycleVars.REQUIREMENTS_SHA256, frozen.requirementsSha256());
        }
      } catch (SnapshotException e) {
        findings = List.of(new ContractGuard.Finding("GUARD_" + e.code(), "", e.getMessage()));
      } catch (dev.aiflow.files.PathRefusedException e) {
        findings =
            List.of(
                new ContractGuard.Finding(
                    "GUARD_SNAPSHOT_REFUSED", "", e.field() + ": " + e.getMessage()));
      }
      if (!findings.isEmpty()) {
        EngineVariables.setJson(
            ex,
            StepCycleVars.GUARD_FINDINGS,
            CampaignSupport.toJson(findings.stream().map(GuardDelegates::finding).toList()));
        ex.setVariable(StepCycleVars.QA_REASON_CODE, findings.get(0).code());
        session.record(
            ex,
            "guard_blocked",
            pack.taskId(),
            Map.of("code", findings.get(0).code(), "findings", findings.size()));
        throw new BpmnError(
            CONTRACT_VIOLATION,
            findings.stream().map(Object::toString).collect(Collectors.joining("; ")));
      }
    };
  }

  /** {@code Task_RecordGuardBlock}: outcome {@code blocked}, recorded like a rejection. */
  @Bean
  JavaDelegate recordGuardBlockDelegate(StepCycleSupport support) {
    return ex -> FinalizeDelegates.finish(support, ex, "blocked", "rejected");
  }

  /** With {@code autoCheckpoint}: a checkpoint of the pack's allowed paths. */
  @Bean
  JavaDelegate createCheckpointDelegate(StepCycleSupport support, SessionRecorder session) {
    return ex -> {
      if (!EngineVariables.bool(ex, StepCycleVars.AUTO_CHECKPOINT, false)
          || ex.getVariable(StepCycleVars.CHECKPOINT_ID) != null) {
        return; // off, or taken already (a retried job)
      }
      StepPack pack = support.stepPack(ex);
      Checkpoint cp =
          new CheckpointStore(support.properties().checkpointRoot())
              .create(
                  pack.taskId(),
                  pack.runId(),
                  support.workspace(ex),
                  List.of(),
                  pack.allowedPaths(),
                  Instant.now());
      ex.setVariable(StepCycleVars.CHECKPOINT_ID, cp.id());
      Map<String, Object> fields = new LinkedHashMap<>();
      fields.put("checkpoint_id", cp.id());
      fields.put("files", cp.entries().size());
      fields.put("patterns", String.join(",", cp.patterns()));
      fields.put("process_instance_id", ex.getProcessInstanceId());
      support
          .logger(ex)
          .logTaskEvent(pack.taskId(), "checkpoint_created", fields, "checkpoint:" + cp.id());
      session.record(ex, "checkpoint_created", pack.taskId(), fields);
    };
  }

  /** With {@code rollbackOnFail} and a checkpoint: restore it, and say so in the chain. */
  @Bean
  JavaDelegate rollbackWorkspaceDelegate(StepCycleSupport support, SessionRecorder session) {
    return ex -> {
      String id = EngineVariables.string(ex, StepCycleVars.CHECKPOINT_ID, null);
      if (!EngineVariables.bool(ex, StepCycleVars.ROLLBACK_ON_FAIL, false) || id == null) {
        return;
      }
      String taskId = support.stepPack(ex).taskId();
      RollbackReport r = new CheckpointStore(support.properties().checkpointRoot()).rollback(id);
      Map<String, Object> fields = new LinkedHashMap<>();
      fields.put("checkpoint_id", id);
      fields.put("restored", String.join(",", r.restored()));
      fields.put("deleted", String.join(",", r.deleted()));
      fields.put("unchanged", r.unchanged().size());
      fields.put("process_instance_id", ex.getProcessInstanceId());
      ChainEvent e = support.logger(ex).logTaskEvent(taskId, "rollback", fields, "rollback:" + id);
      ex.setVariable(
          StepCycleVars.ROLLBACK_SUMMARY,
          r.restored().size()
              + " restored, "
              + r.deleted().size()
              + " deleted ("
              + e.eventHash()
              + ")");
      session.record(ex, "rollback", taskId, fields);
    };
  }

  private static Path inside(StepCycleSupport support, String path, String variable) {
    if (!java.nio.file.Files.exists(Path.of(path))) {
      throw new SnapshotException(Path.of(path), "", "SNAPSHOT_MISSING", "no such file");
    }
    return support
        .properties()
        .pathPolicy()
        .existingFile(variable, path, dev.aiflow.files.PathPolicy.DEFAULT_MAX_DOCUMENT_BYTES);
  }

  private static Map<String, String> finding(ContractGuard.Finding f) {
    Map<String, String> m = new LinkedHashMap<>();
    m.put("code", f.code());
    m.put("pointer", f.pointer());
    m.put("message", f.message());
    return m;
  }
}
