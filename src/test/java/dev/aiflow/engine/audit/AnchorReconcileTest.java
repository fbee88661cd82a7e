package dev.aiflow.engine.audit;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.aiflow.engine.ChainAnchors;
import dev.aiflow.engine.LoggerRegistry;
import dev.aiflow.engine.SharedVars;
import dev.aiflow.engine.stepcycle.StepCycleService;
import dev.aiflow.logger.ChainAttacker;
import dev.aiflow.logger.WorkflowLogger;
import dev.aiflow.support.EngineTestBase;
import dev.aiflow.support.Packs;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.camunda.bpm.engine.HistoryService;
import org.camunda.bpm.engine.history.HistoricVariableUpdate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * Every event a step cycle appends is anchored in its history, and reconcile checks every anchor:
 * the attacker who rewrites the QA verdict, or deletes the closing event, and recomputes every hash
 * after it passes a bare {@code verify} but not reconcile, which names the event.
 */
class AnchorReconcileTest extends EngineTestBase {

  @Autowired HistoryReconciler reconciler;
  @Autowired HistoryService history;
  @Autowired LoggerRegistry loggers;
  @TempDir Path workspace;

  String project;
  Ran ran;

  /**
   * fail-then-pass: 1 project_initialized, 2 attempt, 3 qa_review, 4 attempt, 5 qa_review, 6 close.
   */
  void cycle() throws Exception {
    project = "anch-" + UUID.randomUUID().toString().substring(0, 6);
    ran =
        runCycle(
            new StepCycleService.CycleRequest(
                project,
                "RUN-A1",
                Packs.stepPack("A1", "fail-then-pass"),
                null,
                1,
                null,
                workspace.toString(),
                true));
    assertThat(ran.result().outcome()).isEqualTo("completed");
  }

  List<String> anchors() {
    return history
        .createHistoricDetailQuery()
        .processInstanceId(ran.instance().getId())
        .variableUpdates()
        .orderPartiallyByOccurrence()
        .asc()
        .list()
        .stream()
        .filter(d -> d instanceof HistoricVariableUpdate)
        .map(d -> (HistoricVariableUpdate) d)
        .filter(u -> SharedVars.CHAIN_ANCHOR.equals(u.getVariableName()))
        .map(u -> u.getValue().toString())
        .toList();
  }

  @Test
  void everyEventTheCycleAppendedIsAnAnchorInHistory() throws Exception {
    cycle();
    List<String> events =
        WorkflowLogger.readProjectEvents(loggers.root(), project).stream()
            .filter(e -> e.taskId() != null)
            .map(ChainAnchors::value)
            .toList();
    assertThat(events).hasSize(5);
    // each step's last append, in order: here every step appends exactly one event
    assertThat(anchors()).containsExactlyElementsOf(events);

    ReconcileReport report = reconciler.reconcile(project);
    assertThat(report.clean()).isTrue();
    assertThat(report.anchorsInHistory()).isEqualTo(5);
  }

  @Test
  void aRewrittenVerdictWithEveryHashRecomputedIsNamedByReconcile() throws Exception {
    cycle();
    Path dir = loggers.root().resolve(project);
    List<ObjectNode> events = ChainAttacker.events(dir);
    ObjectNode review = events.get(2);
    assertThat(review.get("event_type").asText()).isEqualTo("qa_review");
    assertThat(review.get("verdict").asText()).isEqualTo("REWORK");
    review.put("verdict", "PASS");
    review.put("reason_code", "PASS_ALL_CRITERIA");
    ChainAttacker.rewrite(dir, events);

    assertThat(WorkflowLogger.verify(loggers.root(), project, null, null).problems())
        .as("a consistent rewrite: the bare chain cannot tell")
        .isEmpty();
    ReconcileReport report = reconciler.reconcile(project);
    assertThat(report.clean()).isFalse();
    assertThat(report.anchorsBroken())
        .as("the review's anchor and every one after it")
        .hasSize(4)
        .first()
        .satisfies(
            o -> {
              assertThat(o.processInstanceId()).isEqualTo(ran.instance().getId());
              assertThat(o.taskId()).isEqualTo("A1");
              assertThat(o.detail())
                  .contains("Task_QaReview")
                  .contains("names event #3")
                  .contains("event #3 (qa_review of task A1)")
                  .contains("rewritten")
                  .contains("the first change is in events #3 to #3");
            });
    assertThat(report.anchorsBroken().get(3).detail())
        .contains("event #6 (task_closed of task A1)");
  }

  @Test
  void aDeletedClosingEventIsNamedByReconcile() throws Exception {
    cycle();
    Path dir = loggers.root().resolve(project);
    List<ObjectNode> events = ChainAttacker.events(dir);
    ObjectNode close = events.remove(events.size() - 1);
    assertThat(close.get("event_type").asText()).isEqualTo("task_closed");
    ChainAttacker.rewrite(dir, events);

    assertThat(WorkflowLogger.verify(loggers.root(), project, null, null).problems())
        .as("a consistent deletion: the bare chain cannot tell")
        .isEmpty();
    ReconcileReport report = reconciler.reconcile(project);
    assertThat(report.clean()).isFalse();
    assertThat(report.attemptsWithoutHistory()).isEmpty();
    assertThat(report.anchorsBroken())
        .singleElement()
        .satisfies(
            o ->
                assertThat(o.detail())
                    .contains("names event #6, which no longer exists (the chain ends at #5)")
                    .contains("deleted"));
  }

  @Test
  void anEventAppendedAfterTheInstanceEndedIsUnanchored() throws Exception {
    cycle();
    String pi = ran.instance().getId();
    // the window a signed checkpoint leaves open: an append made with write access afterwards
    loggers
        .logger(project)
        .logProjectEvent("execution_finished", Map.of("tasks", 1, "process_instance_id", pi));

    ReconcileReport report = reconciler.reconcile(project);
    assertThat(report.anchorsBroken()).isEmpty();
    assertThat(report.eventsUnanchored())
        .singleElement()
        .satisfies(
            o -> {
              assertThat(o.processInstanceId()).isEqualTo(pi);
              assertThat(o.detail())
                  .contains("event #7 (execution_finished)")
                  .contains("after the instance's last anchor (#6)");
            });
  }
}
