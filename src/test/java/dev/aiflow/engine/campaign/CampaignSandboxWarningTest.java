package dev.aiflow.engine.campaign;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.aiflow.campaign.CampaignSpec;
import dev.aiflow.campaign.CampaignView;
import dev.aiflow.campaign.StepPackMap;
import dev.aiflow.engine.LoggerRegistry;
import dev.aiflow.engine.SessionRecorder;
import dev.aiflow.logger.WorkflowLogger;
import dev.aiflow.support.EngineTestBase;
import dev.aiflow.support.Queues;
import dev.aiflow.support.Queues.Item;
import dev.aiflow.triage.QueueStore;
import dev.aiflow.triage.TaskStatus;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;

/**
 * A campaign whose agents would run without a sandbox (issue 14): the preflight warns in the chain,
 * the session log and the campaign's view, and the campaign still runs (a warning, not a refusal).
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
      EngineTestBase.TEMP_ROOT,
      "aiflow.worker.sandbox.mode=none"
    })
class CampaignSandboxWarningTest extends EngineTestBase {

  static final ObjectMapper JSON = new ObjectMapper();

  @Autowired CampaignService campaigns;
  @Autowired LoggerRegistry loggers;
  @Autowired SessionRecorder sessions;
  @Autowired dev.aiflow.engine.audit.HistoryReconciler reconciler;
  @TempDir Path dir;

  @Test
  void aCampaignWithoutASandboxIsWarnedAboutAndStillRuns() throws Exception {
    String project = "sb-" + UUID.randomUUID().toString().substring(0, 8);
    Path queueFile = dir.resolve("progress/task_queue.json");
    String packs = Queues.write(queueFile, 1, List.of(Item.of("A", 1, "pass")));
    CampaignSpec spec =
        CampaignSpec.builder(project, queueFile)
            .stepPacks(StepPackMap.fromJson(packs, "stepPacks"))
            .workspace(Files.createDirectories(dir.resolve("workspace")))
            .build();

    String id = campaigns.startInstance(spec, "campaign-" + project).getId();
    CampaignView v = campaigns.await(id, Duration.ofSeconds(120));

    assertThat(v.incidents()).isEmpty();
    assertThat(v.endReason()).as(v.endDetail()).isEqualTo("queue_drained");
    assertThat(new QueueStore(queueFile).read().require("A").status())
        .isEqualTo(TaskStatus.COMPLETED);
    assertThat(v.warnings())
        .singleElement()
        .asString()
        .startsWith("SANDBOX_DISABLED: aiflow.worker.sandbox.mode=none");

    List<JsonNode> warnings = new ArrayList<>();
    for (var e : WorkflowLogger.readProjectEvents(loggers.root(), project)) {
      JsonNode n = JSON.readTree(e.json());
      if (n.path("event_type").asText().equals("sandbox_warning")) {
        warnings.add(n);
      }
    }
    assertThat(warnings).hasSize(1);
    assertThat(warnings.get(0).path("code").asText()).isEqualTo("SANDBOX_DISABLED");
    assertThat(warnings.get(0).path("campaign_id").asText()).isEqualTo(id);
    assertThat(sessions.log(project).read().events())
        .extracting(dev.aiflow.sessionlog.SessionEvent::kind)
        .contains("sandbox_warning");
    assertThat(loggers.logger(project).verifyProject(null).ok()).isTrue();
    assertThat(reconciler.reconcile(project).clean())
        .as("the warning is anchored in the campaign's history")
        .isTrue();
  }
}
