package dev.aiflow.engine.audit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.aiflow.engine.LoggerRegistry;
import dev.aiflow.engine.dispatch.AgentDispatchHandler;
import dev.aiflow.engine.stepcycle.StepCycleVars;
import dev.aiflow.logger.ChainEvent;
import dev.aiflow.logger.WorkflowLogger;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.camunda.bpm.engine.HistoryService;
import org.camunda.bpm.engine.history.HistoricDetail;
import org.camunda.bpm.engine.history.HistoricExternalTaskLog;
import org.camunda.bpm.engine.history.HistoricVariableInstance;
import org.camunda.bpm.engine.history.HistoricVariableUpdate;
import org.springframework.stereotype.Component;

/**
 * The two audit layers check each other. The chain holds one attempt per dispatch, each with the
 * dispatch's external task id; Camunda's history (level full) holds every value the {@code
 * attemptEventHash} variable took and every dispatch that completed. Reconciling names every
 * attempt whose hash history never saw, and every completed dispatch the chain has no attempt for.
 * A clean project reports zero of both.
 */
@Component
public class HistoryReconciler {

  private static final ObjectMapper JSON = new ObjectMapper();

  private final HistoryService history;
  private final LoggerRegistry loggers;

  public HistoryReconciler(HistoryService history, LoggerRegistry loggers) {
    this.history = history;
    this.loggers = loggers;
  }

  public ReconcileReport reconcile(String projectId) {
    Set<String> instances = new LinkedHashSet<>();
    for (HistoricVariableInstance v :
        history
            .createHistoricVariableInstanceQuery()
            .variableValueEquals(StepCycleVars.PROJECT_ID, projectId)
            .list()) {
      instances.add(v.getProcessInstanceId());
    }
    // history's side: every attempt hash recorded, every dispatch completed
    Map<String, Set<String>> hashesByInstance = new HashMap<>();
    Map<String, HistoricExternalTaskLog> completed = new HashMap<>();
    for (String pi : instances) {
      Set<String> hashes = hashesByInstance.computeIfAbsent(pi, k -> new HashSet<>());
      for (HistoricDetail d :
          history.createHistoricDetailQuery().processInstanceId(pi).variableUpdates().list()) {
        if (d instanceof HistoricVariableUpdate u
            && StepCycleVars.ATTEMPT_EVENT_HASH.equals(u.getVariableName())
            && u.getValue() != null) {
          hashes.add(u.getValue().toString());
        }
      }
      for (HistoricExternalTaskLog log :
          history
              .createHistoricExternalTaskLogQuery()
              .processInstanceId(pi)
              .topicName(AgentDispatchHandler.TOPIC)
              .successLog()
              .list()) {
        completed.put(log.getExternalTaskId(), log);
      }
    }
    // the chain's side: attempts that came from the engine
    List<ReconcileReport.Orphan> attemptsWithoutHistory = new ArrayList<>();
    Set<String> attemptedDispatches = new HashSet<>();
    int attempts = 0;
    // read-only: reconciling never repairs or appends, and works on a damaged chain
    for (ChainEvent e : WorkflowLogger.readProjectEvents(loggers.root(), projectId)) {
      String taskId = e.taskId();
      if (!"attempt".equals(e.eventType())) {
        continue;
      }
      JsonNode engine = parse(e.json()).path("engine");
      String pi = engine.path("process_instance_id").asText(null);
      if (pi == null) {
        continue; // an attempt logged from the command line, not by the engine
      }
      attempts++;
      String externalTaskId = engine.path("external_task_id").asText(null);
      if (externalTaskId != null) {
        attemptedDispatches.add(externalTaskId);
      }
      if (!hashesByInstance.getOrDefault(pi, Set.of()).contains(e.eventHash())) {
        attemptsWithoutHistory.add(
            new ReconcileReport.Orphan(
                taskId,
                pi,
                externalTaskId,
                e.eventHash(),
                "attempt #"
                    + e.seq()
                    + " has no partner in the history of process instance "
                    + pi));
      }
    }
    List<ReconcileReport.Orphan> dispatchesWithoutAttempt = new ArrayList<>();
    for (HistoricExternalTaskLog d : completed.values()) {
      if (!attemptedDispatches.contains(d.getExternalTaskId())) {
        dispatchesWithoutAttempt.add(
            new ReconcileReport.Orphan(
                null,
                d.getProcessInstanceId(),
                d.getExternalTaskId(),
                null,
                "dispatch "
                    + d.getActivityId()
                    + " (external task "
                    + d.getExternalTaskId()
                    + ") completed but the chain has no attempt for it"));
      }
    }
    return new ReconcileReport(
        projectId,
        instances.size(),
        attempts,
        completed.size(),
        attemptsWithoutHistory,
        dispatchesWithoutAttempt);
  }

  private static JsonNode parse(String json) {
    try {
      return JSON.readTree(json);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
