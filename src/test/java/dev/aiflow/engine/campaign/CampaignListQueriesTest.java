package dev.aiflow.engine.campaign;

import static org.assertj.core.api.Assertions.assertThat;

import dev.aiflow.campaign.CampaignSpec;
import dev.aiflow.campaign.CampaignView;
import dev.aiflow.campaign.StepPackMap;
import dev.aiflow.support.EngineTestBase;
import dev.aiflow.support.Queues;
import dev.aiflow.support.Queues.Item;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.camunda.bpm.engine.RuntimeService;
import org.camunda.bpm.engine.impl.cfg.AbstractProcessEnginePlugin;
import org.camunda.bpm.engine.impl.cfg.ProcessEngineConfigurationImpl;
import org.camunda.bpm.engine.impl.interceptor.Command;
import org.camunda.bpm.engine.impl.interceptor.CommandInterceptor;
import org.camunda.bpm.engine.runtime.Execution;
import org.camunda.bpm.engine.runtime.ProcessInstance;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;

/**
 * {@code GET /api/campaigns} costs a constant number of engine queries, however many campaigns it
 * lists (it was one history query per campaign, and more per running one). Counted as the engine's
 * own commands run by the calling thread: every query's {@code list()} is one.
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
@Import(CampaignListQueriesTest.Counting.class)
class CampaignListQueriesTest extends EngineTestBase {

  /** Counts the commands the calling thread runs while {@link #count} is measuring. */
  static final ThreadLocal<int[]> COMMANDS = new ThreadLocal<>();

  @TestConfiguration
  static class Counting {
    @Bean
    AbstractProcessEnginePlugin commandCounter() {
      return new AbstractProcessEnginePlugin() {
        @Override
        public void preInit(ProcessEngineConfigurationImpl config) {
          List<CommandInterceptor> pre = new ArrayList<>();
          if (config.getCustomPreCommandInterceptorsTxRequired() != null) {
            pre.addAll(config.getCustomPreCommandInterceptorsTxRequired());
          }
          pre.add(
              new CommandInterceptor() {
                @Override
                public <T> T execute(Command<T> command) {
                  int[] counter = COMMANDS.get();
                  if (counter != null) {
                    counter[0]++;
                  }
                  return next.execute(command);
                }
              });
          config.setCustomPreCommandInterceptorsTxRequired(pre);
        }
      };
    }
  }

  @Autowired CampaignService campaigns;
  @Autowired RuntimeService runtime;
  @TempDir Path dir;

  static <T> int count(Supplier<T> call) {
    COMMANDS.set(new int[1]);
    try {
      call.get();
      return COMMANDS.get()[0];
    } finally {
      COMMANDS.remove();
    }
  }

  ProcessInstance start(String project, String scenario) throws Exception {
    Path queue = dir.resolve(project).resolve("progress/task_queue.json");
    String packs = Queues.write(queue, 1, List.of(Item.of(project + "-A", 1, scenario)));
    return campaigns.startInstance(
        CampaignSpec.builder(project, queue)
            .stepPacks(StepPackMap.fromJson(packs, "stepPacks"))
            .backendMap(Map.of())
            .maxCycles(3)
            .workspace(Files.createDirectories(dir.resolve(project).resolve("workspace")))
            .build(),
        "list-" + project);
  }

  @Test
  void theListCostsTheSameQueriesForOneCampaignAsForSix() throws Exception {
    campaigns.await(start("one", "pass").getId(), Duration.ofSeconds(60));
    int forOne = count(() -> campaigns.list(50));
    assertThat(campaigns.list(50)).hasSize(1);

    for (String p : List.of("two", "three", "four", "five")) {
      campaigns.await(start(p, "pass").getId(), Duration.ofSeconds(60));
    }
    // a running campaign whose step cycle has an incident: the incidents are batched too. Its
    // agent reports BLOCKED, so the cycle waits for a person with no agent left running (a running
    // agent would hold a slot of the JVM-wide parallel cap for the tests that come after)
    ProcessInstance running = start("six", "blocked");
    Execution stepCycle =
        org.awaitility.Awaitility.await()
            .atMost(Duration.ofSeconds(30))
            .until(
                () ->
                    runtime
                        .createExecutionQuery()
                        .processDefinitionKey("stepCycle")
                        .activityId("UserTask_DecideEscalation")
                        .list()
                        .stream()
                        .findFirst()
                        .orElse(null),
                e -> e != null);
    runtime.createIncident("aiflowTest", stepCycle.getId(), "test", "a test incident");

    List<CampaignView> six = campaigns.list(50);
    int forSix = count(() -> campaigns.list(50));

    assertThat(six).hasSize(6);
    assertThat(six)
        .filteredOn(v -> v.id().equals(running.getId()))
        .singleElement()
        .satisfies(
            v -> {
              assertThat(v.state()).isEqualTo("running");
              assertThat(v.incidents())
                  .containsExactly("UserTask_DecideEscalation: a test incident");
            });
    assertThat(six)
        .filteredOn(v -> !v.id().equals(running.getId()))
        .allSatisfy(
            v -> {
              assertThat(v.state()).isEqualTo("completed");
              assertThat(v.endReason()).isEqualTo("queue_drained");
              assertThat(v.projectId()).isNotNull();
              assertThat(v.incidents()).isEmpty();
            });
    // the page and the variables; with open incidents, those and the step cycles' campaigns
    assertThat(forOne).isEqualTo(2);
    assertThat(forSix).isEqualTo(forOne + 2);
    assertThat(count(() -> campaigns.find(running.getId()))).isEqualTo(forSix);
  }
}
