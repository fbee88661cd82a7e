package dev.aiflow.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.aiflow.engine.stepcycle.QaReviewDelegate;
import dev.aiflow.engine.stepcycle.StepCycleService;
import dev.aiflow.engine.stepcycle.StepCycleSupport;
import dev.aiflow.support.EngineTestBase;
import dev.aiflow.support.Packs;
import java.nio.file.Path;
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
 * The log-attempt job fails after its append (a fault injected into the review that shares its
 * transaction); the engine retries the job, and the chain still holds exactly one attempt.
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
@Import(RetryIdempotencyTest.FlakyReview.class)
class RetryIdempotencyTest extends EngineTestBase {

  @TestConfiguration
  static class FlakyReview {
    static final Set<String> FAILED = ConcurrentHashMap.newKeySet();

    @Bean("qaReviewDelegate")
    JavaDelegate qaReviewDelegate(StepCycleSupport support) {
      QaReviewDelegate real = new QaReviewDelegate(support);
      return ex -> {
        if (FAILED.add(ex.getProcessInstanceId())) {
          throw new IllegalStateException("injected fault after the attempt was appended");
        }
        real.execute(ex);
      };
    }
  }

  @Autowired LoggerRegistry loggers;
  @Autowired HistoryService history;
  @TempDir Path workspace;

  @Test
  void aRetriedJobNeverWritesASecondAttempt() throws Exception {
    Ran ran =
        runCycle(
            new StepCycleService.CycleRequest(
                "retry",
                "RUN-R1",
                Packs.stepPack("R1", "pass"),
                null,
                0,
                null,
                workspace.toString(),
                true));
    assertThat(ran.result().outcome()).isEqualTo("completed");
    assertThat(
            history
                .createHistoricJobLogQuery()
                .processInstanceId(ran.instance().getId())
                .activityIdIn("Task_LogAttempt")
                .failureLog()
                .count())
        .as("the job failed once and was retried")
        .isEqualTo(1);
    assertThat(loggers.logger("retry").taskEvents("R1"))
        .filteredOn(e -> e.eventType().equals("attempt"))
        .singleElement()
        .satisfies(
            e ->
                assertThat(e.eventHash())
                    .isEqualTo(ran.result().variables().get("attemptEventHash")));
    assertThat(loggers.logger("retry").verifyProject(null).ok()).isTrue();
  }
}
