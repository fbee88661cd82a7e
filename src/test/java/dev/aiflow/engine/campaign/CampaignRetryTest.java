package dev.aiflow.engine.campaign;

import static org.assertj.core.api.Assertions.assertThat;

import dev.aiflow.campaign.CampaignSpec;
import dev.aiflow.campaign.CampaignView;
import dev.aiflow.campaign.StepPackMap;
import dev.aiflow.engine.LoggerRegistry;
import dev.aiflow.engine.SessionRecorder;
import dev.aiflow.engine.audit.HistoryReconciler;
import dev.aiflow.scoreboard.ScoreboardStore;
import dev.aiflow.support.EngineTestBase;
import dev.aiflow.support.Queues;
import dev.aiflow.support.Queues.Item;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.camunda.bpm.engine.HistoryService;
import org.camunda.bpm.engine.delegate.JavaDelegate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;

/**
 * Queue finalize, scoreboard sync and the integration of a task branch are jobs of their own; each
 * fails once here after its side effects (a fault after the work, before the commit), the engine
 * retries it, and the queue, the chain, the scoreboard and the session log hold each effect once.
 */
@SpringBootTest(
    webEnvironment = SpringBootTest.WebEnvironment.NONE,
    properties = {
      EngineTestBase.OWN_DATABASE,
      EngineTestBase.OWN_DATA_DIR,
      EngineTestBase.MOCK_SHIM,
      EngineTestBase.FAST_WORKER,
      EngineTestBase.OWN_ENGINE_NAME,
      EngineTestBase.TEMP_ROOT,
      "spring.main.allow-bean-definition-overriding=true"
    })
@Import(CampaignRetryTest.FailOnceAfterTheWork.class)
class CampaignRetryTest extends EngineTestBase {

  @TestConfiguration
  static class FailOnceAfterTheWork {
    static final Set<String> FAILED = ConcurrentHashMap.newKeySet();

    static JavaDelegate failOnceAfter(JavaDelegate real) {
      return ex -> {
        real.execute(ex);
        if (FAILED.add(ex.getProcessInstanceId() + "/" + ex.getCurrentActivityId())) {
          throw new IllegalStateException("injected fault after " + ex.getCurrentActivityId());
        }
      };
    }

    @Bean("finalizeQueueDelegate")
    JavaDelegate finalizeQueueDelegate(CampaignSupport support) {
      return failOnceAfter(new FinalizeQueueDelegate(support));
    }

    /** A guard that breaks (not a refusal: an exception) for project "broken-start". */
    @Bean("checkExecutionGuardDelegate")
    JavaDelegate checkExecutionGuardDelegate(
        CampaignSupport support, dev.aiflow.engine.SessionRecorder session) {
      JavaDelegate real = new CheckExecutionGuardDelegate(support, session);
      return ex -> {
        if ("broken-start".equals(ex.getVariable("projectId"))) {
          throw new IllegalStateException("injected fault in the start transaction");
        }
        real.execute(ex);
      };
    }

    @Bean("integrateTaskBranchDelegate")
    JavaDelegate integrateTaskBranchDelegate(
        CampaignSupport support, TaskWorktrees worktrees, SessionRecorder session) {
      return failOnceAfter(new IntegrateTaskBranchDelegate(support, worktrees, session));
    }

    @Bean("syncScoreboardDelegate")
    JavaDelegate syncScoreboardDelegate(CampaignSupport support) {
      return failOnceAfter(new SyncScoreboardDelegate(support));
    }
  }

  @Autowired CampaignService campaigns;
  @Autowired LoggerRegistry loggers;
  @Autowired HistoryService history;
  @Autowired SessionRecorder sessions;
  @Autowired HistoryReconciler reconciler;
  @TempDir Path dir;

  @Test
  void aRetriedFinalizeOrSyncRecordsTheCycleOnce() throws Exception {
    Path queue = dir.resolve("progress/task_queue.json");
    String packs =
        Queues.write(queue, 3, List.of(Item.of("A", 1, "pass"), Item.of("B", 2, "fail-always")));
    CampaignSpec spec =
        CampaignSpec.builder("retry-campaign", queue)
            .stepPacks(StepPackMap.fromJson(packs, "packs"))
            .maxCycles(2)
            .maxReworkRounds(0)
            .workspace(dir.resolve("ws"))
            .build();
    java.nio.file.Files.createDirectories(dir.resolve("ws"));

    String id = campaigns.start(spec, "retry");
    CampaignView v = campaigns.await(id, Duration.ofSeconds(120));

    assertThat(v.incidents()).isEmpty();
    assertThat(v.endReason()).isEqualTo("max_cycles");
    for (String activity : List.of("Task_FinalizeQueue", "Task_SyncScoreboard")) {
      assertThat(
              history
                  .createHistoricJobLogQuery()
                  .processInstanceId(id)
                  .activityIdIn(activity)
                  .failureLog()
                  .count())
          .as("%s failed once and was retried", activity)
          .isEqualTo(1);
    }
    var log = loggers.logger("retry-campaign");
    assertThat(log.taskEvents("A")).filteredOn(e -> e.eventType().equals("task_closed")).hasSize(1);
    assertThat(log.taskEvents("B"))
        .filteredOn(e -> e.eventType().equals("task_requeued"))
        .hasSize(1);
    ScoreboardStore board = new ScoreboardStore(queue.getParent());
    assertThat(board.read().cycles()).isEqualTo(2);
    assertThat(board.read().completed()).isEqualTo(1);
    assertThat(board.read().requeued()).isEqualTo(1);
    assertThat(board.trends()).extracting(t -> t.taskKey()).containsExactly("A", "B");
    assertThat(v.cyclesDone()).isEqualTo(2);
    assertThat(new dev.aiflow.triage.QueueStore(queue).read().require("B").attempts()).isEqualTo(1);
    var kinds =
        sessions.log("retry-campaign").read().events().stream()
            .map(dev.aiflow.sessionlog.SessionEvent::kind)
            .toList();
    assertThat(kinds).filteredOn("campaign_finished"::equals).hasSize(1);
    assertThat(log.verifyProject(null).ok()).isTrue();
    assertThat(reconciler.reconcile("retry-campaign").clean()).isTrue();
  }

  @Test
  void aRetriedIntegrationTakesItsResultFromTheChainAndIntegratesOnce() throws Exception {
    Path repo = java.nio.file.Files.createDirectories(dir.resolve("repo"));
    git(repo, "init", "-q", "-b", "main");
    java.nio.file.Files.writeString(repo.resolve("README.md"), "a project\n");
    git(repo, "add", "-A");
    git(repo, "commit", "-q", "-m", "base");
    Path queue = dir.resolve("git-progress/task_queue.json");
    String packs =
        Queues.write(queue, 1, List.of(Item.of("A", 1, "pass"), Item.of("B", 2, "pass")));
    CampaignSpec spec =
        CampaignSpec.builder("retry-git", queue)
            .stepPacks(StepPackMap.fromJson(packs, "packs"))
            .maxCycles(5)
            .maxReworkRounds(0)
            .workspace(repo)
            .build();

    String id = campaigns.start(spec, "retry-git");
    CampaignView v = campaigns.await(id, Duration.ofSeconds(120));

    assertThat(v.incidents()).isEmpty();
    assertThat(v.allCompleted()).isTrue();
    assertThat(
            history
                .createHistoricJobLogQuery()
                .processInstanceId(id)
                .activityIdIn("Task_IntegrateTaskBranch")
                .failureLog()
                .count())
        .as("the integration failed once after its work and was retried")
        .isEqualTo(1);
    var log = loggers.logger("retry-git");
    for (String t : List.of("A", "B")) {
      assertThat(log.taskEvents(t))
          .filteredOn(e -> e.eventType().equals("integration_accepted"))
          .hasSize(1);
    }
    String branch = "aiflow-campaign/" + id;
    assertThat(git(repo, "diff", "--name-only", "main", branch).lines())
        .containsExactlyInAnyOrder("src/A.txt", "src/B.txt");
    assertThat(git(repo, "log", "--merges", "--format=%s", branch).lines()).hasSize(2);
    assertThat(git(repo, "worktree", "list", "--porcelain").lines())
        .filteredOn(l -> l.startsWith("worktree "))
        .hasSize(1);
    assertThat(log.verifyProject(null).ok()).isTrue();
    assertThat(reconciler.reconcile("retry-git").clean()).isTrue();
  }

  static String git(Path dir, String... args) throws Exception {
    List<String> argv =
        new java.util.ArrayList<>(List.of("git", "-c", "user.name=t", "-c", "user.email=t@t"));
    argv.addAll(List.of(args));
    Process p = new ProcessBuilder(argv).directory(dir.toFile()).redirectErrorStream(true).start();
    String out =
        new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    if (p.waitFor() != 0) {
      throw new IllegalStateException("git " + String.join(" ", args) + ": " + out);
    }
    return out.strip();
  }

  @Test
  void aStartThatRollsBackLeavesNoOwnerOfTheQueue() throws Exception {
    Path queue = dir.resolve("q/task_queue.json");
    Queues.write(queue, 1, List.of(Item.of("A", 1, "pass")));
    CampaignSpec spec = CampaignSpec.builder("broken-start", queue).build();

    org.assertj.core.api.Assertions.assertThatThrownBy(() -> campaigns.start(spec, "broken"))
        .hasMessageContaining("injected fault in the start transaction");

    assertThat(new dev.aiflow.campaign.QueueOwner(queue).file()).doesNotExist();
    assertThat(
            history
                .createHistoricProcessInstanceQuery()
                .processInstanceBusinessKey("broken")
                .count())
        .as("nothing of the start was committed")
        .isZero();
  }
}
