package dev.aiflow.engine.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.aiflow.campaign.CampaignSpec;
import dev.aiflow.campaign.Safeguards;
import dev.aiflow.campaign.StepPackMap;
import dev.aiflow.engine.campaign.CampaignService;
import dev.aiflow.engine.dispatch.AgentDispatchHandler;
import dev.aiflow.metrics.AiflowMetrics;
import dev.aiflow.metrics.EngineState;
import dev.aiflow.support.EngineTestBase;
import dev.aiflow.support.Queues;
import dev.aiflow.support.Queues.Item;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.camunda.bpm.engine.ExternalTaskService;
import org.camunda.bpm.engine.ProcessEngine;
import org.camunda.bpm.engine.externaltask.LockedExternalTask;
import org.camunda.bpm.engine.runtime.ProcessInstance;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;

/**
 * The gauges' values as the real engine has them: a campaign whose first dispatch waits for a
 * worker (the in-process one is off), that task locked by a worker, failed for good, and the
 * campaign gone.
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
      "aiflow.worker.in-process=false"
    })
class EngineStatePollerTest extends EngineTestBase {

  static final String TOPIC = AgentDispatchHandler.TOPIC;

  @Autowired ProcessEngine engine;
  @Autowired CampaignService campaigns;
  @TempDir Path dir;

  @Test
  void gaugesFollowCampaignsQueuesAndExternalTasksInTheEngine() throws Exception {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    AiflowMetrics metrics = new AiflowMetrics(registry);
    EngineStatePoller poller = new EngineStatePoller(engine, metrics, Duration.ofHours(1));

    EngineState idle = poller.refresh();
    assertThat(idle.runningCampaigns()).isZero();
    assertThat(idle.queues()).isEmpty();
    assertThat(idle.externalTasksWaiting()).isEmpty();

    Path queue = dir.resolve("progress/task_queue.json");
    String packs =
        Queues.write(
            queue,
            null,
            List.of(Item.of("A", 1, "pass"), Item.of("B", 2, "pass"), Item.of("C", 3, "pass")));
    Path workspace = Files.createDirectories(dir.resolve("workspace"));
    ProcessInstance campaign =
        campaigns.startInstance(
            CampaignSpec.builder("gauges", queue)
                .stepPacks(StepPackMap.fromJson(packs, "stepPacks"))
                .maxCycles(10)
                .maxStagnantCycles(5)
                .maxReworkRounds(1)
                .workspace(workspace)
                .safeguards(Safeguards.NONE)
                .build(),
            "campaign-gauges");
    ExternalTaskService external = engine.getExternalTaskService();
    await()
        .atMost(Duration.ofSeconds(60))
        .until(() -> external.createExternalTaskQuery().topicName(TOPIC).count() == 1);

    EngineState waiting = poller.refresh();
    assertThat(waiting.runningCampaigns()).isEqualTo(1);
    assertThat(waiting.externalTasksWaiting()).containsEntry(TOPIC, 1L);
    assertThat(waiting.externalTasksLocked()).containsEntry(TOPIC, 0L);
    // A is being worked on; B and C wait in the queue
    assertThat(waiting.queues()).containsEntry("gauges", new EngineState.QueueDepth(2, 1));
    assertThat(registry.get("aiflow.campaigns.running").gauge().value()).isEqualTo(1);
    assertThat(registry.get("aiflow.queue.depth").tag("project", "gauges").gauge().value())
        .isEqualTo(2);

    List<LockedExternalTask> fetched =
        external.fetchAndLock(1, "gauge-test-worker").topic(TOPIC, 60_000).execute();
    assertThat(fetched).hasSize(1);
    EngineState locked = poller.refresh();
    assertThat(locked.externalTasksWaiting()).containsEntry(TOPIC, 0L);
    assertThat(locked.externalTasksLocked()).containsEntry(TOPIC, 1L);
    assertThat(
            registry
                .get("aiflow.external.tasks")
                .tags("topic", TOPIC, "state", "locked")
                .gauge()
                .value())
        .isEqualTo(1);

    external.handleFailure(fetched.get(0).getId(), "gauge-test-worker", "agent gone", 0, 0);
    EngineState failed = poller.refresh();
    assertThat(failed.externalTasksLocked()).containsEntry(TOPIC, 0L);
    assertThat(failed.externalTasksWaiting()).containsEntry(TOPIC, 0L);
    assertThat(failed.externalTasksFailed()).containsEntry(TOPIC, 1L);

    engine.getRuntimeService().deleteProcessInstance(campaign.getId(), "test over");
    EngineState gone = poller.refresh();
    assertThat(gone.runningCampaigns()).isZero();
    assertThat(gone.queues()).isEmpty();
    assertThat(gone.externalTasksFailed()).doesNotContainKey(TOPIC);
    assertThat(registry.find("aiflow.queue.depth").gauges()).isEmpty();
    assertThat(registry.get("aiflow.campaigns.running").gauge().value()).isZero();
  }

  @Test
  void aQueueFileThatCannotBeReadLeavesOnlyItsProjectOut() throws Exception {
    Path queue = dir.resolve("progress/task_queue.json");
    String packs = Queues.write(queue, null, List.of(Item.of("A", 1, "pass")));
    ProcessInstance campaign =
        campaigns.startInstance(
            CampaignSpec.builder("unreadable", queue)
                .stepPacks(StepPackMap.fromJson(packs, "stepPacks"))
                .maxCycles(10)
                .maxStagnantCycles(5)
                .maxReworkRounds(1)
                .workspace(Files.createDirectories(dir.resolve("workspace")))
                .safeguards(Safeguards.NONE)
                .build(),
            "campaign-unreadable");
    ExternalTaskService external = engine.getExternalTaskService();
    await()
        .atMost(Duration.ofSeconds(60))
        .until(() -> external.createExternalTaskQuery().topicName(TOPIC).count() == 1);
    Files.writeString(queue, "{ not json");
    EngineState state =
        new EngineStatePoller(engine, AiflowMetrics.discarding(), Duration.ofHours(1)).refresh();
    assertThat(state.runningCampaigns()).isGreaterThanOrEqualTo(1);
    assertThat(state.queues()).doesNotContainKey("unreadable");
    engine.getRuntimeService().deleteProcessInstance(campaign.getId(), "test over");
  }
}
