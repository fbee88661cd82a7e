package dev.aiflow.engine.campaign;

import dev.aiflow.campaign.CampaignLoop;
import dev.aiflow.campaign.CampaignSpec;
import dev.aiflow.engine.EngineVariables;
import dev.aiflow.engine.SessionRecorder;
import dev.aiflow.logger.WorkflowLogger;
import dev.aiflow.negotiation.FreezeStatus;
import dev.aiflow.negotiation.FreezeStore;
import dev.aiflow.scoreboard.CycleReport;
import dev.aiflow.triage.QueueCounts;
import dev.aiflow.worker.BackendHealth;
import dev.aiflow.worker.ShimRegistry;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.camunda.bpm.engine.delegate.BpmnError;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.JavaDelegate;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The service tasks of {@code campaign.bpmn}. Each reads its variables, calls {@link CampaignLoop}
 * and writes variables back; the rules live in {@code dev.aiflow.campaign} and {@code
 * dev.aiflow.triage}.
 */
@Configuration(proxyBeanMethods = false)
public class CampaignDelegates {

  public static final String BACKEND_UNHEALTHY = "BACKEND_UNHEALTHY";
  public static final String EXECUTION_BLOCKED = "EXECUTION_BLOCKED";
  public static final String INVALID_INPUT = "INVALID_INPUT";

  /**
   * {@code Task_StartCampaign}: check the inputs, fill defaults, release stale claims. Inputs it
   * cannot use end the campaign at {@code EndEvent_InvalidInput} (BPMN error {@value
   * #INVALID_INPUT}), whoever started it: a start over {@code /engine-rest} gets the same checks as
   * one over {@code /api}, and no exception escapes to the caller.
   */
  @Bean
  JavaDelegate startCampaignDelegate(CampaignSupport support) {
    return ex -> {
      CampaignSpec spec;
      CampaignLoop loop;
      try {
        spec = support.spec(ex);
        loop = new CampaignLoop(spec, java.time.Clock.systemUTC());
        loop.queue().read(); // a queue that does not parse stops the start, naming the member
      } catch (dev.aiflow.campaign.CampaignInputException e) {
        throw invalidInput(ex, e.field(), e.getMessage());
      } catch (dev.aiflow.triage.QueueFormatException e) {
        throw invalidInput(ex, CampaignVars.QUEUE_PATH, e.getMessage());
      } catch (IllegalArgumentException e) {
        throw invalidInput(ex, null, e.getMessage());
      }
      ex.setVariable(CampaignVars.PROGRESS_DIR, spec.effectiveProgressDir().toString());
      ex.setVariable(
          CampaignVars.CLAIM_OWNER, CampaignLoop.ownerOf(spec, ex.getProcessInstanceId()));
      ex.setVariable(CampaignVars.CYCLES_DONE, 0);
      ex.setVariable(CampaignVars.STAGNANT_CYCLES, 0);
      ex.setVariable(CampaignVars.CANCEL_REQUESTED, false);
      EngineVariables.setJson(ex, CampaignVars.SET_ASIDE, "{}");
      var runtime = ex.getProcessEngineServices().getRuntimeService();
      List<String> released =
          loop.releaseStaleClaims(
              id -> runtime.createProcessInstanceQuery().processInstanceId(id).count() > 0);
      if (!released.isEmpty()) {
        ex.setVariable(CampaignVars.RELEASED_TASKS, String.join(",", released));
      }
    };
  }

  private static BpmnError invalidInput(DelegateExecution ex, String field, String message) {
    // variables set before a BpmnError stay: the error is caught in this transaction
    ex.setVariable(CampaignVars.END_REASON, CampaignLoop.EndReason.INVALID_INPUT.json());
    ex.setVariable(CampaignVars.INVALID_FIELD, field);
    return new BpmnError(INVALID_INPUT, (field == null ? "" : field + ": ") + message);
  }

  /** {@code Task_PreflightBackends}: BPMN error {@value #BACKEND_UNHEALTHY} with the report. */
  @Bean
  JavaDelegate preflightBackendsDelegate(
      CampaignSupport support, ShimRegistry shims, BackendHealth health) {
    return ex -> {
      CampaignLoop loop = support.loop(ex);
      if (loop.spec().skipBackendHealthCheck()) {
        ex.setVariable(CampaignVars.PREFLIGHT_SKIPPED, true);
        return;
      }
      List<BackendHealth.Problem> problems;
      try {
        problems =
            loop.preflight(
                owner(ex),
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
    };
  }

  /** {@code Task_RecordPreflightFailure}. */
  @Bean
  JavaDelegate recordPreflightFailureDelegate(CampaignSupport support) {
    return ex -> {
      ex.setVariable(CampaignVars.END_REASON, CampaignLoop.EndReason.PREFLIGHT_FAILED.json());
      ex.setVariable(
          CampaignVars.END_DETAIL,
          "backend preflight failed: " + EngineVariables.json(ex, CampaignVars.PREFLIGHT_PROBLEMS));
      finish(support.loopWithoutPacks(ex), ex);
    };
  }

  /** {@code Task_SelectNextTask}: a task and its run id, or the reason to end. */
  @Bean
  JavaDelegate selectNextTaskDelegate(CampaignSupport support, SessionRecorder session) {
    return ex -> {
      CampaignLoop.Pick pick =
          support
              .loopWithoutPacks(ex)
              .select(
                  owner(ex),
                  ex.getProcessInstanceId(),
                  EngineVariables.integer(ex, CampaignVars.CYCLES_DONE, 0),
                  EngineVariables.integer(ex, CampaignVars.STAGNANT_CYCLES, 0),
                  EngineVariables.bool(ex, CampaignVars.CANCEL_REQUESTED, false),
                  CampaignSupport.setAside(ex));
      ex.setVariable(CampaignVars.TASK_SELECTED, pick.selected());
      if (pick.selected()) {
        ex.setVariable(CampaignVars.CURRENT_TASK_KEY, pick.taskKey());
        ex.setVariable(CampaignVars.CURRENT_RUN_ID, pick.runId());
        ex.setVariable(CampaignVars.CYCLE_STARTED_AT, System.currentTimeMillis());
        session.record(ex, "task_selected", pick.taskKey(), Map.of("cycle", cyclesDone(ex) + 1));
      } else {
        ex.setVariable(CampaignVars.END_REASON, pick.endReason().json());
        ex.setVariable(CampaignVars.END_DETAIL, pick.endDetail());
      }
    };
  }

  /** {@code Task_ResolveStepPack}: the pack (mapped or auto-planned), its backend, the claim. */
  @Bean
  JavaDelegate resolveStepPackDelegate(CampaignSupport support, SessionRecorder session) {
    return ex -> {
      CampaignLoop.Resolution r = support.loop(ex).resolve(owner(ex), taskKey(ex), runId(ex));
      ex.setVariable(CampaignVars.STEP_PACK_RESOLVED, r.resolved());
      if (r.resolved()) {
        EngineVariables.setJson(ex, CampaignVars.CURRENT_STEP_PACK, r.packJson());
        ex.setVariable(CampaignVars.CURRENT_BACKEND, r.backend());
        ex.setVariable(CampaignVars.AUTO_PLANNED, r.autoPlanned());
        session.record(
            ex,
            "cycle_started",
            taskKey(ex),
            Map.of("backend", String.valueOf(r.backend()), "auto_planned", r.autoPlanned()));
      } else {
        ex.setVariable(CampaignVars.SET_ASIDE_REASON, r.refusal());
      }
    };
  }

  /** {@code Task_SetTaskAside}: the policy passes over the task from now on. */
  @Bean
  JavaDelegate setTaskAsideDelegate(CampaignSupport support, SessionRecorder session) {
    return ex -> {
      Map<String, String> aside = new LinkedHashMap<>(CampaignSupport.setAside(ex));
      String reason = EngineVariables.string(ex, CampaignVars.SET_ASIDE_REASON, "no pack");
      aside.put(taskKey(ex), reason);
      session.record(ex, "task_set_aside", taskKey(ex), Map.of("reason", reason));
      EngineVariables.setJson(ex, CampaignVars.SET_ASIDE, CampaignSupport.toJson(aside));
      support.loopWithoutPacks(ex).setAside();
    };
  }

  /** {@code Task_FinalizeQueue}: the task's next status, the chain, the loop counters. */
  @Bean
  JavaDelegate finalizeQueueDelegate(CampaignSupport support) {
    return ex -> {
      CampaignLoop loop = support.loopWithoutPacks(ex);
      CampaignLoop.Finalized f =
          loop.finalizeCycle(
              owner(ex),
              ex.getProcessInstanceId(),
              taskKey(ex),
              runId(ex),
              EngineVariables.string(ex, CampaignVars.CYCLE_OUTCOME, "failed"),
              EngineVariables.string(ex, CampaignVars.CYCLE_QA_VERDICT, null),
              EngineVariables.string(ex, CampaignVars.CYCLE_QA_REASON_CODE, null),
              EngineVariables.integer(ex, CampaignVars.CYCLE_REWORK_ROUNDS, 0),
              EngineVariables.string(ex, CampaignVars.CYCLE_DISPATCH_OUTCOME, null),
              support.loggers().logger(loop.spec().projectId()));
      ex.setVariable(CampaignVars.LAST_CYCLE_RESULT, f.outcome().json());
      ex.setVariable(
          CampaignVars.CYCLES_DONE, EngineVariables.integer(ex, CampaignVars.CYCLES_DONE, 0) + 1);
      int stagnant = EngineVariables.integer(ex, CampaignVars.STAGNANT_CYCLES, 0);
      ex.setVariable(
          CampaignVars.STAGNANT_CYCLES,
          f.outcome() == CycleReport.Outcome.COMPLETED ? 0 : stagnant + 1);
      setCounts(ex, f.counts());
    };
  }

  /** {@code Task_SyncScoreboard}. */
  @Bean
  JavaDelegate syncScoreboardDelegate(CampaignSupport support) {
    return ex -> {
      Object started = ex.getVariable(CampaignVars.CYCLE_STARTED_AT);
      support
          .loopWithoutPacks(ex)
          .recordCycle(
              ex.getProcessInstanceId(),
              taskKey(ex),
              runId(ex),
              CycleReport.Outcome.valueOf(
                  EngineVariables.string(ex, CampaignVars.LAST_CYCLE_RESULT, "failed")
                      .toUpperCase(java.util.Locale.ROOT)),
              EngineVariables.integer(ex, CampaignVars.CYCLE_REWORK_ROUNDS, 0),
              EngineVariables.string(ex, CampaignVars.CYCLE_QA_VERDICT, null),
              EngineVariables.string(ex, CampaignVars.CYCLE_QA_REASON_CODE, null),
              CampaignSupport.counts(EngineVariables.json(ex, CampaignVars.QUEUE_COUNTS)),
              started instanceof Number n ? Instant.ofEpochMilli(n.longValue()) : null);
    };
  }

  /** {@code Task_FinishCampaign}: final counts and summary; the end reason is already set. */
  @Bean
  JavaDelegate finishCampaignDelegate(CampaignSupport support, SessionRecorder session) {
    return ex -> {
      finish(support.loopWithoutPacks(ex), ex);
      session.record(
          ex,
          "campaign_finished",
          null,
          Map.of(
              "end_reason",
              EngineVariables.string(ex, CampaignVars.END_REASON, "unknown"),
              "cycles",
              cyclesDone(ex)));
    };
  }

  /**
   * {@code Task_CheckExecutionGuard}: when the project requires a freeze, an approved one must be
   * in force, else BPMN error {@value #EXECUTION_BLOCKED}. Either way the outcome goes into the
   * chain ({@code execution_started} or {@code execution_blocked_unapproved}) and the session log;
   * the snapshot paths and the requirements' SHA-256 go to the step cycles.
   */
  @Bean
  JavaDelegate checkExecutionGuardDelegate(CampaignSupport support, SessionRecorder session) {
    return ex -> {
      CampaignSpec spec = support.spec(ex, false);
      FreezeStore store = new FreezeStore(support.requirementsDir(spec));
      FreezeStatus status = store.status();
      Map<String, Object> fields = new LinkedHashMap<>();
      fields.put("campaign_id", ex.getProcessInstanceId());
      // who asked: the signed-in caller the engine recorded at the start (camunda:initiator)
      fields.put("actor", EngineVariables.string(ex, CampaignVars.STARTED_BY, "system"));
      boolean required =
          spec.safeguards().freezeRequired()
              || support.properties().freeze().requiredFor(spec.projectId());
      fields.put("require_freeze", required);
      fields.put("requirements_dir", store.projectDir().toString());
      WorkflowLogger log = support.loggers().logger(spec.projectId());
      if (required && !status.approved()) {
        fields.put("code", status.code());
        fields.put("detail", status.message());
        log.logProjectEvent("execution_blocked_unapproved", fields);
        session.record(ex, "execution_blocked_unapproved", null, fields);
        ex.setVariable(CampaignVars.FREEZE_PROBLEM, status.code());
        ex.setVariable(CampaignVars.END_REASON, CampaignLoop.EndReason.EXECUTION_BLOCKED.json());
        ex.setVariable(CampaignVars.END_DETAIL, status.code() + ": " + status.message());
        throw new BpmnError(EXECUTION_BLOCKED, status.message());
      }
      if (status.approved()) {
        fields.put("requirements_version", status.meta().version());
        fields.put("requirements_sha256", status.meta().sha256());
        ex.setVariable(CampaignVars.REQUIREMENTS_SHA256, status.meta().sha256());
      }
      if (spec.safeguards().guardContracts()
          && ex.getVariable(CampaignVars.PLAN_SNAPSHOT_PATH) == null) {
        ex.setVariable(CampaignVars.PLAN_SNAPSHOT_PATH, store.planFile().toString());
        ex.setVariable(CampaignVars.BOUNDARY_SNAPSHOT_PATH, store.boundaryFile().toString());
      }
      log.logProjectEvent("execution_started", fields);
      session.record(ex, "execution_started", null, fields);
    };
  }

  private static int cyclesDone(DelegateExecution ex) {
    return EngineVariables.integer(ex, CampaignVars.CYCLES_DONE, 0);
  }

  private static void finish(CampaignLoop loop, DelegateExecution ex) {
    QueueCounts counts = loop.finish();
    setCounts(ex, counts);
    ex.setVariable(CampaignVars.ALL_COMPLETED, CampaignLoop.allCompleted(counts));
  }

  private static void setCounts(DelegateExecution ex, QueueCounts c) {
    EngineVariables.setJson(
        ex,
        CampaignVars.QUEUE_COUNTS,
        CampaignSupport.toJson(
            Map.of(
                "pending", c.pending(),
                "in_progress", c.inProgress(),
                "completed", c.completed(),
                "failed", c.failed(),
                "total", c.total())));
  }

  private static String owner(DelegateExecution ex) {
    return EngineVariables.string(ex, CampaignVars.CLAIM_OWNER, null);
  }

  private static String taskKey(DelegateExecution ex) {
    return EngineVariables.string(ex, CampaignVars.CURRENT_TASK_KEY, null);
  }

  private static String runId(DelegateExecution ex) {
    return EngineVariables.string(ex, CampaignVars.CURRENT_RUN_ID, null);
  }
}
