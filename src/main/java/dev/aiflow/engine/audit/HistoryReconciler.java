package dev.aiflow.engine.audit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.aiflow.engine.ChainAnchors;
import dev.aiflow.engine.LoggerRegistry;
import dev.aiflow.engine.SharedVars;
import dev.aiflow.engine.dispatch.AgentDispatchHandler;
import dev.aiflow.engine.stepcycle.StepCycleVars;
import dev.aiflow.logger.ChainEvent;
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
import org.camunda.bpm.engine.history.HistoricProcessInstance;
import org.camunda.bpm.engine.history.HistoricVariableInstance;
import org.camunda.bpm.engine.history.HistoricVariableUpdate;
import org.springframework.stereotype.Component;

/**
 * The two audit layers check each other. The chain holds one attempt per dispatch, each with the
 * dispatch's external task id; Camunda's history (level full) holds every value the {@code
 * attemptEventHash} and {@code chainAnchor} variables took and every dispatch that completed.
 * Reconciling names every attempt whose hash history never saw, every completed dispatch the chain
 * has no attempt for, every anchor the chain no longer holds (an event rewritten or deleted, even
 * with every later hash recomputed), and every event of a finished instance that comes after the
 * instance's last anchor. A clean project reports none of these.
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
    Map<String, List<HistoricAnchor>> anchorsByInstance = new HashMap<>();
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
        if (d instanceof HistoricVariableUpdate u
            && SharedVars.CHAIN_ANCHOR.equals(u.getVariableName())
            && u.getValue() != null) {
          anchorsByInstance
              .computeIfAbsent(pi, k -> new ArrayList<>())
              .add(
                  new HistoricAnchor(
                      pi,
                      ChainAnchors.Anchor.parse(u.getValue()),
                      u.getValue().toString(),
                      activity(u.getActivityInstanceId())));
        }
      }
      if (!anchorsByInstance.containsKey(pi)) {
        // below history level full only the last value is kept: it alone covers the instance
        for (HistoricVariableInstance v :
            history
                .createHistoricVariableInstanceQuery()
                .processInstanceId(pi)
                .variableName(SharedVars.CHAIN_ANCHOR)
                .list()) {
          if (v.getValue() != null) {
            anchorsByInstance
                .computeIfAbsent(pi, k -> new ArrayList<>())
                .add(
                    new HistoricAnchor(
                        pi,
                        ChainAnchors.Anchor.parse(v.getValue()),
                        v.getValue().toString(),
                        activity(v.getActivityInstanceId())));
          }
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
    // hashes recomputed from the bytes: an edited line whose stated hash was kept matches nothing
    List<ChainEvent> chain = loggers.readProjectEvents(projectId, true);
    for (ChainEvent e : chain) {
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
    AnchorCheck anchors = checkAnchors(chain, anchorsByInstance, ended(instances));
    return new ReconcileReport(
        projectId,
        instances.size(),
        attempts,
        completed.size(),
        attemptsWithoutHistory,
        dispatchesWithoutAttempt,
        anchors.count(),
        anchors.broken(),
        anchors.unanchored());
  }

  /** One value {@code chainAnchor} took, and where. */
  private record HistoricAnchor(
      String processInstanceId, ChainAnchors.Anchor anchor, String raw, String activity) {}

  private record AnchorCheck(
      int count, List<ReconcileReport.Orphan> broken, List<ReconcileReport.Orphan> unanchored) {}

  /**
   * Every anchor against the chain: the event it names must be there with the anchored hash. An
   * event's hash covers every event before it, so the anchors that hold vouch for all the chain up
   * to the last of them; the first that does not hold bounds where the change is. Then every event
   * a finished instance appended must lie at or before that instance's last anchor.
   */
  private AnchorCheck checkAnchors(
      List<ChainEvent> chain, Map<String, List<HistoricAnchor>> byInstance, Set<String> ended) {
    Map<Long, ChainEvent> bySeq = new HashMap<>();
    Map<String, ChainEvent> byHash = new HashMap<>();
    long lastSeq = 0;
    for (ChainEvent e : chain) {
      bySeq.put(e.seq(), e);
      byHash.putIfAbsent(e.eventHash(), e);
      lastSeq = Math.max(lastSeq, e.seq());
    }
    int count = 0;
    List<HistoricAnchor> broken = new ArrayList<>();
    long lowestBroken = Long.MAX_VALUE;
    List<Long> holding = new ArrayList<>();
    Map<String, Long> lastAnchorSeq = new HashMap<>();
    for (List<HistoricAnchor> list : byInstance.values()) {
      for (HistoricAnchor a : list) {
        count++;
        if (a.anchor() == null) {
          broken.add(a);
          continue;
        }
        long seq = a.anchor().seq();
        ChainEvent e = seq > 0 ? bySeq.get(seq) : byHash.get(a.anchor().hash());
        if (seq < 0 && e != null) {
          seq = e.seq();
        }
        lastAnchorSeq.merge(a.processInstanceId(), seq, Math::max);
        if (e != null && e.eventHash().equals(a.anchor().hash())) {
          holding.add(seq);
        } else {
          broken.add(a);
          if (seq > 0) {
            lowestBroken = Math.min(lowestBroken, seq);
          }
        }
      }
    }
    // the last holding anchor before the first broken one: the change lies after it
    long heldBefore = 0;
    for (long h : holding) {
      if (h < lowestBroken) {
        heldBefore = Math.max(heldBefore, h);
      }
    }
    List<ReconcileReport.Orphan> brokenOrphans = new ArrayList<>();
    broken.sort(
        java.util.Comparator.comparingLong(
            a -> a.anchor() == null || a.anchor().seq() < 0 ? Long.MAX_VALUE : a.anchor().seq()));
    for (HistoricAnchor a : broken) {
      brokenOrphans.add(brokenAnchor(a, bySeq, byHash, lastSeq, lowestBroken, heldBefore));
    }
    List<ReconcileReport.Orphan> unanchored = new ArrayList<>();
    for (ChainEvent e : chain) {
      String pi = instanceOf(e);
      if (pi == null || !ended.contains(pi)) {
        continue; // not the engine's, or the instance may still anchor it
      }
      Long last = lastAnchorSeq.get(pi);
      if (last == null || e.seq() > last) {
        unanchored.add(
            new ReconcileReport.Orphan(
                e.taskId(),
                pi,
                null,
                e.eventHash(),
                describe(e)
                    + " of process instance "
                    + pi
                    + (last == null
                        ? " is not anchored: the instance has no anchor in history"
                        : " comes after the instance's last anchor (#"
                            + last
                            + "): history does not cover it")));
      }
    }
    return new AnchorCheck(count, brokenOrphans, unanchored);
  }

  private static ReconcileReport.Orphan brokenAnchor(
      HistoricAnchor a,
      Map<Long, ChainEvent> bySeq,
      Map<String, ChainEvent> byHash,
      long lastSeq,
      long lowestBroken,
      long heldBefore) {
    String who = "the anchor " + a.activity() + " set in process instance " + a.processInstanceId();
    String detail;
    String taskId = null;
    if (a.anchor() == null) {
      detail = who + " is not an anchor value (" + shortText(a.raw()) + ")";
    } else if (a.anchor().seq() < 0) {
      detail = who + " names hash " + a.anchor().hash() + ", which no event of the chain has";
    } else {
      long seq = a.anchor().seq();
      ChainEvent e = bySeq.get(seq);
      ChainEvent moved = byHash.get(a.anchor().hash());
      if (e == null) {
        detail =
            who
                + " names event #"
                + seq
                + ", which no longer exists (the chain ends at #"
                + lastSeq
                + "): the event was deleted";
      } else {
        taskId = e.taskId();
        detail =
            who
                + " names event #"
                + seq
                + " with hash "
                + a.anchor().hash()
                + ", but "
                + describe(e)
                + " has hash "
                + e.eventHash()
                + ": the event was rewritten, or one before it";
      }
      if (moved != null && moved.seq() != seq) {
        detail += "; the anchored event now stands at #" + moved.seq();
      }
      if (seq == lowestBroken) {
        detail +=
            heldBefore > 0
                ? " (the anchors up to #"
                    + heldBefore
                    + " hold: the first change is in events #"
                    + (heldBefore + 1)
                    + " to #"
                    + seq
                    + ")"
                : " (no earlier anchor holds: the first change is at or before #" + seq + ")";
      }
    }
    return new ReconcileReport.Orphan(
        taskId, a.processInstanceId(), null, a.anchor() == null ? null : a.anchor().hash(), detail);
  }

  /** {@code event #12 (qa_review of task T1)}. */
  private static String describe(ChainEvent e) {
    return "event #"
        + e.seq()
        + " ("
        + e.eventType()
        + (e.taskId() == null ? "" : " of task " + e.taskId())
        + ")";
  }

  /** The process instance an event names as its author, if any. */
  private static String instanceOf(ChainEvent e) {
    if (!e.json().contains("\"process_instance_id\"")) {
      return null;
    }
    JsonNode n = parse(e.json());
    String pi = n.path("engine").path("process_instance_id").asText(null);
    return pi != null ? pi : n.path("process_instance_id").asText(null);
  }

  private Set<String> ended(Set<String> instances) {
    Set<String> ended = new HashSet<>();
    if (instances.isEmpty()) {
      return ended;
    }
    for (HistoricProcessInstance p :
        history
            .createHistoricProcessInstanceQuery()
            .processInstanceIds(new HashSet<>(instances))
            .finished()
            .list()) {
      ended.add(p.getId());
    }
    return ended;
  }

  /** Camunda's activity instance ids start with the activity's id. */
  private static String activity(String activityInstanceId) {
    if (activityInstanceId == null) {
      return "(no activity)";
    }
    int colon = activityInstanceId.indexOf(':');
    return colon > 0 ? activityInstanceId.substring(0, colon) : activityInstanceId;
  }

  private static String shortText(String s) {
    return s.length() <= 80 ? s : s.substring(0, 80) + "...";
  }

  private static JsonNode parse(String json) {
    try {
      return JSON.readTree(json);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
