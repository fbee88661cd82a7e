package dev.aiflow.engine.campaign;

import static org.assertj.core.api.Assertions.assertThat;
import static org.camunda.bpm.engine.test.assertions.bpmn.BpmnAwareTests.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.aiflow.campaign.CampaignSpec;
import dev.aiflow.campaign.CampaignView;
import dev.aiflow.campaign.StepPackMap;
import dev.aiflow.config.AiflowProperties;
import dev.aiflow.engine.LoggerRegistry;
import dev.aiflow.engine.audit.HistoryReconciler;
import dev.aiflow.logger.ChainEvent;
import dev.aiflow.logger.WorkflowLogger;
import dev.aiflow.support.EngineTestBase;
import dev.aiflow.support.Queues;
import dev.aiflow.support.Queues.Item;
import dev.aiflow.triage.QueueStore;
import dev.aiflow.triage.QueueTask;
import dev.aiflow.triage.TaskStatus;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;
import org.camunda.bpm.engine.HistoryService;
import org.camunda.bpm.engine.ProcessEngine;
import org.camunda.bpm.engine.runtime.ProcessInstance;
import org.camunda.bpm.engine.test.assertions.bpmn.BpmnAwareTests;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;

/**
 * Isolation in git (issue 20) on the real engine, the real step cycle, the mock shim as the agent
 * and a real repository the test creates: each task in its own worktree on {@code aiflow/<task>},
 * integrated into the campaign branch after the kernel's QA; a conflict is a finding that sends the
 * task back to run again from the campaign branch's head with the conflict named.
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
class CampaignGitIsolationProcessTest extends EngineTestBase {

  static final ObjectMapper JSON = new ObjectMapper();

  @Autowired ProcessEngine engine;
  @Autowired CampaignService campaigns;
  @Autowired LoggerRegistry loggers;
  @Autowired HistoryReconciler reconciler;
  @Autowired HistoryService history;
  @Autowired AiflowProperties properties;
  @TempDir Path dir;
  Path repo;
  Path queueFile;
  String project;
  String base;

  @BeforeEach
  void setUp() throws Exception {
    BpmnAwareTests.init(engine);
    project = "g-" + UUID.randomUUID().toString().substring(0, 8);
    repo = Files.createDirectories(dir.resolve("repo"));
    queueFile = dir.resolve("progress/task_queue.json");
    git("init", "-q", "-b", "main");
    Files.createDirectories(repo.resolve("src"));
    Files.writeString(repo.resolve("src/shared.txt"), "# the shared file\nstatus: todo\n");
    Files.writeString(repo.resolve("README.md"), "a project\n");
    git("add", "-A");
    git("commit", "-q", "-m", "base");
    base = git("rev-parse", "HEAD");
  }

  /** A pack for the mock shim: it writes {@code file} (its step id in the first line). */
  static String pack(String task, String step, String file) {
    return """
        {
          "schema": "aiflow.step_pack.v1", "run_id": "RUN-%1$s", "task_id": "%1$s",
          "step_id": "%2$s", "title": "Finish %1$s", "objective": "%3$s says done",
          "instructions": ["mock-scenario: pass", "Change only %3$s."],
          "tier": "tier2", "allowed_paths": ["%3$s"],
          "acceptance_criteria": [{"id": "AC-1", "description": "done",
                                   "verification": "grep -q 'status: done' %3$s"}],
          "required_commands": ["sleep 2 && grep -q 'status: done' %3$s"],
          "evidence_dir": ".artifacts/RUN-%1$s/%1$s/%2$s",
          "limits": {"max_runtime_sec": 60, "max_silence_sec": 20, "max_memory_mb": 512},
          "worker": {"backend": "mock"}
        }
        """
        .formatted(task, step, file);
  }

  CampaignView run(Map<String, String> packs, int lanes, int maxAttempts, List<String> keys)
      throws Exception {
    List<Item> items = new ArrayList<>();
    for (int i = 0; i < keys.size(); i++) {
      items.add(new Item(keys.get(i), i, null, null));
    }
    Queues.write(queueFile, maxAttempts, items);
    String map =
        packs.entrySet().stream()
            .map(e -> "\"" + e.getKey() + "\":" + e.getValue())
            .collect(Collectors.joining(",", "{", "}"));
    CampaignSpec spec =
        CampaignSpec.builder(project, queueFile)
            .stepPacks(StepPackMap.fromJson(map, "stepPacks"))
            .maxCycles(20)
            .maxStagnantCycles(0)
            .maxReworkRounds(0)
            .maxParallelTasks(lanes)
            .workspace(repo)
            .build();
    ProcessInstance pi = campaigns.startInstance(spec, "campaign-" + project);
    CampaignView v = campaigns.await(pi.getId(), Duration.ofSeconds(180));
    assertThat(v.incidents()).isEmpty();
    assertThat(v.state()).isEqualTo("completed");
    assertThat(pi).hasPassed("Task_PrepareTaskWorkspace", "Task_IntegrateTaskBranch");
    return v;
  }

  @Test
  void threeTasksOnDifferentFilesRunInParallelWorktreesAndAllIntegrate() throws Exception {
    Map<String, String> packs = new HashMap<>();
    for (String t : List.of("A", "B", "C")) {
      packs.put(t, pack(t, "S1", "src/" + t + ".txt"));
    }
    CampaignView v = run(packs, 3, 1, List.of("A", "B", "C"));

    String campaignId = v.id();
    String branch = "aiflow-campaign/" + campaignId;
    assertThat(statuses())
        .containsEntry("A", TaskStatus.COMPLETED)
        .containsEntry("B", TaskStatus.COMPLETED)
        .containsEntry("C", TaskStatus.COMPLETED);
    // exactly the accepted changes: three new files, nothing else (no evidence, no .artifacts)
    assertThat(git("diff", "--name-only", base, branch).lines())
        .containsExactlyInAnyOrder("src/A.txt", "src/B.txt", "src/C.txt");
    for (String t : List.of("A", "B", "C")) {
      assertThat(git("show", branch + ":src/" + t + ".txt")).contains("status: done");
    }
    assertThat(git("log", "--merges", "--format=%s", branch).lines()).hasSize(3);
    // each ran in its own worktree, at the same time as the others
    Map<String, Span> spans = cycleSpans(campaignId);
    assertThat(spans.get("A").overlaps(spans.get("B"))).as("%s", spans).isTrue();
    assertThat(spans.get("B").overlaps(spans.get("C"))).as("%s", spans).isTrue();
    Path worktrees = properties.dataDir().resolve("worktrees").toRealPath();
    assertThat(workspacesGiven(campaignId))
        .hasSize(3)
        .allSatisfy(w -> assertThat(Path.of(w).startsWith(worktrees)).as(w).isTrue())
        .doesNotHaveDuplicates();
    WorkflowLogger log = loggers.logger(project);
    for (String t : List.of("A", "B", "C")) {
      ChainEvent accepted = last(log, t, "integration_accepted");
      JsonNode n = JSON.readTree(accepted.json());
      assertThat(n.findValue("task_branch").asText()).isEqualTo("aiflow/" + t);
      assertThat(n.findValue("files").toString()).contains("src/" + t + ".txt");
      assertThat(log.task(t).closed()).isTrue();
    }
    noWorktreeLeft(campaignId);
    assertThat(log.verifyProject(null).ok()).isTrue();
    assertThat(reconciler.reconcile(project).clean()).isTrue();
  }

  @Test
  void twoTasksEditingTheSameLinesConflictTheSecondReworksFromTheHeadWithTheConflictNamed()
      throws Exception {
    Map<String, String> packs =
        Map.of(
            "P", pack("P", "SP", "src/shared.txt"),
            "Q", pack("Q", "SQ", "src/shared.txt"));
    CampaignView v = run(packs, 2, 2, List.of("P", "Q"));

    String campaignId = v.id();
    String branch = "aiflow-campaign/" + campaignId;
    Map<String, Span> spans = cycleSpans(campaignId);
    WorkflowLogger log = loggers.logger(project);
    List<String> conflicted = new ArrayList<>();
    for (String t : List.of("P", "Q")) {
      if (log.taskEvents(t).stream().anyMatch(e -> e.eventType().equals("integration_conflict"))) {
        conflicted.add(t);
      }
    }
    // overlapping allowed paths run at once with worktrees: the conflict is found at integration
    assertThat(conflicted).as("spans %s", spans).hasSize(1);
    String second = conflicted.get(0);
    String first = second.equals("P") ? "Q" : "P";
    JsonNode finding = JSON.readTree(last(log, second, "integration_conflict").json());
    assertThat(finding.findValue("finding").asText())
        .startsWith("INTEGRATION_CONFLICT")
        .contains("src/shared.txt");
    assertThat(finding.findValue("files").toString()).contains("src/shared.txt");
    // the queue took it as a failed run, requeued it, and the second run was integrated
    assertThat(statuses())
        .containsEntry("P", TaskStatus.COMPLETED)
        .containsEntry("Q", TaskStatus.COMPLETED);
    QueueTask q = new QueueStore(queueFile).read().require(second);
    assertThat(q.attempts()).isEqualTo(2);
    assertThat(last(log, second, "integration_accepted")).isNotNull();
    // its second pack named the conflict
    assertThat(packsGiven(campaignId))
        .anySatisfy(
            p ->
                assertThat(p)
                    .contains("Rework after integration: INTEGRATION_CONFLICT")
                    .contains("src/shared.txt"));
    // the campaign branch ends with the accepted changes: the rework on top of the first
    assertThat(git("diff", "--name-only", base, branch).lines()).containsExactly("src/shared.txt");
    assertThat(git("show", branch + ":src/shared.txt"))
        .contains("S" + second)
        .contains("status: done");
    assertThat(git("log", "--format=%s", branch).lines())
        .anyMatch(s -> s.startsWith("aiflow: " + first))
        .anyMatch(s -> s.startsWith("aiflow: " + second));
    noWorktreeLeft(campaignId);
    assertThat(log.verifyProject(null).ok()).isTrue();
    assertThat(reconciler.reconcile(project).clean()).isTrue();
  }

  void noWorktreeLeft(String campaignId) throws Exception {
    assertThat(
            git("worktree", "list", "--porcelain").lines().filter(l -> l.startsWith("worktree ")))
        .hasSize(1);
    assertThat(git("for-each-ref", "--format=%(refname)", "refs/heads/aiflow/")).isEmpty();
    assertThat(properties.dataDir().resolve("worktrees").resolve(project).resolve(campaignId))
        .doesNotExist();
    // the user's checkout was never touched
    assertThat(git("rev-parse", "HEAD")).isEqualTo(base);
    assertThat(git("symbolic-ref", "--short", "HEAD")).isEqualTo("main");
    assertThat(git("status", "--porcelain")).isEmpty();
  }

  static ChainEvent last(WorkflowLogger log, String task, String type) {
    List<ChainEvent> events = log.taskEvents(task);
    for (int i = events.size() - 1; i >= 0; i--) {
      if (events.get(i).eventType().equals(type)) {
        return events.get(i);
      }
    }
    throw new AssertionError(task + " has no " + type + " event");
  }

  Map<String, TaskStatus> statuses() {
    return new QueueStore(queueFile)
        .read().tasks().stream().collect(Collectors.toMap(QueueTask::key, QueueTask::status));
  }

  /** The workspace each step cycle of the campaign was given. */
  List<String> workspacesGiven(String campaignId) {
    List<String> out = new ArrayList<>();
    for (var h :
        history.createHistoricProcessInstanceQuery().superProcessInstanceId(campaignId).list()) {
      var w =
          history
              .createHistoricVariableInstanceQuery()
              .processInstanceId(h.getId())
              .variableName("workspace")
              .singleResult();
      out.add(String.valueOf(w.getValue()));
    }
    return out;
  }

  /** Every value the lanes' currentStepPack took. */
  /** The packs the campaign's step cycles were given: their {@code stepPack}, as history has it. */
  List<String> packsGiven(String campaignId) {
    List<String> out = new ArrayList<>();
    history
        .createHistoricProcessInstanceQuery()
        .superProcessInstanceId(campaignId)
        .list()
        .forEach(
            cycle ->
                history
                    .createHistoricVariableInstanceQuery()
                    .processInstanceId(cycle.getId())
                    .variableName("stepPack")
                    .list()
                    .forEach(v -> out.add(String.valueOf(v.getValue()))));
    return out;
  }

  record Span(Instant start, Instant end) {
    boolean overlaps(Span o) {
      return start.isBefore(o.end) && o.start.isBefore(end);
    }
  }

  Map<String, Span> cycleSpans(String campaignId) {
    Map<String, Span> out = new HashMap<>();
    for (var h :
        history.createHistoricProcessInstanceQuery().superProcessInstanceId(campaignId).list()) {
      String task = h.getBusinessKey().substring(0, h.getBusinessKey().indexOf('_'));
      out.putIfAbsent(task, new Span(h.getStartTime().toInstant(), h.getEndTime().toInstant()));
    }
    return out;
  }

  String git(String... args) throws Exception {
    List<String> argv =
        new ArrayList<>(List.of("git", "-c", "user.name=t", "-c", "user.email=t@t"));
    argv.addAll(List.of(args));
    Process p = new ProcessBuilder(argv).directory(repo.toFile()).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (p.waitFor() != 0) {
      throw new IllegalStateException("git " + String.join(" ", args) + ": " + out);
    }
    return out.strip();
  }
}
