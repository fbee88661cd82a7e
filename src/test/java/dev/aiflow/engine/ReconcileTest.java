package dev.aiflow.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.aiflow.engine.audit.HistoryReconciler;
import dev.aiflow.engine.audit.ReconcileReport;
import dev.aiflow.engine.stepcycle.StepCycleService;
import dev.aiflow.support.EngineTestBase;
import dev.aiflow.support.Packs;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import org.camunda.bpm.engine.HistoryService;
import org.camunda.bpm.engine.history.HistoricVariableInstance;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.annotation.Autowired;

/** Reconciling names what one audit layer has and the other lacks. */
class ReconcileTest extends EngineTestBase {

  @Autowired HistoryReconciler reconciler;
  @Autowired HistoryService history;
  @Autowired LoggerRegistry loggers;
  @TempDir Path workspace;

  Ran cycle(String project, String task) throws Exception {
    Ran ran =
        runCycle(
            new StepCycleService.CycleRequest(
                project,
                "RUN-" + task,
                Packs.stepPack(task, "fail-then-pass"),
                null,
                1,
                null,
                workspace.toString(),
                true));
    assertThat(ran.result().outcome()).isEqualTo("completed");
    return ran;
  }

  @Test
  void aCleanProjectReportsZero() throws Exception {
    String project = "clean-" + UUID.randomUUID().toString().substring(0, 6);
    cycle(project, "C1");
    cycle(project, "C2");
    ReconcileReport report = reconciler.reconcile(project);
    assertThat(report.clean()).isTrue();
    assertThat(report.processInstances()).isEqualTo(2);
    assertThat(report.attemptsInChain()).isEqualTo(4);
    assertThat(report.dispatchesInHistory()).isEqualTo(4);
  }

  @Test
  void aDeletedChainLineIsADispatchWithoutAttempt() throws Exception {
    String project = "cut-" + UUID.randomUUID().toString().substring(0, 6);
    Ran ran = cycle(project, "D1");
    Path events = loggers.root().resolve(project).resolve("events.jsonl");
    List<String> lines = Files.readAllLines(events);
    String attempt =
        lines.stream()
            .filter(l -> l.contains("\"event_type\":\"attempt\""))
            .findFirst()
            .orElseThrow();
    Files.write(events, lines.stream().filter(l -> !l.equals(attempt)).toList());

    ReconcileReport report = reconciler.reconcile(project);
    assertThat(report.clean()).isFalse();
    assertThat(report.attemptsWithoutHistory()).isEmpty();
    assertThat(report.dispatchesWithoutAttempt())
        .singleElement()
        .satisfies(
            o -> {
              assertThat(o.processInstanceId()).isEqualTo(ran.instance().getId());
              assertThat(attempt).contains(o.externalTaskId());
              assertThat(o.detail()).contains("Task_DispatchStep").contains("no attempt");
            });
  }

  @Test
  void aMissingHistoryRecordIsAnAttemptWithoutPartner() throws Exception {
    String project = "hist-" + UUID.randomUUID().toString().substring(0, 6);
    Ran ran = cycle(project, "H1");
    HistoricVariableInstance hashes =
        history
            .createHistoricVariableInstanceQuery()
            .processInstanceId(ran.instance().getId())
            .variableName("attemptEventHash")
            .singleResult();
    history.deleteHistoricVariableInstance(hashes.getId());

    ReconcileReport report = reconciler.reconcile(project);
    assertThat(report.dispatchesWithoutAttempt()).isEmpty();
    assertThat(report.attemptsWithoutHistory())
        .hasSize(2)
        .allSatisfy(o -> assertThat(o.detail()).contains("no partner in the history"));
  }
}
