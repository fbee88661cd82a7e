package dev.aiflow.attempts;

import static dev.aiflow.worker.MockShim.adapter;
import static dev.aiflow.worker.MockShim.pack;
import static org.assertj.core.api.Assertions.assertThat;

import dev.aiflow.logger.EngineCorrelation;
import dev.aiflow.logger.WorkflowLogger;
import dev.aiflow.protocol.ReworkPack;
import dev.aiflow.protocol.StepPack;
import dev.aiflow.qa.QaReview;
import dev.aiflow.qa.ReworkBuilder;
import dev.aiflow.qa.StepQaReviewer;
import dev.aiflow.worker.DispatchOutcome;
import dev.aiflow.worker.ProgressListener;
import dev.aiflow.worker.ShimAdapter;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** R/S pointers across dispatch, rework and a new revision, through real mock-shim runs. */
class AttemptLoggingTest {

  @TempDir Path workspace;
  @TempDir Path root;

  @Test
  void pointersAdvanceAsSpecified() {
    WorkflowLogger.init(root, "p");
    ShimAdapter adapter = adapter(workspace);
    StepQaReviewer qa = new StepQaReviewer(workspace);
    try (WorkflowLogger log = WorkflowLogger.open(root, "p")) {
      StepPack pack = pack("fail-always");
      DispatchOutcome first = adapter.dispatch(pack, ProgressListener.NONE);
      assertThat(log(log, pack, first)).isEqualTo("R0/S0");

      QaReview review = qa.review(pack, first.result());
      ReworkPack rework1 = ReworkBuilder.build(pack, review, 1, first.threadId());
      DispatchOutcome second = adapter.dispatch(rework1, first.threadId(), ProgressListener.NONE);
      assertThat(log(log, rework1, second)).isEqualTo("R0/S1");

      ReworkPack rework2 =
          ReworkBuilder.next(rework1, qa.review(rework1, second.result()), second.threadId());
      DispatchOutcome third = adapter.dispatch(rework2, second.threadId(), ProgressListener.NONE);
      assertThat(log(log, rework2, third)).isEqualTo("R0/S2");

      StepPack revised =
          new StepPack(
              pack.schema(),
              pack.runId(),
              pack.taskId(),
              pack.stepId(),
              pack.title(),
              "a sharper objective",
              pack.instructions(),
              pack.tier(),
              pack.contractRef(),
              pack.allowedPaths(),
              pack.acceptanceCriteria(),
              pack.requiredCommands(),
              pack.evidenceDir(),
              pack.limits(),
              pack.worker());
      DispatchOutcome fourth = adapter.dispatch(revised, ProgressListener.NONE);
      assertThat(log(log, revised, fourth)).isEqualTo("R1/S0");
      assertThat(log(log, revised.withBackend("codex"), fourth))
          .as("a new backend is not a new revision")
          .isEqualTo("R1/S1");

      assertThat(log.task("T-1").attempts()).isEqualTo(5);
      assertThat(log.verifyProject(null).ok()).isTrue();
    }
  }

  @Test
  void anIdempotentDispatchLogIsWrittenOnce() {
    WorkflowLogger.init(root, "p");
    StepPack pack = pack("pass");
    DispatchOutcome d = adapter(workspace).dispatch(pack, ProgressListener.NONE);
    try (WorkflowLogger log = WorkflowLogger.open(root, "p")) {
      var first =
          AttemptLogging.logDispatch(
              log, pack, d, EngineCorrelation.none(), "ext-task-1", Map.of());
      var again =
          AttemptLogging.logDispatch(
              log, pack, d, EngineCorrelation.none(), "ext-task-1", Map.of());
      assertThat(again.event().eventHash()).isEqualTo(first.event().eventHash());
      assertThat(again.pointer()).isEqualTo(first.pointer());
      assertThat(log.task("T-1").attempts()).isEqualTo(1);
    }
  }

  private static String log(
      WorkflowLogger log, dev.aiflow.protocol.StepSpec spec, DispatchOutcome d) {
    return AttemptLogging.logDispatch(log, spec, d, EngineCorrelation.none(), null, Map.of())
        .pointer()
        .toString();
  }
}
