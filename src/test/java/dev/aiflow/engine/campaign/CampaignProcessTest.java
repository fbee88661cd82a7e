package dev.aiflow.engine.campaign;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.camunda.bpm.engine.test.assertions.bpmn.BpmnAwareTests.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.aiflow.campaign.CampaignSpec;
import dev.aiflow.campaign.CampaignView;
import dev.aiflow.campaign.ExecutionBlockedException;
import dev.aiflow.campaign.Safeguards;
import dev.aiflow.campaign.StepPackMap;
import dev.aiflow.engine.LoggerRegistry;
import dev.aiflow.engine.SessionRecorder;
import dev.aiflow.engine.audit.HistoryReconciler;
import dev.aiflow.logger.WorkflowLogger;
import dev.aiflow.negotiation.FreezeStore;
import dev.aiflow.scoreboard.ScoreboardStore;
import dev.aiflow.support.Briefs;
import dev.aiflow.support.EngineTestBase;
import dev.aiflow.support.Packs;
import dev.aiflow.support.ProcessCoverage;
import dev.aiflow.support.Queues;
import dev.aiflow.support.Queues.Item;
import dev.aiflow.triage.QueueStore;
import dev.aiflow.triage.QueueTask;
import dev.aiflow.triage.TaskQueue;
import dev.aiflow.triage.TaskStatus;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;
import org.camunda.bpm.engine.HistoryService;
import org.camunda.bpm.engine.ProcessEngine;
import org.camunda.bpm.engine.runtime.ProcessInstance;
import org.camunda.bpm.engine.test.assertions.bpmn.BpmnAwareTests;
import org.camunda.community.process_test_coverage.spring_test.common.ProcessEngineCoverageProperties;
import org.camunda.community.process_test_coverage.spring_test.platform7.ProcessEngineCoverageConfiguration;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.context.annotation.Primary;

/**
 * campaign.bpmn on the real engine with the real step cycle and the mock shim as the agent: one
 * test per way out (queue drained, max cycles, stagnation, cancel, preflight), and the ways a task
 * gets its pack (map, auto-plan, set aside). Asserts at least 90% coverage of the model.
 */
@SpringBootTest(
    webEnvironment = SpringBootTest.WebEnvironment.NONE,
    properties = {
      EngineTestBase.OWN_DATABASE,
      EngineTestBase.OWN_DATA_DIR,
      EngineTestBase.MOCK_SHIM,
      EngineTestBase.FAST_WORKER,
      EngineTestBase.SHORT_GRACE,
      EngineTestBase.OWN_ENGINE_NAME,
      EngineTestBase.TEMP_ROOT
    })
@Import({ProcessEngineCoverageConfiguration.class, CampaignProcessTest.Coverage.class})
class CampaignProcessTest extends EngineTestBase {

  @TestConfiguration
  static class Coverage {
    @Bean
    @Primary
    ProcessEngineCoverageProperties coverageProperties() {
      return ProcessCoverage.atLeast90Percent(
          "campaign.bpmn", List.of("stepCycle", "requirementsFreeze"));
    }
  }

  static final ObjectMapper JSON = new ObjectMapper();

  @Autowired ProcessEngine engine;
  @Autowired CampaignService campaigns;
  @Autowired LoggerRegistry loggers;
  @Autowired HistoryReconciler reconciler;
  @Autowired HistoryService history;
  @Autowired SessionRecorder sessions;
  @Autowired dev.aiflow.transparency.Transparency transparency;
  @Autowired dev.aiflow.worker.ShimRegistry shims;
  @TempDir Path dir;
  Path workspace;
  Path queueFile;
  String project;

  @BeforeEach
  void setUp() throws Exception {
    BpmnAwareTests.init(engine);
    project = "c-" + UUID.randomUUID().toString().substring(0, 8);
    workspace = Files.createDirectories(dir.resolve("workspace"));
    queueFile = dir.resolve("progress/task_queue.json");
  }

  CampaignSpec spec(
      String packs,
      Map<String, String> backends,
      int maxCycles,
      int stagnant,
      int rework,
      boolean autoPlan) {
    return CampaignSpec.builder(project, queueFile)
        .stepPacks(StepPackMap.fromJson(packs, "stepPacks"))
        .backendMap(backends)
        .autoPlanMissing(autoPlan)
        .maxCycles(maxCycles)
        .maxStagnantCycles(stagnant)
        .maxReworkRounds(rework)
        .workspace(workspace)
        .build();
  }

  record Run(ProcessInstance pi, CampaignView view) {}

  Run run(CampaignSpec spec) throws Exception {
    ProcessInstance pi = campaigns.startInstance(spec, "campaign-" + project);
    CampaignView v = campaigns.await(pi.getId(), Duration.ofSeconds(120));
    assertThat(v.incidents()).isEmpty();
    assertThat(v.state()).isEqualTo("completed");
    return new Run(pi, v);
  }

  Map<String, TaskStatus> statuses() {
    return new QueueStore(queueFile)
        .read().tasks().stream().collect(Collectors.toMap(QueueTask::key, QueueTask::status));
  }

  @Test
  void queueDrainedAfterPassFailAndATaskWithoutPack() throws Exception {
    List<Item> items =
        List.of(Item.of("A", 1, "pass"), Item.of("B", 2, "fail-always"), Item.of("C", 0, null));
    String packs = Queues.write(queueFile, 1, items);

    Run r = run(spec(packs, Map.of(), 10, 5, 1, false));

    assertThat(r.pi())
        .hasPassed(
            "Task_StartCampaign",
            "Task_PreflightBackends",
            "Task_SelectNextTask",
            "Task_ResolveStepPack",
            "Task_SetTaskAside",
            "CallActivity_StepCycle",
            "Task_FinalizeQueue",
            "Task_SyncScoreboard",
            "Task_SummariseCycle",
            "Gateway_WayOut",
            "EndEvent_QueueDrained")
        .hasNotPassed("EndEvent_MaxCycles", "EndEvent_Stagnated", "EndEvent_Cancelled")
        .isEnded();
    assertThat(r.view().endReason()).isEqualTo("queue_drained");
    assertThat(r.view().cyclesDone()).isEqualTo(2);
    assertThat(r.view().allCompleted()).isFalse();
    // C was picked first (priority 0), set aside, and stays pending for a later campaign
    assertThat(statuses())
        .containsEntry("A", TaskStatus.COMPLETED)
        .containsEntry("B", TaskStatus.FAILED)
        .containsEntry("C", TaskStatus.PENDING);
    assertThat(new QueueStore(queueFile).read().require("C").attempts()).isZero();

    ScoreboardStore board = new ScoreboardStore(queueFile.getParent());
    var s = board.read();
    assertThat(s.cycles()).isEqualTo(2);
    assertThat(s.selected()).isEqualTo(3);
    assertThat(s.skipped()).isEqualTo(1);
    assertThat(s.completed()).isEqualTo(1);
    assertThat(s.failed()).isEqualTo(1);
    assertThat(s.reworkRounds()).isEqualTo(1);
    assertThat(s.qaVerdicts()).containsEntry("PASS", 1);
    assertThat(board.trends()).extracting(t -> t.taskKey()).containsExactly("A", "B");
    // the honesty rate comes from the chain's reviews of this campaign's runs (A once, B twice)
    assertThat(s.claimsTotal().reviewed()).as(s.claims().toString()).isGreaterThanOrEqualTo(3);
    String summary = Files.readString(board.summaryFile());
    assertThat(summary).contains("1 of 3 tasks completed", "summary.svg", "| 2 | ");
    assertThat(Files.readString(board.chartFile())).startsWith("<svg").contains("polyline");

    // the StepPack went to the step cycles, each keeping it as Json; the campaign kept no copy
    String campaignId = r.view().id();
    assertThat(
            history
                .createHistoricVariableInstanceQuery()
                .processInstanceId(campaignId)
                .variableName("currentStepPack")
                .count())
        .isZero();
    var cycles = history.createHistoricProcessInstanceQuery().superProcessInstanceId(campaignId);
    assertThat(cycles.count()).isEqualTo(2);
    for (var cycle : cycles.list()) {
      var pack =
          history
              .createHistoricVariableInstanceQuery()
              .processInstanceId(cycle.getId())
              .variableName("stepPack")
              .disableCustomObjectDeserialization()
              .singleResult();
      assertThat(pack.getTypeName()).isEqualTo("json");
      assertThat(String.valueOf(pack.getValue())).contains(cycle.getBusinessKey());
    }

    // a fact that stays the same from task to task is written once, not once per task
    assertThat(
            history
                .createHistoricDetailQuery()
                .processInstanceId(campaignId)
                .variableUpdates()
                .list()
                .stream()
                .map(d -> (org.camunda.bpm.engine.history.HistoricVariableUpdate) d)
                .filter(d -> d.getVariableName().equals("currentBackend") && d.getValue() != null)
                .count())
        .as("currentBackend written for A, unchanged for B")
        .isEqualTo(1);

    // the chain closed both tasks and agrees with the engine's history
    WorkflowLogger log = loggers.logger(project);
    assertThat(log.task("A").closed()).isTrue();
    assertThat(log.task("B").closed()).isTrue();
    assertThat(log.verifyProject(null).ok()).isTrue();
    assertThat(reconciler.reconcile(project).clean()).isTrue();
    // the end signed a checkpoint covering every event of the campaign
    assertThat(transparency.latest(project)).isPresent();
    assertThat(transparency.issue(project).fresh()).as("nothing appended since the end").isFalse();
    assertThat(r.view().endDetail()).startsWith("1 completed, 1 failed, 1 not runnable");
    assertThat(new dev.aiflow.campaign.QueueOwner(queueFile).file())
        .as("the queue is given up at the end")
        .doesNotExist();
  }

  @Test
  void maxCyclesStopsACampaignThatStillHasWork() throws Exception {
    List<Item> items = List.of(Item.of("A", 1, "pass"), Item.of("B", 2, "pass"));
    String packs = Queues.write(queueFile, null, items);

    Run r = run(spec(packs, Map.of(), 1, 5, 0, false));

    assertThat(r.pi()).hasPassed("EndEvent_MaxCycles").hasNotPassed("EndEvent_QueueDrained");
    assertThat(r.view().endReason()).isEqualTo("max_cycles");
    assertThat(r.view().endDetail()).isEqualTo("stopped at the limit of 1 cycle(s)");
    assertThat(statuses())
        .containsEntry("A", TaskStatus.COMPLETED)
        .containsEntry("B", TaskStatus.PENDING);
  }

  @Test
  void stagnationStopsAfterCyclesThatCompleteNothing() throws Exception {
    List<Item> items = List.of(Item.of("A", 1, "fail-always"), Item.of("B", 2, "fail-always"));
    String packs = Queues.write(queueFile, 5, items);

    Run r = run(spec(packs, Map.of(), 20, 3, 0, false));

    assertThat(r.pi()).hasPassed("EndEvent_Stagnated");
    assertThat(r.view().endReason()).isEqualTo("stagnated");
    assertThat(r.view().endDetail()).isEqualTo("3 cycle(s) in a row completed no task (limit 3)");
    assertThat(r.view().cyclesDone()).isEqualTo(3);
    TaskQueue q = new QueueStore(queueFile).read();
    // A failed, was requeued (attempts left), and B took its turn after it: age breaks no tie
    // here, priority does
    assertThat(q.require("A").status()).isEqualTo(TaskStatus.PENDING);
    assertThat(q.require("A").attempts()).isEqualTo(3);
    assertThat(q.require("A").lastReason()).contains("requeued");
    assertThat(new ScoreboardStore(queueFile.getParent()).read().requeued()).isEqualTo(3);
    assertThat(loggers.logger(project).taskEvents("A"))
        .filteredOn(e -> e.json().contains("\"task_requeued\""))
        .hasSize(3);
  }

  @Test
  void cancelLetsTheRunningCycleFinishThenEnds() throws Exception {
    List<Item> items = List.of(Item.of("A", 1, "silent"), Item.of("B", 2, "pass"));
    String packs = Queues.write(queueFile, 1, items, 60, 2);
    ProcessInstance pi = campaigns.startInstance(spec(packs, Map.of(), 10, 5, 0, false), "cancel");
    org.awaitility.Awaitility.await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> "A".equals(campaigns.find(pi.getId()).orElseThrow().currentTask()));

    assertThat(campaigns.cancel(pi.getId())).isEqualTo(CampaignService.CancelResult.REQUESTED);
    CampaignView v = campaigns.await(pi.getId(), Duration.ofSeconds(60));

    assertThat(pi)
        .hasPassed(
            "StartEvent_CancelRequested",
            "Task_RecordCancelRequest",
            "EndEvent_CancelRecorded",
            "CallActivity_StepCycle",
            "Task_SummariseCycle",
            "EndEvent_Cancelled");
    assertThat(v.endReason()).isEqualTo("cancelled");
    assertThat(v.endDetail()).isEqualTo("cancelled by system after 1 cycle(s)");
    assertThat(sessions.log(project).read().events())
        .extracting(dev.aiflow.sessionlog.SessionEvent::kind)
        .containsSubsequence("task_selected", "cancel_requested", "campaign_finished");
    assertThat(statuses())
        .containsEntry("A", TaskStatus.FAILED)
        .containsEntry("B", TaskStatus.PENDING);
    assertThat(campaigns.cancel(pi.getId())).isEqualTo(CampaignService.CancelResult.ALREADY_ENDED);
    assertThat(campaigns.cancel("no-such-campaign"))
        .isEqualTo(CampaignService.CancelResult.NOT_FOUND);
  }

  @Test
  void preflightFailureStopsBeforeAnyTaskIsTouched() throws Exception {
    List<Item> items = List.of(Item.of("A", 1, "pass"));
    String packs = Queues.write(queueFile, null, items);
    byte[] before = Files.readAllBytes(queueFile);

    Run r = run(spec(packs, Map.of("A", "no-such-backend"), 10, 5, 0, false));

    assertThat(r.pi())
        .hasPassed(
            "BoundaryEvent_PreflightFailed",
            "Task_RecordPreflightFailure",
            "EndEvent_PreflightFailed")
        .hasNotPassed("Task_SelectNextTask");
    assertThat(r.view().endReason()).isEqualTo("preflight_failed");
    assertThat(r.view().endDetail()).contains("UNKNOWN_BACKEND", "no-such-backend");
    assertThat(Files.readAllBytes(queueFile)).isEqualTo(before);
  }

  @Test
  void autoPlanWritesAPackFromTheTaskPlan() throws Exception {
    String plan =
        "\"plan\": {\"objective\": \"src/P.txt says done\", \"allowed_paths\": [\"src/P.txt\"],"
            + " \"acceptance_criteria\": [\"the status line says done\"],"
            + " \"required_commands\": [\"grep -q 'status: done' src/P.txt\"],"
            + " \"backend\": \"mock\"}";
    Queues.write(queueFile, null, List.of(new Item("P", 1, null, plan)));

    Run r = run(spec("{}", Map.of(), 10, 5, 0, true));

    assertThat(r.pi()).hasPassed("CallActivity_StepCycle", "EndEvent_QueueDrained");
    assertThat(statuses()).containsEntry("P", TaskStatus.COMPLETED);
    assertThat(r.view().allCompleted()).isTrue();
    assertThat(
            history
                .createHistoricVariableInstanceQuery()
                .processInstanceId(r.pi().getId())
                .variableName("autoPlanned")
                .singleResult()
                .getValue())
        .isEqualTo(true);
  }

  @Test
  void theBackendMapRoutesATaskAndWinsOverItsPack() throws Exception {
    // the pack asks for codex, which is not installed here; the map sends it to mock
    String pack =
        Packs.stepPack("A", "pass").replace("\"backend\": \"mock\"", "\"backend\": \"codex\"");
    Queues.write(queueFile, null, List.of(Item.of("A", 1, null)));

    Run r = run(spec("{\"A\":" + pack + "}", Map.of("A", "mock"), 10, 5, 0, false));

    assertThat(r.pi()).hasPassed("EndEvent_QueueDrained");
    assertThat(statuses()).containsEntry("A", TaskStatus.COMPLETED);
    ProcessInstance cycle =
        engine
            .getRuntimeService()
            .createProcessInstanceQuery()
            .superProcessInstanceId(r.pi().getId())
            .singleResult();
    assertThat(cycle).isNull(); // ended
    Object backend =
        history
            .createHistoricVariableInstanceQuery()
            .variableName("dispatchBackend")
            .list()
            .stream()
            .filter(
                v ->
                    history
                                .createHistoricProcessInstanceQuery()
                                .processInstanceId(v.getProcessInstanceId())
                                .singleResult()
                                .getSuperProcessInstanceId()
                            != null
                        && history
                            .createHistoricProcessInstanceQuery()
                            .processInstanceId(v.getProcessInstanceId())
                            .singleResult()
                            .getSuperProcessInstanceId()
                            .equals(r.pi().getId()))
            .findFirst()
            .orElseThrow()
            .getValue();
    assertThat(backend).isEqualTo("mock");
  }

  @Test
  void tasksHeldByACampaignThatDiedAreReleased() throws Exception {
    Queues.write(
        queueFile,
        null,
        List.of(
            new Item(
                "A",
                1,
                "pass",
                "\"status\": \"in_progress\", \"attempts\": 1, \"claimed_by\": \"campaign:gone\"")));
    String packs = "{\"A\":" + Packs.stepPack("A", "pass") + "}";

    Run r = run(spec(packs, Map.of(), 10, 5, 0, false));

    assertThat(statuses()).containsEntry("A", TaskStatus.COMPLETED);
    assertThat(new QueueStore(queueFile).read().require("A").attempts()).isEqualTo(2);
    assertThat(
            history
                .createHistoricVariableInstanceQuery()
                .processInstanceId(r.pi().getId())
                .variableName("releasedTasks")
                .singleResult()
                .getValue())
        .isEqualTo("A");
  }

  @Test
  void aBrokenQueueStopsTheStartAndStaysAsItWas() throws Exception {
    Files.createDirectories(queueFile.getParent());
    String broken = "{\"tasks\": [{\"key\": \"A\", \"priority\": \"high\"}]}";
    Files.writeString(queueFile, broken);

    assertThatThrownBy(
            () -> campaigns.startInstance(spec("{}", Map.of(), 10, 5, 0, false), "broken"))
        .hasMessageContaining("/tasks/0/priority")
        .hasMessageContaining("must be an integer");
    assertThat(Files.readString(queueFile)).isEqualTo(broken);
    // the refused start is on record: ended at once at EndEvent_InvalidInput, naming the variable
    var ended =
        engine
            .getHistoryService()
            .createHistoricProcessInstanceQuery()
            .processInstanceBusinessKey("broken")
            .singleResult();
    assertThat(ended.getEndActivityId()).isEqualTo("EndEvent_InvalidInput");
    assertThat(
            engine
                .getHistoryService()
                .createHistoricVariableInstanceQuery()
                .processInstanceId(ended.getId())
                .variableName("endReason")
                .singleResult()
                .getValue())
        .isEqualTo("invalid_input");
  }

  static JsonNode json(String s) throws Exception {
    return JSON.readTree(s);
  }

  // ------------------------------------------------------------ execution guard

  CampaignSpec guarded(String packs, Safeguards safeguards) {
    return spec(packs, Map.of(), 10, 5, 0, false).toBuilder().safeguards(safeguards).build();
  }

  List<JsonNode> projectEvents(String type) throws Exception {
    List<JsonNode> out = new java.util.ArrayList<>();
    for (var e : WorkflowLogger.readProjectEvents(loggers.root(), project)) {
      JsonNode n = JSON.readTree(e.json());
      if (n.path("event_type").asText().equals(type)) {
        out.add(n);
      }
    }
    return out;
  }

  @Test
  void aCampaignThatRequiresAFreezeIsRefusedWithoutOne() throws Exception {
    String packs = Queues.write(queueFile, 1, List.of(Item.of("A", 1, "pass")));
    Path requirements = dir.resolve("requirements");

    assertThatThrownBy(
            () ->
                campaigns.startInstance(
                    guarded(packs, new Safeguards(true, false, false, false, requirements)),
                    "campaign-" + project))
        .isInstanceOf(ExecutionBlockedException.class)
        .hasMessageContaining("FREEZE_META_MISSING")
        .extracting(e -> ((ExecutionBlockedException) e).code())
        .isEqualTo("FREEZE_META_MISSING");

    var hpi =
        history
            .createHistoricProcessInstanceQuery()
            .processInstanceBusinessKey("campaign-" + project)
            .singleResult();
    ProcessInstance pi =
        engine
            .getRuntimeService()
            .createProcessInstanceQuery()
            .processInstanceId(hpi.getId())
            .singleResult();
    assertThat(pi).as("the instance ended at once").isNull();
    assertThat(
            history
                .createHistoricActivityInstanceQuery()
                .processInstanceId(hpi.getId())
                .orderByHistoricActivityInstanceStartTime()
                .asc()
                .list()
                .stream()
                .map(a -> a.getActivityId())
                .toList())
        .containsSubsequence(
            "Task_StartCampaign", "Task_CheckExecutionGuard", "EndEvent_ExecutionBlocked")
        .doesNotContain("Task_PreflightBackends", "CallActivity_StepCycle");
    assertThat(campaigns.find(hpi.getId()).orElseThrow().endReason())
        .isEqualTo("execution_blocked");
    assertThat(statuses()).containsEntry("A", TaskStatus.PENDING);

    JsonNode blocked = projectEvents("execution_blocked_unapproved").get(0);
    assertThat(blocked.path("code").asText()).isEqualTo("FREEZE_META_MISSING");
    assertThat(blocked.path("campaign_id").asText()).isEqualTo(hpi.getId());
    assertThat(projectEvents("execution_started")).isEmpty();
    assertThat(sessions.log(project).read().events())
        .extracting(dev.aiflow.sessionlog.SessionEvent::kind)
        .containsExactly("execution_blocked_unapproved");
  }

  @Test
  void anApprovedFreezeLetsTheCampaignRunAndEveryAttemptCarriesItsHash() throws Exception {
    String packs = Queues.write(queueFile, 1, List.of(Item.of("A", 1, "pass")));
    FreezeStore store = new FreezeStore(dir.resolve("requirements"));
    store.writeDraft(Briefs.brief("A", "src/A.txt"), java.time.Instant.now());
    String sha = store.freeze("alice", "ok", null, java.time.Instant.now()).meta().sha256();

    Run r = run(guarded(packs, new Safeguards(false, true, false, false, store.projectDir())));

    assertThat(r.pi())
        .hasPassedInOrder(
            "Task_CheckExecutionGuard", "Task_PreflightBackends", "EndEvent_QueueDrained");
    assertThat(statuses()).containsEntry("A", TaskStatus.COMPLETED);
    JsonNode started = projectEvents("execution_started").get(0);
    assertThat(started.path("requirements_sha256").asText()).isEqualTo(sha);
    assertThat(started.path("requirements_version").asInt()).isEqualTo(1);
    JsonNode attempt =
        JSON.readTree(
            loggers.logger(project).taskEvents("A").stream()
                .filter(e -> e.json().contains("\"event_type\":\"attempt\""))
                .findFirst()
                .orElseThrow()
                .json());
    assertThat(attempt.toString()).contains(sha);
    List<String> kinds =
        sessions.log(project).read().events().stream()
            .map(dev.aiflow.sessionlog.SessionEvent::kind)
            .toList();
    assertThat(kinds)
        .containsSubsequence(
            "execution_started",
            "task_selected",
            "cycle_started",
            "dispatch",
            "qa_verdict",
            "cycle_finished",
            "campaign_finished");
  }

  @Test
  void aPackThatLeavesTheFrozenBoundaryFailsItsTaskWithoutRunningTheAgent() throws Exception {
    String packs = Queues.write(queueFile, 1, List.of(Item.of("A", 1, "pass")));
    FreezeStore store = new FreezeStore(dir.resolve("requirements"));
    store.writeDraft(Briefs.brief("A", "docs/**"), java.time.Instant.now());
    store.freeze("alice", null, null, java.time.Instant.now());

    Run r = run(guarded(packs, new Safeguards(false, true, false, false, store.projectDir())));

    assertThat(statuses()).containsEntry("A", TaskStatus.FAILED);
    assertThat(new QueueStore(queueFile).read().require("A").lastReason())
        .contains("blocked by the contract guard (GUARD_PATH_OUTSIDE_BOUNDARY)");
    assertThat(workspace.resolve("src/A.txt")).doesNotExist();
    assertThat(loggers.logger(project).task("A").closed()).isTrue();
    assertThat(r.view().endReason()).isEqualTo("queue_drained");
  }

  // ------------------------------------------------------------ ways out and ownership

  Object variable(String pi, String name) {
    var v =
        history
            .createHistoricVariableInstanceQuery()
            .processInstanceId(pi)
            .variableName(name)
            .singleResult();
    return v == null ? null : v.getValue();
  }

  @Test
  void theCampaignBudgetEndsACampaignThatStillHasWork() throws Exception {
    // each fail-spending run reports 1,000 tokens and 0.01 USD
    List<Item> items = List.of(Item.of("A", 1, "fail-spending"), Item.of("B", 2, "pass"));
    String packs = Queues.write(queueFile, 5, items);
    CampaignSpec spec =
        spec(packs, Map.of(), 10, 5, 0, false).toBuilder()
            .budget(new dev.aiflow.campaign.CampaignBudget(1_000, 0))
            .build();

    Run r = run(spec);

    assertThat(r.pi())
        .hasPassed("Task_SummariseCycle", "EndEvent_BudgetExhausted")
        .hasNotPassed("EndEvent_MaxCycles", "EndEvent_QueueDrained");
    assertThat(r.view().endReason()).isEqualTo("budget_exhausted");
    assertThat(r.view().cyclesDone()).isEqualTo(1);
    assertThat(r.view().endDetail()).startsWith("spent 1000 token(s), 0.0100 USD");
    assertThat(variable(r.pi().getId(), "campaignTokens")).isEqualTo(1_000L);
    assertThat(statuses()).containsEntry("B", TaskStatus.PENDING);
  }

  @Test
  void aSecondCampaignOverAQueueARunningOneOwnsIsRefusedNamingIt() throws Exception {
    List<Item> items = List.of(Item.of("A", 1, "silent"), Item.of("B", 2, "pass"));
    String packs = Queues.write(queueFile, 1, items, 60, 2);
    ProcessInstance first =
        campaigns.startInstance(spec(packs, Map.of(), 10, 5, 0, false), "owner");

    assertThatThrownBy(
            () -> campaigns.startInstance(spec(packs, Map.of(), 10, 5, 0, false), "second"))
        .isInstanceOfSatisfying(
            dev.aiflow.campaign.QueueInUseException.class,
            e -> assertThat(e.runningCampaignId()).isEqualTo(first.getId()))
        .hasMessageContaining("owned by running campaign " + first.getId());
    var refused =
        history
            .createHistoricProcessInstanceQuery()
            .processInstanceBusinessKey("second")
            .singleResult();
    assertThat(refused.getEndActivityId()).isEqualTo("EndEvent_QueueInUse");
    assertThat(variable(refused.getId(), "endReason")).isEqualTo("queue_in_use");
    assertThat(variable(refused.getId(), "queueOwner")).isEqualTo(first.getId());
    assertThat(
            history
                .createHistoricActivityInstanceQuery()
                .processInstanceId(refused.getId())
                .activityId("Task_CheckExecutionGuard")
                .count())
        .as("refused before anything ran")
        .isZero();

    campaigns.cancel(first.getId());
    assertThat(campaigns.await(first.getId(), Duration.ofSeconds(60)).endReason())
        .isEqualTo("cancelled");
    assertThat(new dev.aiflow.campaign.QueueOwner(queueFile).file()).doesNotExist();
  }

  @Test
  void anOwnerRecordLeftByACampaignThatDiedIsTakenOver() throws Exception {
    String packs = Queues.write(queueFile, 1, List.of(Item.of("A", 1, "pass")));
    Files.writeString(
        new dev.aiflow.campaign.QueueOwner(queueFile).file(),
        "{\"campaign_id\":\"gone\",\"since\":\"2020-01-01T00:00:00Z\"}");

    Run r = run(spec(packs, Map.of(), 10, 5, 0, false));

    assertThat(r.view().endReason()).isEqualTo("queue_drained");
    assertThat(variable(r.pi().getId(), "queueTakenOverFrom")).isEqualTo("gone");
    assertThat(statuses()).containsEntry("A", TaskStatus.COMPLETED);
    assertThat(new dev.aiflow.campaign.QueueOwner(queueFile).file()).doesNotExist();
  }

  /** What a modeler edits: every end event names a reason the code knows and has the listener. */
  @Test
  void everyEndEventOfTheModelRecordsItsReason() throws Exception {
    var model =
        org.camunda.bpm.model.bpmn.Bpmn.readModelFromFile(
            Path.of("processes/campaign.bpmn").toFile());
    List<String> reasons = new java.util.ArrayList<>();
    for (var end :
        model.getModelElementsByType(org.camunda.bpm.model.bpmn.instance.EndEvent.class)) {
      if (end.getParentElement() instanceof org.camunda.bpm.model.bpmn.instance.SubProcess) {
        continue; // the cancel subprocess ends, the campaign goes on
      }
      var props =
          end.getExtensionElements()
              .getElementsQuery()
              .filterByType(org.camunda.bpm.model.bpmn.instance.camunda.CamundaProperties.class)
              .singleResult()
              .getCamundaProperties();
      String reason =
          props.stream()
              .filter(p -> p.getCamundaName().equals("endReason"))
              .findFirst()
              .orElseThrow()
              .getCamundaValue();
      assertThat(dev.aiflow.campaign.CampaignLoop.EndReason.of(reason)).as(end.getId()).isPresent();
      assertThat(
              end.getExtensionElements()
                  .getElementsQuery()
                  .filterByType(
                      org.camunda.bpm.model.bpmn.instance.camunda.CamundaExecutionListener.class)
                  .singleResult()
                  .getCamundaDelegateExpression())
          .isEqualTo("${campaignEndListener}");
      reasons.add(reason);
    }
    assertThat(reasons)
        .containsExactlyInAnyOrder(
            java.util.Arrays.stream(dev.aiflow.campaign.CampaignLoop.EndReason.values())
                .map(dev.aiflow.campaign.CampaignLoop.EndReason::json)
                .toArray(String[]::new));
    var stepCycle =
        model.<org.camunda.bpm.model.bpmn.instance.CallActivity>getModelElementById(
            "CallActivity_StepCycle");
    assertThat(stepCycle.getCamundaCalledElementBinding()).isEqualTo("deployment");
  }

  // ------------------------------------------------------------ circuit breaker

  org.camunda.bpm.engine.task.Task breakerTask(String pi) {
    org.awaitility.Awaitility.await()
        .atMost(Duration.ofSeconds(60))
        .until(
            () ->
                engine
                        .getTaskService()
                        .createTaskQuery()
                        .processInstanceId(pi)
                        .taskDefinitionKey("UserTask_DecideBreaker")
                        .count()
                    == 1);
    return engine
        .getTaskService()
        .createTaskQuery()
        .processInstanceId(pi)
        .taskDefinitionKey("UserTask_DecideBreaker")
        .singleResult();
  }

  @Test
  void aBackendFailingTaskAfterTaskGoesToAPersonWhoResumesThenStops() throws Exception {
    // a shim whose backend is rate limited on every run
    Path shim = dir.resolve("rate-limited-shim");
    Files.writeString(
        shim,
        "#!/usr/bin/env bash\n"
            + "echo 'AIFLOW-OUTCOME {\"code\":\"RATE_LIMITED\",\"detail\":\"HTTP 429\"}'\n"
            + "exit 1\n");
    shim.toFile().setExecutable(true);
    shims.register("rate-limited", shim.toString());
    List<Item> items = List.of(Item.of("A", 1, "pass"), Item.of("B", 2, "pass"));
    String packs = Queues.write(queueFile, 9, items);
    CampaignSpec spec =
        spec(packs, Map.of(), 20, 0, 0, false).toBuilder()
            .workerShim("rate-limited")
            .skipBackendHealthCheck(true)
            .build();
    String pi = campaigns.start(spec, "breaker", Map.of("breakerThreshold", 2));

    var first = breakerTask(pi);
    assertThat(
            engine.getTaskService().getIdentityLinksForTask(first.getId()).stream()
                .map(l -> l.getGroupId())
                .toList())
        .containsExactly("aiflow-operators");
    assertThat(variable(pi, "breakerOutcome")).isEqualTo("RATE_LIMITED");
    assertThat(campaigns.find(pi).orElseThrow().cyclesDone()).isEqualTo(2);
    engine
        .getTaskService()
        .complete(first.getId(), Map.of("breakerDecision", "resume", "breakerReason", "waited"));

    var second = breakerTask(pi);
    engine
        .getTaskService()
        .complete(
            second.getId(), Map.of("breakerDecision", "stop", "breakerReason", "quota is gone"));
    CampaignView v = campaigns.await(pi, Duration.ofSeconds(60));

    ProcessInstance instance =
        engine
            .getRuntimeService()
            .createProcessInstanceQuery()
            .processInstanceId(pi)
            .singleResult();
    assertThat(instance).isNull();
    assertThat(
            history
                .createHistoricActivityInstanceQuery()
                .processInstanceId(pi)
                .orderByHistoricActivityInstanceStartTime()
                .asc()
                .orderPartiallyByOccurrence()
                .asc()
                .list()
                .stream()
                .map(a -> a.getActivityId())
                .toList())
        .containsSubsequence(
            "Gateway_Breaker",
            "Task_RecordBreakerTripped",
            "UserTask_DecideBreaker",
            "Task_RecordBreakerDecision",
            "Gateway_BreakerJoin",
            "Gateway_WayOut",
            "CallActivity_StepCycle",
            "Task_RecordBreakerTripped",
            "UserTask_DecideBreaker",
            "EndEvent_BreakerStopped");
    assertThat(v.endReason()).isEqualTo("breaker_stopped");
    assertThat(v.cyclesDone()).isEqualTo(4);
    assertThat(v.endDetail())
        .isEqualTo(
            "stopped by system after 2 task(s) in a row failed with RATE_LIMITED: quota is gone");
    assertThat(projectEvents("breaker_tripped")).hasSize(2);
    List<JsonNode> decided = projectEvents("breaker_decided");
    assertThat(decided)
        .extracting(n -> n.path("decision").asText())
        .containsExactly("resume", "stop");
    assertThat(decided.get(1).path("reason").asText()).isEqualTo("quota is gone");
    assertThat(sessions.log(project).read().events())
        .extracting(dev.aiflow.sessionlog.SessionEvent::kind)
        .containsSubsequence(
            "breaker_tripped",
            "breaker_decided",
            "breaker_tripped",
            "breaker_decided",
            "campaign_finished");
    assertThat(statuses()).containsEntry("A", TaskStatus.PENDING);
    assertThat(loggers.logger(project).verifyProject(null).ok()).isTrue();
  }

  // ------------------------------------------------------------ parallel lanes

  /** The time a task's step cycle ran, from the engine's history. */
  record Span(java.time.Instant start, java.time.Instant end) {
    boolean overlaps(Span o) {
      return start.isBefore(o.end) && o.start.isBefore(end);
    }
  }

  Map<String, Span> cycleSpans(String campaignId) {
    Map<String, Span> out = new java.util.HashMap<>();
    for (var h :
        history.createHistoricProcessInstanceQuery().superProcessInstanceId(campaignId).list()) {
      String task = h.getBusinessKey().substring(0, h.getBusinessKey().indexOf('_'));
      out.put(task, new Span(h.getStartTime().toInstant(), h.getEndTime().toInstant()));
    }
    return out;
  }

  @Test
  void aDiamondRunsBAndCAtOnceAFailureInBDoesNotStopCAndDWaitsForBoth() throws Exception {
    String slowPass =
        Packs.stepPack("C", "pass")
            .replace("\"required_commands\": [\"grep", "\"required_commands\": [\"sleep 3 && grep");
    String packs =
        "{\"A\":"
            + Packs.stepPack("A", "pass")
            + ",\"B\":"
            + Packs.stepPack("B", "silent", 60, 8)
            + ",\"C\":"
            + slowPass
            + ",\"D\":"
            + Packs.stepPack("D", "pass")
            + "}";
    Queues.write(
        queueFile,
        1,
        List.of(
            new Item("A", 0, null, null),
            new Item("B", 1, null, "\"depends_on\": [\"A\"]"),
            new Item("C", 2, null, "\"depends_on\": [\"A\"]"),
            new Item("D", 3, null, "\"depends_on\": [\"B\", \"C\"]")));
    CampaignSpec spec =
        spec(packs, Map.of(), 10, 0, 0, false).toBuilder().maxParallelTasks(2).build();

    Run r = run(spec);

    assertThat(r.pi())
        .hasPassed(
            "Task_StartLane",
            "Gateway_OthersBusy",
            "TimerEvent_WaitForLanes",
            "EndEvent_LaneDrained",
            "Gateway_CampaignEnd",
            "EndEvent_QueueDrained");
    assertThat(statuses())
        .containsEntry("A", TaskStatus.COMPLETED)
        .containsEntry("B", TaskStatus.FAILED)
        .containsEntry("C", TaskStatus.COMPLETED)
        .containsEntry("D", TaskStatus.PENDING);
    assertThat(r.view().endDetail()).contains("D waits for B (failed)");
    Map<String, Span> spans = cycleSpans(r.pi().getId());
    assertThat(spans).containsOnlyKeys("A", "B", "C");
    assertThat(spans.get("B").overlaps(spans.get("C"))).as("B and C at once: %s", spans).isTrue();
    assertThat(spans.get("A").end()).isBeforeOrEqualTo(spans.get("B").start());
    assertThat(spans.get("A").end()).isBeforeOrEqualTo(spans.get("C").start());
    // each lane claimed as itself, and kept its cycle variables to itself
    assertThat(
            history
                .createHistoricVariableInstanceQuery()
                .processInstanceId(r.pi().getId())
                .variableName("claimOwner")
                .list()
                .stream()
                .map(v -> String.valueOf(v.getValue()))
                .toList())
        .contains("campaign:" + r.pi().getId() + "#1", "campaign:" + r.pi().getId() + "#2");
    assertThat(
            history
                .createHistoricVariableInstanceQuery()
                .processInstanceId(r.pi().getId())
                .variableName("currentTaskKey")
                .list())
        .as("one per lane, none on the campaign itself")
        .hasSize(2)
        .allSatisfy(v -> assertThat(v.getActivityInstanceId()).isNotEqualTo(r.pi().getId()));
    WorkflowLogger log = loggers.logger(project);
    assertThat(log.task("B").closed()).isTrue();
    assertThat(log.task("C").closed()).isTrue();
    assertThat(log.verifyProject(null).ok()).isTrue();
    assertThat(reconciler.reconcile(project).clean()).isTrue();
  }

  // ------------------------------------------------------------ rework escalation

  @Test
  void aTaskOutOfReworkWaitsForAPersonWhileTheQueueFinishesAroundIt() throws Exception {
    String packs =
        "{\"A\":"
            + Packs.stepPack("A", "fail-always")
            + ",\"B\":"
            + Packs.stepPack("B", "fail-always")
            + ",\"C\":"
            + Packs.stepPack("C", "pass")
            + "}";
    Queues.write(
        queueFile,
        1,
        List.of(
            new Item("A", 0, null, null),
            // the task's own setting wins over the campaign's
            new Item("B", 1, null, "\"escalate_exhausted_rework\": false"),
            new Item("C", 2, null, null)));
    CampaignSpec spec =
        spec(packs, Map.of(), 10, 0, 1, false).toBuilder()
            .maxParallelTasks(2)
            .escalateExhaustedRework(true)
            .build();

    ProcessInstance pi = campaigns.startInstance(spec, "campaign-" + project);
    var tasks = engine.getTaskService();
    var management = engine.getManagementService();
    org.awaitility.Awaitility.await()
        .atMost(Duration.ofSeconds(120))
        .pollInterval(Duration.ofMillis(200))
        .until(
            () ->
                tasks.createTaskQuery().taskDefinitionKey("UserTask_DecideEscalation").count() == 1
                    && statuses().get("B") == TaskStatus.FAILED
                    && statuses().get("C") == TaskStatus.COMPLETED
                    && management.createJobQuery().processInstanceId(pi.getId()).count() == 0);
    assertThat(statuses()).containsEntry("A", TaskStatus.IN_PROGRESS);
    CampaignView waiting = campaigns.find(pi.getId()).orElseThrow();
    assertThat(waiting.state()).isEqualTo("running");
    // nothing left to run: the other lane ended instead of polling while A waits
    Thread.sleep(1500);
    assertThat(management.createJobQuery().processInstanceId(pi.getId()).count()).isZero();
    assertThat(
            history
                .createHistoricVariableInstanceQuery()
                .variableName("escalateExhaustedRework")
                .list()
                .stream()
                .filter(v -> v.getProcessInstanceId().equals(pi.getId()))
                .map(v -> v.getValue())
                .toList())
        .containsExactly(true);

    var task =
        tasks.createTaskQuery().taskDefinitionKey("UserTask_DecideEscalation").singleResult();
    var identity = engine.getIdentityService();
    if (identity.createUserQuery().userId("olga").count() == 0) {
      identity.saveUser(identity.newUser("olga"));
      identity.createMembership("olga", "aiflow-operators");
    }
    tasks.claim(task.getId(), "olga");
    identity.setAuthentication("olga", List.of("aiflow-operators"));
    try {
      tasks.complete(
          task.getId(),
          Map.of("escalationDecision", "fail", "escalationReason", "the data needs a DBA"));
    } finally {
      identity.clearAuthentication();
    }
    CampaignView v = campaigns.await(pi.getId(), Duration.ofSeconds(60));
    assertThat(v.incidents()).isEmpty();
    assertThat(v.endReason()).isEqualTo("queue_drained");
    assertThat(statuses())
        .containsEntry("A", TaskStatus.FAILED)
        .containsEntry("B", TaskStatus.FAILED)
        .containsEntry("C", TaskStatus.COMPLETED);
    assertThat(reconciler.reconcile(project).clean()).isTrue();
  }
}
