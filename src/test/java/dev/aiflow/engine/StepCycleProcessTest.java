package dev.aiflow.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.camunda.bpm.engine.test.assertions.bpmn.BpmnAwareTests.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.aiflow.engine.audit.HistoryReconciler;
import dev.aiflow.engine.stepcycle.StepCycleService;
import dev.aiflow.logger.ChainEvent;
import dev.aiflow.negotiation.FreezeStore;
import dev.aiflow.support.Briefs;
import dev.aiflow.support.EngineTestBase;
import dev.aiflow.support.Packs;
import dev.aiflow.support.ProcessCoverage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.camunda.bpm.engine.ProcessEngine;
import org.camunda.bpm.engine.test.assertions.bpmn.BpmnAwareTests;
import org.camunda.community.process_test_coverage.spring_test.common.ProcessEngineCoverageProperties;
import org.camunda.community.process_test_coverage.spring_test.platform7.ProcessEngineCoverageConfiguration;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.context.annotation.Primary;

/**
 * step-cycle.bpmn on the real engine, one test per path, the mock shim as the agent. The class
 * asserts at least 90% coverage of the model (camunda-process-test-coverage; the report is under
 * target/process-test-coverage).
 */
@Import({ProcessEngineCoverageConfiguration.class, StepCycleProcessTest.Coverage.class})
class StepCycleProcessTest extends EngineTestBase {

  @TestConfiguration
  static class Coverage {
    @Bean
    @Primary
    ProcessEngineCoverageProperties coverageProperties() {
      return ProcessCoverage.atLeast90Percent(
          "step-cycle.bpmn", List.of("campaign", "requirementsFreeze"));
    }
  }

  static final ObjectMapper JSON = new ObjectMapper();

  @Autowired ProcessEngine engine;
  @Autowired LoggerRegistry loggers;
  @Autowired HistoryReconciler reconciler;
  @Autowired SessionRecorder sessions;
  @TempDir Path workspace;
  String project;

  @BeforeEach
  void setUp() {
    BpmnAwareTests.init(engine);
    project = "p-" + UUID.randomUUID().toString().substring(0, 8);
  }

  Ran run(String taskId, String pack, String intake, int rounds) throws Exception {
    return runCycle(
        new StepCycleService.CycleRequest(
            project, "RUN-" + taskId, pack, intake, rounds, null, workspace.toString(), true));
  }

  List<JsonNode> events(String taskId) throws Exception {
    List<JsonNode> out = new ArrayList<>();
    for (ChainEvent e : loggers.logger(project).taskEvents(taskId)) {
      out.add(JSON.readTree(e.json()));
    }
    return out;
  }

  List<JsonNode> attempts(String taskId) throws Exception {
    return events(taskId).stream()
        .filter(e -> e.path("event_type").asText().equals("attempt"))
        .toList();
  }

  List<String> types(String taskId) throws Exception {
    return events(taskId).stream().map(e -> e.path("event_type").asText()).toList();
  }

  @Test
  void tier2Pass() throws Exception {
    Ran ran = run("T-1", Packs.stepPack("T-1", "pass"), null, 1);
    assertThat(ran.result().outcome()).isEqualTo("completed");
    assertThat(ran.instance())
        .isEnded()
        .hasPassedInOrder(
            "StartEvent_StepCycle",
            "Task_ValidateIntake",
            "Task_RouteTier",
            "Gateway_Tier",
            "Gateway_TierJoin",
            "Task_PrepareDispatch",
            "Task_DispatchStep",
            "Task_LogAttempt",
            "Gateway_ReviewJoin",
            "Task_QaReview",
            "Gateway_QaVerdict",
            "Task_FinalizeCompleted",
            "EndEvent_Completed")
        .hasNotPassed("Task_CompileContract", "Task_BuildReworkPack", "EndEvent_Failed");
    assertThat(ran.result().variables()).containsEntry("qaVerdict", "PASS");

    assertThat(types("T-1")).containsExactly("attempt", "qa_review", "task_closed");
    JsonNode close = events("T-1").get(2);
    assertThat(close.path("final_status").asText()).isEqualTo("accepted");
    assertThat(close.path("outcome").asText()).isEqualTo("completed");
    assertThat(close.path("qa_verdict").asText()).isEqualTo("PASS");
    assertThat(ran.result().variables())
        .containsEntry("closeEventHash", close.path("event_hash").asText());
    JsonNode attempt = attempts("T-1").get(0);
    assertThat(attempt.path("r").asInt()).isZero();
    assertThat(attempt.path("s").asInt()).isZero();
    assertThat(attempt.path("result").asText()).isEqualTo("PASS");
    JsonNode engineRef = attempt.path("engine");
    assertThat(engineRef.path("process_instance_id").asText()).isEqualTo(ran.instance().getId());
    assertThat(engineRef.path("external_task_id").asText()).isNotBlank();
    assertThat(engineRef.path("activity_id").asText()).isEqualTo("Task_DispatchStep");
    assertThat(ran.result().variables())
        .containsEntry("attemptEventHash", attempt.path("event_hash").asText());
    assertThat(loggers.logger(project).verifyProject(null).ok()).isTrue();
    assertThat(reconciler.reconcile(project).clean()).isTrue();
  }

  @Test
  void tier3PassCompilesTheContractFirst() throws Exception {
    Ran ran = run("T-3", Packs.stepPack("T-3", "pass"), Packs.tier3Intake("T-3"), 1);
    assertThat(ran.result().outcome()).isEqualTo("completed");
    assertThat(ran.instance())
        .hasPassedInOrder("Task_RouteTier", "Task_CompileContract", "Task_DispatchStep")
        .hasPassed("EndEvent_Completed");
    Path contract = Path.of(ran.result().variables().get("contractRef").toString());
    assertThat(contract).exists().content().contains("# Master contract: Migrate T-3");
    assertThat(contract.resolveSibling("conformance_report.json")).exists();
    JsonNode dispatched = JSON.readTree(ran.result().variables().get("stepPack").toString());
    assertThat(dispatched.path("tier").asText()).isEqualTo("tier3");
    assertThat(dispatched.path("contract_ref").asText()).isEqualTo(contract.toString());
    assertThat(types("T-3")).startsWith("contract_compiled", "attempt", "qa_review");
    assertThat(Files.readString(workspace.resolve(".artifacts/RUN-T-3/T-3/S1/prompt.md")))
        .contains("Tier: tier3 (contract: " + contract + ")");
  }

  @Test
  void passAfterRework() throws Exception {
    Ran ran = run("T-4", Packs.stepPack("T-4", "fail-then-pass"), null, 1);
    assertThat(ran.result().outcome()).isEqualTo("completed");
    assertThat(ran.instance())
        .hasPassedInOrder(
            "Task_DispatchStep",
            "Task_QaReview",
            "Gateway_ReworkRoundsLeft",
            "Task_BuildReworkPack",
            "Task_DispatchRework",
            "Task_LogRework",
            "Task_FinalizeCompleted")
        .hasPassed("EndEvent_Completed");
    assertThat(attempts("T-4"))
        .extracting(a -> "R" + a.path("r").asInt() + "/S" + a.path("s").asInt())
        .containsExactly("R0/S0", "R0/S1");
    assertThat(attempts("T-4"))
        .extracting(a -> a.path("result").asText())
        .containsExactly("FAIL", "PASS");
    assertThat(attempts("T-4").get(1).path("engine").path("activity_id").asText())
        .isEqualTo("Task_DispatchRework");
    assertThat(reconciler.reconcile(project).clean()).isTrue();
  }

  @Test
  void reworkExhausted() throws Exception {
    Ran ran = run("T-5", Packs.stepPack("T-5", "fail-always"), null, 2);
    assertThat(ran.result().outcome()).isEqualTo("failed");
    assertThat(ran.instance())
        .isEnded()
        .hasPassed("Gateway_ReworkRoundsLeft", "Task_FinalizeFailed", "EndEvent_Failed")
        .hasNotPassed("Task_FinalizeCompleted");
    assertThat(ran.result().variables()).containsEntry("reworkRound", 2);
    assertThat(attempts("T-5")).hasSize(3);
    List<JsonNode> events = events("T-5");
    assertThat(events.get(events.size() - 1).path("final_status").asText()).isEqualTo("failed");
  }

  @Test
  void intakeRejected() throws Exception {
    Ran ran = run("T-6", Packs.stepPack("T-6", "pass"), Packs.rejectedIntake(), 1);
    assertThat(ran.result().outcome()).isEqualTo("rejected");
    assertThat(ran.instance())
        .isEnded()
        .hasPassed("BoundaryEvent_IntakeRejected", "Task_FinalizeRejected", "EndEvent_Rejected")
        .hasNotPassed("Task_RouteTier", "Task_DispatchStep");
    assertThat(ran.result().variables().get("intakeFindings").toString())
        .contains("INTAKE_MISSING_TARGET")
        .contains("INTAKE_MISSING_ACCEPTANCE_CRITERIA");
    assertThat(types("T-6")).containsExactly("task_closed");
    assertThat(events("T-6").get(0).path("final_status").asText()).isEqualTo("rejected");
    assertThat(events("T-6").get(0).path("intake_findings").asText())
        .contains("INTAKE_MISSING_TARGET");
    assertThat(workspace.resolve(".artifacts")).doesNotExist();
  }

  @Test
  void parseErrorIsLoggedAndJudged() throws Exception {
    Ran ran = run("T-7", Packs.stepPack("T-7", "garbage"), null, 0);
    assertThat(ran.result().outcome()).isEqualTo("failed");
    assertThat(ran.result().variables())
        .containsEntry("dispatchOutcome", "PARSE_ERROR")
        .containsEntry("qaReasonCode", "FAIL_PROTOCOL_VIOLATION");
    JsonNode attempt = attempts("T-7").get(0);
    assertThat(attempt.path("result").asText()).isEqualTo("ERROR");
    assertThat(attempt.path("reason_code").asText()).isEqualTo("PARSE_ERROR");
  }

  @Test
  void runtimeLimitStopsTheAgent() throws Exception {
    Ran ran = run("T-8", Packs.stepPack("T-8", "slow", 2, 20), null, 0);
    assertThat(ran.result().outcome()).isEqualTo("failed");
    assertThat(ran.result().variables())
        .containsEntry("dispatchOutcome", "TIMEOUT")
        .containsEntry("qaVerdict", "REWORK");
    assertThat(attempts("T-8").get(0).path("reason_code").asText()).isEqualTo("TIMEOUT");
  }

  @Test
  void aClosedTaskIsNotRunAgain() throws Exception {
    run("T-9", Packs.stepPack("T-9", "pass"), null, 0);
    Ran again = run("T-9", Packs.stepPack("T-9", "pass"), null, 0);
    assertThat(again.result().outcome()).isEqualTo("rejected");
    assertThat(again.result().variables().get("intakeFindings").toString())
        .contains("TASK_ALREADY_CLOSED");
  }

  // ------------------------------------------------------------ contract guard and recovery

  /** Freezes {@code brief} in a folder inside the server's roots; returns the store. */
  FreezeStore frozen(String brief) {
    FreezeStore store =
        new FreezeStore(Path.of("target/test-data/freeze-" + UUID.randomUUID()).toAbsolutePath());
    store.writeDraft(brief, Instant.now());
    store.freeze("alice", null, null, Instant.now());
    return store;
  }

  Ran runGuarded(String taskId, String scenario, int rounds, StepCycleService.CycleGuards guards)
      throws Exception {
    return runCycle(
        new StepCycleService.CycleRequest(
            project,
            "RUN-" + taskId,
            Packs.stepPack(taskId, scenario),
            null,
            rounds,
            null,
            workspace.toString(),
            true),
        guards);
  }

  @Test
  void contractGuardBlocksAPackOutsideTheFrozenBoundary() throws Exception {
    FreezeStore store = frozen(Briefs.brief("T-G", "docs/**"));
    Ran ran =
        runGuarded(
            "T-G",
            "pass",
            1,
            new StepCycleService.CycleGuards(store.planFile(), store.boundaryFile(), false, false));

    assertThat(ran.result().outcome()).isEqualTo("blocked");
    assertThat(ran.instance())
        .isEnded()
        .hasPassedInOrder(
            "Task_PrepareDispatch",
            "Task_CheckContractGuard",
            "BoundaryEvent_ContractViolation",
            "Task_RecordGuardBlock",
            "EndEvent_GuardBlocked")
        .hasNotPassed("Task_DispatchStep", "Task_CreateCheckpoint");
    JsonNode findings = JSON.readTree(ran.result().variables().get("guardFindings").toString());
    assertThat(findings.get(0).path("code").asText()).isEqualTo("GUARD_PATH_OUTSIDE_BOUNDARY");
    assertThat(findings.get(0).path("pointer").asText()).isEqualTo("/allowed_paths/0");
    assertThat(workspace.resolve("src/T-G.txt")).as("no agent ran").doesNotExist();
    assertThat(types("T-G")).containsExactly("task_closed");
    JsonNode close = events("T-G").get(0);
    assertThat(close.path("final_status").asText()).isEqualTo("rejected");
    assertThat(close.path("outcome").asText()).isEqualTo("blocked");
    assertThat(close.path("guard_findings").asText()).contains("GUARD_PATH_OUTSIDE_BOUNDARY");
  }

  @Test
  void missingSnapshotsBlockInsteadOfRunningUnguarded() throws Exception {
    Path nowhere = Path.of("target/test-data/none-" + UUID.randomUUID()).toAbsolutePath();
    Ran ran =
        runGuarded(
            "T-N",
            "pass",
            1,
            new StepCycleService.CycleGuards(
                nowhere.resolve("plan_snapshot.json"),
                nowhere.resolve("boundary_snapshot.json"),
                false,
                false));
    assertThat(ran.result().outcome()).isEqualTo("blocked");
    assertThat(ran.result().variables()).containsEntry("qaReasonCode", "GUARD_SNAPSHOT_MISSING");
  }

  @Test
  void aConformingPackPassesTheGuardAndIsCheckpointed() throws Exception {
    FreezeStore store = frozen(Briefs.brief("T-K", "src/**"));
    Ran ran =
        runGuarded(
            "T-K",
            "pass",
            1,
            new StepCycleService.CycleGuards(store.planFile(), store.boundaryFile(), true, true));
    assertThat(ran.result().outcome()).isEqualTo("completed");
    assertThat(ran.instance())
        .hasPassedInOrder(
            "Task_CheckContractGuard",
            "Task_CreateCheckpoint",
            "Task_DispatchStep",
            "EndEvent_Completed")
        .hasNotPassed("Task_RollbackWorkspace");
    assertThat(ran.result().variables().get("checkpointId").toString()).startsWith("T-K_");
    assertThat(types("T-K"))
        .containsExactly("checkpoint_created", "attempt", "qa_review", "task_closed");
    assertThat(Files.readString(workspace.resolve("src/T-K.txt"))).contains("status: done");
    assertThat(attempts("T-K").get(0).toString())
        .as("the attempt records the frozen requirements it ran under")
        .contains("\"requirements_sha256\":\"" + store.status().meta().sha256() + "\"");
  }

  @Test
  void aFailedCycleRollsTheWorkspaceBackAndSaysSoInTheChain() throws Exception {
    Files.createDirectories(workspace.resolve("src"));
    Files.writeString(workspace.resolve("src/T-R.txt"), "original content\n");
    Ran ran =
        runGuarded(
            "T-R", "fail-always", 1, new StepCycleService.CycleGuards(null, null, true, true));

    assertThat(ran.result().outcome()).isEqualTo("failed");
    assertThat(ran.instance())
        .hasPassedInOrder(
            "Task_CreateCheckpoint",
            "Task_DispatchStep",
            "Task_DispatchRework",
            "Gateway_ReworkRoundsLeft",
            "Task_RollbackWorkspace",
            "Task_FinalizeFailed",
            "EndEvent_Failed");
    assertThat(Files.readString(workspace.resolve("src/T-R.txt"))).isEqualTo("original content\n");
    List<String> types = types("T-R");
    assertThat(types).startsWith("checkpoint_created").endsWith("rollback", "task_closed");
    JsonNode rollback = events("T-R").get(types.size() - 2);
    assertThat(rollback.path("restored").asText()).isEqualTo("src/T-R.txt");
    assertThat(rollback.path("checkpoint_id").asText())
        .isEqualTo(ran.result().variables().get("checkpointId"));
    assertThat(loggers.logger(project).verifyProject(null).ok())
        .as("a rollback is appended, history is never rewritten")
        .isTrue();
    List<String> kinds =
        sessions.log(project).read().events().stream()
            .filter(e -> "T-R".equals(e.taskKey()))
            .map(dev.aiflow.sessionlog.SessionEvent::kind)
            .toList();
    assertThat(kinds)
        .containsSubsequence(
            "checkpoint_created", "dispatch", "qa_verdict", "rework", "rollback", "cycle_finished");
  }
}
