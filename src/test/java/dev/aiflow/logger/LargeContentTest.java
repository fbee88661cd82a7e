package dev.aiflow.logger;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LargeContentTest {

  @TempDir Path root;

  @Test
  void contentOver64KiBGoesToArtifactsAndIsVerified() throws Exception {
    String big = "x".repeat(64 * 1024 + 1);
    String small = "y".repeat(64 * 1024);
    WorkflowLogger.init(root, "p");
    try (WorkflowLogger log = WorkflowLogger.open(root, "p")) {
      log.logAttempt(
          AttemptRecord.builder("T-1")
              .pointer(0, 0)
              .result("PASS")
              .reasonCode("OK")
              .codeContent(small)
              .build());
      ChainEvent e =
          log.logAttempt(
              AttemptRecord.builder("T-1")
                  .pointer(0, 1)
                  .result("PASS")
                  .reasonCode("OK")
                  .codeContent(big)
                  .build());
      assertThat(e.json()).doesNotContain("xxxxxxxxxx").contains("code_content_ref");
      assertThat(e.json()).contains(DurableFiles.sha256Hex(big.getBytes()));
    }
    Path artifact = root.resolve("p/tasks/T-1/artifacts/code_content_R0_S1.txt");
    assertThat(Files.readString(artifact)).isEqualTo(big);
    assertThat(Files.size(root.resolve("p/events.jsonl"))).isLessThan(200_000);
    assertThat(WorkflowLogger.verify(root, "p", null, null).ok()).isTrue();

    Files.writeString(artifact, big.replaceFirst("x", "z"));
    VerificationReport changed = WorkflowLogger.verify(root, "p", null, null);
    assertThat(changed.firstProblem().kind()).isEqualTo("ARTIFACT_MISMATCH");
    assertThat(changed.firstProblem().file())
        .isEqualTo("tasks/T-1/artifacts/code_content_R0_S1.txt");

    Files.delete(artifact);
    assertThat(WorkflowLogger.verify(root, "p", "T-1", null).firstProblem().kind())
        .isEqualTo("ARTIFACT_MISSING");
  }
}
