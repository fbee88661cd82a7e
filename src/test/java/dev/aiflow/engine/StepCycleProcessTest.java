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

  /** Reconcile is clean: every anchor holds and no event comes after its instance's last one. */
  void assertEveryEventAnchored() {
    var report = reconciler.reconcile(project);
    assertThat(report.anchorsInHistory()).isPositive();
    assertThat(report.anchorsBroken()).isEmpty();
    assertThat(report.eventsUnanchored()).isEmpty();
    assertThat(report.clean()).isTrue();
  }

  static final String[] NOT_PASSED_ONLY = {
    "qaSummary",
    "claimsContradicted",
    "reworkConverging",
    "taskBudgetLeft",
    "reworkStop",
    "escalationCause"
  };

  /** Which of {@code names} the instance ever wrote, by its history details. */
  List<String> historyOf(String instanceId, String... names) {
    return engine
        .getHistoryService()
        .createHistoricDetailQuery()
        .processInstanceId(instanceId)
        .variableUpdates()
        .list()
        .stream()
        .map(d -> ((org.camunda.bpm.engine.history.HistoricVariableUpdate) d).getVariableName())
        .filter(List.of(names)::contains)
        .distinct()
        .toList();
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
            "Task_CheckContractGuard",
            "Task_CreateCheckpoint",
            "Task_DispatchStep",
            "Task_VerifyInWorkspace",
            "Task_LogAttempt",
            "Task_QaReview",
            "Gateway_QaVerdict",
            "Gateway_CompleteJoin",
            "Task_FinalizeCompleted",
            "EndEvent_Completed")
        .hasNotPassed("Task_CompileContract", "Task_BuildReworkPack", "EndEvent_Failed");
    assertThat(ran.result().variables()).containsEntry("qaVerdict", "PASS");
    // a pass writes no rework facts: nothing reads them, and each would be rows per cycle
    assertThat(historyOf(ran.instance().getId(), NOT_PASSED_ONLY)).isEmpty();
    // the PASS rests on the kernel's own observation and runs, kept as evidence
    String observation = ran.result().variables().get("kernelObservation").toString();
    assertThat(workspace.resolve(observation)).exists();
    assertThat(observation).startsWith(".artifacts/RUN-T-1/T-1/S1/kernel/");

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
    // the close is anchored in history: the last value chainAnchor took (<seq>:<hash>)
    assertThat(ran.result().variables())
        .containsEntry(
            "chainAnchor", close.path("seq").asText() + ":" + close.path("event_hash").asText());
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
    assertEveryEventAnchored();
  }

  @Test
  void passAfterRework() throws Exception {
    Ran ran = run("T-4", Packs.stepPack("T-4", "fail-then-pass"), null, 1);
    assertThat(ran.result().outcome()).isEqualTo("completed");
    assertThat(ran.instance())
        .hasPassedInOrder(
            "Task_DispatchStep",
            "Task_VerifyInWorkspace",
            "Task_QaReview",
            "Gateway_FailureKind",
            "Gateway_ReworkAllowed",
            "Gateway_ReworkJoin",
            "Task_BuildReworkPack",
            "Gateway_DispatchJoin",
            "Task_DispatchStep",
            "Task_VerifyInWorkspace",
            "Task_LogAttempt",
            "Task_QaReview",
            "Task_FinalizeCompleted")
        .hasPassed("EndEvent_Completed");
    assertThat(attempts("T-4"))
        .extracting(a -> "R" + a.path("r").asInt() + "/S" + a.path("s").asInt())
        .containsExactly("R0/S0", "R0/S1");
    assertThat(attempts("T-4"))
        .extracting(a -> a.path("result").asText())
        .containsExactly("FAIL", "PASS");
    // the failed round's facts were set for its gateways and are gone once the rework passed
    assertThat(historyOf(ran.instance().getId(), NOT_PASSED_ONLY))
        .contains(
            "qaSummary",
            "claimsContradicted",
            "reworkConverging",
            "taskBudgetLeft",
            "escalationCause");
    assertThat(ran.result().variables()).doesNotContainKeys(NOT_PASSED_ONLY);
    assertThat(events("T-4").get(events("T-4").size() - 1).has("rework_stop")).isFalse();
    assertThat(attempts("T-4").get(1).path("engine").path("activity_id").asText())
        .isEqualTo("Task_DispatchStep");
    assertThat(reconciler.reconcile(project).clean()).isTrue();
  }

  @Test
  void reworkExhausted() throws Exception {
    Ran ran = run("T-5", Packs.stepPack("T-5", "fail-always"), null, 1);
    assertThat(ran.result().outcome()).isEqualTo("failed");
    assertThat(ran.instance())
        .isEnded()
        .hasPassed(
            "Gateway_Exhausted", "Gateway_FailJoin", "Task_FinalizeFailed", "EndEvent_Failed")
        .hasNotPassed("Task_FinalizeCompleted", "UserTask_DecideEscalation");
    assertThat(ran.result().variables())
        .containsEntry("reworkRound", 1)
        .containsEntry("reworkStop", "ROUNDS_EXHAUSTED");
    assertThat(attempts("T-5")).hasSize(2);
    List<JsonNode> events = events("T-5");
    assertThat(events.get(events.size() - 1).path("final_status").asText()).isEqualTo("failed");
    assertThat(events.get(events.size() - 1).path("rework_stop").asText())
        .isEqualTo("ROUNDS_EXHAUSTED");
  }

  @Test
  void aReworkThatRepeatsTheRoundBeforeStopsEarly() throws Exception {
    // three rounds allowed, but the second run fails exactly like the first: the circuit breaker
    // stops instead of spending the rest (REWORK_NOT_CONVERGING)
    Ran ran = run("T-5B", Packs.stepPack("T-5B", "fail-always"), null, 3);
    assertThat(ran.result().outcome()).isEqualTo("failed");
    assertThat(ran.result().variables())
        .containsEntry("reworkRound", 1)
        .containsEntry("reworkConverging", false)
        .containsEntry("reworkStop", "REWORK_NOT_CONVERGING");
    assertThat(attempts("T-5B")).hasSize(2);
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
    assertEveryEventAnchored();
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
    assertEveryEventAnchored();
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
            "Task_BuildReworkPack",
            "Task_DispatchStep",
            "Gateway_Exhausted",
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
    assertEveryEventAnchored();
  }

  // ------------------------------------------------------------ the rules in the diagram

  @Test
  void aScopeViolationIsNotReworked() throws Exception {
    Ran ran = run("T-SV", Packs.stepPack("T-SV", "scope-violation"), null, 3);
    assertThat(ran.result().outcome()).isEqualTo("failed");
    assertThat(ran.instance())
        .hasPassedInOrder("Gateway_FailureKind", "Gateway_FailJoin", "Task_FinalizeFailed")
        .hasNotPassed("Task_BuildReworkPack", "UserTask_DecideEscalation");
    assertThat(ran.result().variables()).containsEntry("qaReasonCode", "FAIL_SCOPE_VIOLATION");
    assertThat(attempts("T-SV")).hasSize(1);
  }

  Ran runWith(String taskId, String scenario, int rounds, java.util.Map<String, Object> extra)
      throws Exception {
    var pi =
        cycles.startInstance(
            new StepCycleService.CycleRequest(
                project,
                "RUN-" + taskId,
                Packs.stepPack(taskId, scenario),
                null,
                rounds,
                null,
                workspace.toString(),
                true),
            StepCycleService.CycleGuards.NONE,
            extra);
    return new Ran(pi, cycles.await(pi.getId(), java.time.Duration.ofSeconds(90)));
  }

  org.camunda.bpm.engine.task.Task escalationTask(Ran ran) {
    return engine
        .getTaskService()
        .createTaskQuery()
        .processInstanceId(ran.instance().getId())
        .taskDefinitionKey("UserTask_DecideEscalation")
        .singleResult();
  }

  /** Decides as {@code user}, signed in as the engine's authenticated user (as Tasklist does). */
  Ran decide(Ran ran, String user, java.util.Map<String, Object> decision) throws Exception {
    var task = escalationTask(ran);
    assertThat(task).as("waiting for a person").isNotNull();
    assertThat(
            engine.getTaskService().getIdentityLinksForTask(task.getId()).stream()
                .map(l -> l.getGroupId())
                .toList())
        .contains("aiflow-operators");
    engine.getTaskService().claim(task.getId(), user);
    // an operator decides: a member of aiflow-operators, signed in as Tasklist signs them in
    var identity = engine.getIdentityService();
    if (identity.createUserQuery().userId(user).count() == 0) {
      identity.saveUser(identity.newUser(user));
      identity.createMembership(user, "aiflow-operators");
    }
    identity.setAuthentication(user, List.of("aiflow-operators"));
    try {
      engine.getTaskService().complete(task.getId(), decision);
    } finally {
      engine.getIdentityService().clearAuthentication();
    }
    return new Ran(
        ran.instance(), cycles.await(ran.instance().getId(), java.time.Duration.ofSeconds(90)));
  }

  @Test
  void exhaustedReworkGoesToAPersonWhoAcceptsItAsAnOverride() throws Exception {
    Ran ran = runWith("T-EA", "fail-always", 0, java.util.Map.of("escalateExhaustedRework", true));
    assertThat(ran.result().outcome()).isEqualTo("escalated");
    assertThat(ran.result().variables().get("escalationCause").toString())
        .contains("ROUNDS_EXHAUSTED");
    Ran done =
        decide(
            ran,
            "olga",
            java.util.Map.of(
                "escalationDecision", "accept", "escalationReason", "good enough for the demo"));
    assertThat(done.result().outcome()).isEqualTo("completed");
    assertThat(done.instance())
        .hasPassedInOrder(
            "Gateway_Exhausted",
            "UserTask_DecideEscalation",
            "Task_RecordEscalationDecision",
            "Gateway_CompleteJoin",
            "Task_FinalizeCompleted");
    List<JsonNode> events = events("T-EA");
    JsonNode decided =
        events.stream()
            .filter(e -> e.path("event_type").asText().equals("escalation_decided"))
            .findFirst()
            .orElseThrow();
    assertThat(decided.path("actor").asText()).isEqualTo("olga");
    assertThat(decided.path("decision").asText()).isEqualTo("accept");
    assertThat(decided.path("reason").asText()).isEqualTo("good enough for the demo");
    JsonNode close = events.get(events.size() - 1);
    assertThat(close.path("final_status").asText()).isEqualTo("accepted");
    assertThat(close.path("accepted_by_override").asText()).isEqualTo("true");
    assertThat(close.path("override_by").asText()).isEqualTo("olga");
    assertThat(reconciler.reconcile(project).clean()).isTrue();
  }

  @Test
  void aPersonGrantsMoreRoundsAndTheReworkRuns() throws Exception {
    Ran ran =
        runWith("T-EM", "fail-then-pass", 0, java.util.Map.of("escalateExhaustedRework", true));
    assertThat(ran.result().outcome()).isEqualTo("escalated");
    Ran done =
        decide(
            ran,
            "olga",
            java.util.Map.of(
                "escalationDecision",
                "more_rounds",
                "escalationRounds",
                1L,
                "escalationReason",
                "one more try"));
    assertThat(done.result().outcome()).isEqualTo("completed");
    assertThat(done.instance())
        .hasPassedInOrder(
            "Task_RecordEscalationDecision",
            "Gateway_EscalationDecision",
            "Gateway_ReworkJoin",
            "Task_BuildReworkPack",
            "Task_DispatchStep",
            "Task_FinalizeCompleted");
    assertThat(done.result().variables()).containsEntry("maxReworkRounds", 1);
    assertThat(attempts("T-EM")).hasSize(2);
  }

  @Test
  void aBlockedAgentGoesToAPersonWhoFailsIt() throws Exception {
    // no escalateExhaustedRework needed: BLOCKED always asks a person instead of a rework
    Ran ran = run("T-EB", Packs.stepPack("T-EB", "blocked"), null, 2);
    assertThat(ran.result().outcome()).isEqualTo("escalated");
    assertThat(ran.result().variables())
        .containsEntry("qaReasonCode", "FAIL_WORKER_BLOCKED")
        .containsEntry("reworkRound", 0);
    assertThat(ran.result().variables().get("escalationCause").toString()).contains("blocked");
    // a decision without a reason does not count
    var task = escalationTask(ran);
    engine.getTaskService().claim(task.getId(), "olga");
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () ->
                engine
                    .getTaskService()
                    .complete(task.getId(), java.util.Map.of("escalationDecision", "fail")))
        .hasMessageContaining("say why");
    Ran done =
        decide(
            ran,
            "olga",
            java.util.Map.of(
                "escalationDecision", "fail", "escalationReason", "no deploy key for agents"));
    assertThat(done.result().outcome()).isEqualTo("failed");
    assertThat(done.instance())
        .hasPassedInOrder("Gateway_EscalationDecision", "Gateway_FailJoin", "Task_FinalizeFailed")
        .hasNotPassed("Task_BuildReworkPack");
    assertThat(types("T-EB")).contains("escalation_decided");
    assertEveryEventAnchored();
  }

  @Test
  void aTaskBudgetSpentStopsTheRework() throws Exception {
    // each run reports 1,000 tokens; the task may spend 1,500: the first run's rework would pass it
    Ran ran = runWith("T-BU", "fail-spending", 3, java.util.Map.of("taskMaxTokens", 900L));
    assertThat(ran.result().outcome()).isEqualTo("failed");
    assertThat(ran.result().variables()).containsEntry("taskBudgetLeft", false);
    assertThat(ran.result().variables().get("reworkStop").toString())
        .startsWith("BUDGET_EXHAUSTED");
    assertThat(attempts("T-BU")).hasSize(1);
    JsonNode attempt = attempts("T-BU").get(0);
    assertThat(attempt.path("usage").path("input_tokens").asLong()).isEqualTo(600);
    assertThat(ran.result().variables()).containsEntry("dispatchTokens", 1000L);
  }

  // ------------------------------------------------------------ the kernel catches liars

  @Test
  void anAgentThatClaimsPassingTestsItNeverRanIsCaught() throws Exception {
    Ran ran = run("T-LIE", Packs.stepPack("T-LIE", "lie-tests-pass"), null, 0);
    assertThat(ran.result().outcome()).isEqualTo("failed");
    assertThat(ran.result().variables())
        .containsEntry("qaReasonCode", "FAIL_CLAIM_MISMATCH")
        .containsEntry("qaVerdict", "FAIL");
    assertThat((Integer) ran.result().variables().get("claimsContradicted")).isPositive();
    JsonNode review =
        events("T-LIE").stream()
            .filter(e -> e.path("event_type").asText().equals("qa_review"))
            .findFirst()
            .orElseThrow();
    assertThat(review.toString()).contains("CLAIM_MISMATCH").contains("CMD_FAILED");
  }

  @Test
  void aHiddenChangeOutsideTheAllowedPathsIsCaught() throws Exception {
    Ran ran = run("T-HID", Packs.stepPack("T-HID", "hidden-change"), null, 2);
    assertThat(ran.result().outcome()).isEqualTo("failed");
    assertThat(ran.result().variables()).containsEntry("qaReasonCode", "FAIL_SCOPE_VIOLATION");
    assertThat(events("T-HID").toString()).contains("HIDDEN_CHANGE.txt");
    assertThat(ran.instance()).hasNotPassed("Task_BuildReworkPack");
  }

  @Test
  void forgedEvidenceDoesNotPass() throws Exception {
    Ran ran = run("T-FOR", Packs.stepPack("T-FOR", "forge-evidence"), null, 0);
    assertThat(ran.result().outcome()).isEqualTo("failed");
    assertThat(ran.result().variables().get("qaVerdict")).isNotEqualTo("PASS");
    assertThat(events("T-FOR").toString()).contains("KERNEL_EVIDENCE_FORGED");
  }

  @Test
  void aPlantedGitHookIsCaught() throws Exception {
    new ProcessBuilder("git", "init", "-q", workspace.toString()).start().waitFor();
    Ran ran = run("T-GIT", Packs.stepPack("T-GIT", "touch-git"), null, 1);
    assertThat(ran.result().outcome()).isEqualTo("failed");
    assertThat(ran.result().variables()).containsEntry("qaReasonCode", "FAIL_SCOPE_VIOLATION");
    assertThat(events("T-GIT").toString()).contains(".git/hooks");
  }

  @Test
  void processesAnAgentLeavesBehindDoNotSurviveIt() throws Exception {
    for (String scenario : List.of("escape-setsid", "escape-new-group")) {
      String task = "T-" + scenario.toUpperCase(java.util.Locale.ROOT);
      Ran ran = run(task, Packs.stepPack(task, scenario), null, 0);
      assertThat(ran.result().outcome()).as(scenario).isEqualTo("completed");
      java.time.Instant deadline = java.time.Instant.now().plusSeconds(10);
      List<Long> alive = escapees("mock-escapee-" + task);
      while (!alive.isEmpty() && java.time.Instant.now().isBefore(deadline)) {
        Thread.sleep(200);
        alive = escapees("mock-escapee-" + task);
      }
      assertThat(alive).as("processes named mock-escapee-" + task + " still alive").isEmpty();
    }
  }

  /** Pids of live processes whose command line starts with {@code name} (from /proc). */
  static List<Long> escapees(String name) throws Exception {
    List<Long> out = new ArrayList<>();
    try (var dirs = Files.list(Path.of("/proc"))) {
      for (Path d : dirs.toList()) {
        if (!d.getFileName().toString().matches("[0-9]+")) {
          continue;
        }
        try {
          String cmd = Files.readString(d.resolve("cmdline")).replace('\0', ' ');
          String stat = Files.readString(d.resolve("stat"));
          boolean zombie = stat.substring(stat.lastIndexOf(')') + 2).startsWith("Z");
          if (cmd.startsWith(name) && !zombie) {
            out.add(Long.parseLong(d.getFileName().toString()));
          }
        } catch (java.io.IOException e) {
          // the process ended while we looked
        }
      }
    }
    return out;
  }
}
