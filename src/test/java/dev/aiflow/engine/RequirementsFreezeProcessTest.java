package dev.aiflow.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.camunda.bpm.engine.test.assertions.bpmn.BpmnAwareTests.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.aiflow.campaign.CampaignView;
import dev.aiflow.engine.campaign.CampaignService;
import dev.aiflow.negotiation.FreezeStatus;
import dev.aiflow.negotiation.FreezeStore;
import dev.aiflow.negotiation.LaunchSeal;
import dev.aiflow.negotiation.Snapshots;
import dev.aiflow.sessionlog.SessionEvent;
import dev.aiflow.support.EngineTestBase;
import dev.aiflow.support.ProcessCoverage;
import dev.aiflow.support.Queues;
import dev.aiflow.support.Queues.Item;
import dev.aiflow.triage.QueueStore;
import dev.aiflow.triage.TaskStatus;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.camunda.bpm.engine.HistoryService;
import org.camunda.bpm.engine.ProcessEngine;
import org.camunda.bpm.engine.TaskService;
import org.camunda.bpm.engine.history.HistoricTaskInstance;
import org.camunda.bpm.engine.runtime.ProcessInstance;
import org.camunda.bpm.engine.task.Task;
import org.camunda.bpm.engine.test.assertions.bpmn.BpmnAwareTests;
import org.camunda.community.process_test_coverage.spring_test.common.ProcessEngineCoverageProperties;
import org.camunda.community.process_test_coverage.spring_test.platform7.ProcessEngineCoverageConfiguration;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.context.annotation.Primary;

/**
 * requirements-freeze.bpmn on the real engine: the Tasklist user task completed through the
 * engine's task API as an approver would (claim, then approve or reject with a comment). One test
 * per path; at least 90% coverage of the model.
 */
@Import({ProcessEngineCoverageConfiguration.class, RequirementsFreezeProcessTest.Coverage.class})
class RequirementsFreezeProcessTest extends EngineTestBase {

  @TestConfiguration
  static class Coverage {
    @Bean
    @Primary
    ProcessEngineCoverageProperties coverageProperties() {
      return ProcessCoverage.atLeast90Percent(
          "requirements-freeze.bpmn", List.of("stepCycle", "campaign"));
    }
  }

  static final ObjectMapper JSON = new ObjectMapper();

  @Autowired ProcessEngine engine;
  @Autowired TaskService tasks;
  @Autowired HistoryService history;
  @Autowired SessionRecorder sessions;
  @Autowired LoggerRegistry loggers;
  @Autowired CampaignService campaigns;
  @Autowired dev.aiflow.config.AiflowProperties properties;
  String project;
  String dialogue;

  @BeforeEach
  void setUp() throws Exception {
    BpmnAwareTests.init(engine);
    project = "r-" + UUID.randomUUID().toString().substring(0, 8);
    dialogue = Files.readString(Path.of("examples/requirements/dialogue.txt"));
  }

  ProcessInstance start(String text, Map<String, Object> extra) {
    Map<String, Object> v = new HashMap<>(extra);
    v.put("projectId", project);
    v.put("dialogue", text);
    return engine
        .getRuntimeService()
        .startProcessInstanceByKey("requirementsFreeze", "freeze-" + project, v);
  }

  Task approvalTask(ProcessInstance pi) {
    return tasks.createTaskQuery().processInstanceId(pi.getId()).singleResult();
  }

  void decide(ProcessInstance pi, String user, boolean approved, String comment) {
    Task t = approvalTask(pi);
    tasks.claim(t.getId(), user);
    tasks.complete(t.getId(), Map.of("approved", approved, "approvalComment", comment));
  }

  FreezeStore store() {
    return new FreezeStore(properties.projectDir(project));
  }

  List<String> sessionKinds() {
    return sessions.log(project).read().events().stream().map(SessionEvent::kind).toList();
  }

  @Test
  void aDialogueFileThatIsNotTheProjectsOwnEndsAtInvalidInput() throws Exception {
    Path elsewhere = Files.writeString(properties.dataDir().resolve("admin-notes.txt"), "x");
    Map<String, Object> v = new HashMap<>();
    v.put("projectId", project);
    v.put("dialoguePath", elsewhere.toAbsolutePath().toString());
    ProcessInstance pi =
        engine.getRuntimeService().startProcessInstanceByKey("requirementsFreeze", v);
    assertThat(pi).isEnded().hasPassed("BoundaryEvent_InvalidInput", "EndEvent_InvalidInput");
    assertThat(
            history
                .createHistoricVariableInstanceQuery()
                .processInstanceId(pi.getId())
                .variableName("inputProblem")
                .singleResult()
                .getValue()
                .toString())
        .startsWith("dialoguePath: not a dialogue file of this project");
    assertThat(store().draftFile()).doesNotExist();
  }

  @Test
  void approvedDraftIsFrozenWithItsApproverInHistoryAndTheSessionLog() throws Exception {
    ProcessInstance pi = start(dialogue, Map.of());

    assertThat(pi).isWaitingAt("UserTask_ApproveRequirements");
    Task t = approvalTask(pi);
    assertThat(tasks.getIdentityLinksForTask(t.getId()))
        .anyMatch(l -> "approvers".equals(l.getGroupId()) && "candidate".equals(l.getType()));
    assertThat(BpmnAwareTests.runtimeService().getVariable(pi.getId(), "draftFindingsSummary"))
        .asString()
        .startsWith("yes");
    assertThat(store().draftFile()).exists();

    decide(pi, "alice", true, "ship it");

    assertThat(pi)
        .isEnded()
        .hasPassedInOrder(
            "Task_DraftRequirements",
            "UserTask_ApproveRequirements",
            "Gateway_Approved",
            "Task_FreezeRequirements",
            "Gateway_StartCampaign",
            "EndEvent_Frozen");
    FreezeStatus status = store().status();
    assertThat(status.approved()).isTrue();
    assertThat(status.meta().version()).isEqualTo(1);
    assertThat(status.meta().approver()).isEqualTo("alice");
    assertThat(Files.readString(store().inputDir().resolve("requirements.v1.md")))
        .isEqualTo(Files.readString(store().draftFile()));
    assertThat(Snapshots.readPlan(store().planFile()).tasks()).containsOnlyKeys("T-1", "T-2");
    JsonNode profile =
        JSON.readTree(Files.readString(store().inputDir().resolve("controller_profile.json")));
    assertThat(profile.path("controller_backend").asText()).isEqualTo("heuristic");

    HistoricTaskInstance done =
        history.createHistoricTaskInstanceQuery().processInstanceId(pi.getId()).singleResult();
    assertThat(done.getAssignee()).isEqualTo("alice");
    assertThat(done.getEndTime()).isNotNull();
    assertThat(tasks.getProcessInstanceComments(pi.getId()))
        .extracting(c -> c.getFullMessage())
        .containsExactly("approved by alice: ship it");
    assertThat(
            history
                .createHistoricVariableInstanceQuery()
                .processInstanceId(pi.getId())
                .variableName("requirementsSha256")
                .singleResult()
                .getValue())
        .isEqualTo(status.meta().sha256());

    assertThat(sessionKinds())
        .containsExactly("requirements_drafted", "requirements_approved", "requirements_frozen");
    SessionEvent approval = sessions.log(project).read().events().get(1);
    assertThat(approval.details()).containsEntry("approver", "alice");
    assertThat(loggers.logger(project).verifyProject(null).ok()).isTrue();
  }

  @Test
  void rejectionLoopsBackToANewDraftThatTakesTheComment() throws Exception {
    ProcessInstance pi =
        start(
            "lead: we need a greeting so that people feel welcome\nlead: - Say hello in src/greet.py",
            Map.of());
    assertThat(BpmnAwareTests.runtimeService().getVariable(pi.getId(), "draftFindingsSummary"))
        .asString()
        .startsWith("no, ");

    decide(pi, "bob", false, "hello must print exactly Hello; run `python -m pytest -q`");

    assertThat(pi).isWaitingAt("UserTask_ApproveRequirements");
    assertThat(pi).hasPassed("Task_RecordRejection");
    assertThat(BpmnAwareTests.runtimeService().getVariable(pi.getId(), "draftRound")).isEqualTo(2);
    String draft = Files.readString(store().draftFile());
    assertThat(draft)
        .contains("hello must print exactly Hello")
        .contains("(verify: `python -m pytest -q`)");
    assertThat(store().status().code()).isEqualTo("FREEZE_NOT_APPROVED");

    decide(pi, "bob", true, "good now");
    assertThat(pi).isEnded().hasPassed("EndEvent_Frozen");
    assertThat(store().status().meta().approver()).isEqualTo("bob");
    assertThat(sessionKinds())
        .containsExactly(
            "requirements_drafted",
            "requirements_rejected",
            "requirements_drafted",
            "requirements_approved",
            "requirements_frozen");
    assertThat(tasks.getProcessInstanceComments(pi.getId()))
        .extracting(c -> c.getFullMessage())
        .contains("rejected by bob: hello must print exactly Hello; run `python -m pytest -q`");
  }

  @Test
  void approvingADraftThatCannotFreezeSendsItBackInsteadOfFreezing() throws Exception {
    ProcessInstance pi = start("user: make the app nicer", Map.of());

    decide(pi, "carol", true, "looks fine to me");

    assertThat(pi)
        .hasPassed("BoundaryEvent_FreezeRefused", "Task_RecordRejection")
        .isWaitingAt("UserTask_ApproveRequirements");
    assertThat(store().latestVersion()).isZero();
    assertThat(store().currentFile()).doesNotExist();
    SessionEvent rejected =
        sessions.log(project).read().events().stream()
            .filter(e -> e.kind().equals("requirements_rejected"))
            .findFirst()
            .orElseThrow();
    assertThat(rejected.details().get("comment"))
        .startsWith("The freeze refused the draft:")
        .contains("PLACEHOLDER_LEFT");
  }

  @Test
  void anApprovalCanLaunchACampaignThatRunsUnderTheFreeze() throws Exception {
    Path dir = Path.of("target/test-data/launch-" + UUID.randomUUID()).toAbsolutePath();
    Path queue = dir.resolve("progress/task_queue.json");
    Files.createDirectories(dir.resolve("workspace"));
    String packs = Queues.write(queue, 1, List.of(Item.of("A", 1, "pass")));
    String campaign =
        JSON.writeValueAsString(
            Map.of(
                "queuePath",
                queue.toString(),
                "stepPackMap",
                packs,
                "workspace",
                dir.resolve("workspace").toString(),
                "maxReworkRounds",
                0));
    ProcessInstance pi =
        start(
            "title: Finish A\n"
                + "we need A's status line to say done so that the demo completes\n"
                + "- Finish A in src/A.txt\n"
                + "the status line of src/A.txt must say done\n",
            Map.of(
                "startCampaign",
                true,
                "campaignVariables",
                campaign,
                // what RequirementsService writes at the start
                "launchSeal",
                LaunchSeal.forDataDir(properties.dataDir()).seal(project, null, true, campaign)));
    decide(pi, "alice", true, "go");

    // Task_LaunchCampaign is asynchronous: the approval commits before a campaign starts
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (history
                .createHistoricProcessInstanceQuery()
                .processInstanceId(pi.getId())
                .finished()
                .count()
            == 0
        && System.nanoTime() < deadline) {
      Thread.sleep(50);
    }
    assertThat(pi).isEnded().hasPassed("Task_LaunchCampaign", "EndEvent_CampaignStarted");
    String campaignId =
        history
            .createHistoricVariableInstanceQuery()
            .processInstanceId(pi.getId())
            .variableName("launchedCampaignId")
            .singleResult()
            .getValue()
            .toString();
    CampaignView v = campaigns.await(campaignId, Duration.ofSeconds(90));
    assertThat(v.endReason()).isEqualTo("queue_drained");
    assertThat(new QueueStore(queue).read().require("A").status()).isEqualTo(TaskStatus.COMPLETED);
    assertThat(sessionKinds()).containsSubsequence("requirements_frozen", "execution_started");

    // one way to start a campaign: the launch went through CampaignSpec and CampaignService, so
    // its variables are those of the same campaign started as the REST API starts one
    dev.aiflow.campaign.CampaignSpec same =
        dev.aiflow.campaign.CampaignSpec.builder(project, queue)
            .stepPacks(dev.aiflow.campaign.StepPackMap.fromJson(packs, "stepPackMap"))
            .workspace(dir.resolve("workspace"))
            .maxReworkRounds(0)
            .safeguards(
                new dev.aiflow.campaign.Safeguards(
                    true, false, false, false, properties.projectDir(project)))
            .build();
    String rest = campaigns.start(same, "rest-" + project);
    assertThat(campaigns.await(rest, Duration.ofSeconds(90)).endReason())
        .isEqualTo("queue_drained");
    Map<String, Object> launched = startVariables(campaignId);
    Map<String, Object> started = startVariables(rest);
    assertThat(launched)
        .containsEntry("maxCycles", dev.aiflow.campaign.CampaignSpec.DEFAULT_MAX_CYCLES)
        .containsEntry(
            "maxStagnantCycles", dev.aiflow.campaign.CampaignSpec.DEFAULT_MAX_STAGNANT_CYCLES)
        .containsEntry("maxParallelTasks", 1)
        .containsEntry("skipBackendHealthCheck", false)
        .containsEntry("progressDir", queue.getParent().toString())
        .isEqualTo(started);
  }

  /** The spec's variables of a campaign, as its history holds them (Json values as text). */
  Map<String, Object> startVariables(String campaignId) {
    java.util.Set<String> names =
        CampaignService.variables(
                dev.aiflow.campaign.CampaignSpec.builder(project, Path.of("q.json"))
                    .workerBackend("b")
                    .workerShim("s")
                    .workspace(Path.of("w"))
                    .claimOwner("o")
                    .safeguards(
                        new dev.aiflow.campaign.Safeguards(true, true, true, true, Path.of("r")))
                    .budget(new dev.aiflow.campaign.CampaignBudget(1, 1))
                    .build())
            .keySet();
    Map<String, Object> out = new java.util.TreeMap<>();
    for (var v :
        history.createHistoricVariableInstanceQuery().processInstanceId(campaignId).list()) {
      if (names.contains(v.getName()) && !"claimOwner".equals(v.getName())) {
        Object value = v.getValue();
        out.put(
            v.getName(),
            value instanceof String || value instanceof Number || value instanceof Boolean
                ? value
                : String.valueOf(value));
      }
    }
    assertThat(out).containsKeys("queuePath", "stepPackMap", "workerBackendMap", "maxCycles");
    return out;
  }

  /**
   * The insider review: completing the approval may set any variable, and an approver added {@code
   * startCampaign} and their own campaign to it. The launch checks the seal written at the draft's
   * start: an incident, and no campaign starts.
   */
  @Test
  void anApproverCannotAddACampaignToTheApproval() throws Exception {
    ProcessInstance pi =
        start(
            "title: Finish A\n"
                + "we need A's status line to say done so that the demo completes\n"
                + "- Finish A in src/A.txt\n"
                + "the status line of src/A.txt must say done\n",
            Map.of(
                "launchSeal",
                LaunchSeal.forDataDir(properties.dataDir()).seal(project, null, false, null)));
    Task t = approvalTask(pi);
    tasks.claim(t.getId(), "mallory");
    tasks.complete(
        t.getId(),
        Map.of(
            "approved",
            true,
            "startCampaign",
            true,
            "campaignVariables",
            "{\"queuePath\":\"/tmp/elsewhere/task_queue.json\"}"));
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (engine.getRuntimeService().createIncidentQuery().processInstanceId(pi.getId()).count()
            == 0
        && System.nanoTime() < deadline) {
      Thread.sleep(50);
    }
    assertThat(
            engine
                .getRuntimeService()
                .createIncidentQuery()
                .processInstanceId(pi.getId())
                .singleResult()
                .getIncidentMessage())
        .contains("not launched")
        .doesNotContain("/tmp/elsewhere");
    assertThat(
            history.createHistoricProcessInstanceQuery().processDefinitionKey("campaign").count())
        .isZero();
  }
}
