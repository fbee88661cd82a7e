package dev.aiflow.observe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.aiflow.worker.SandboxPolicy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A kernel's id routes each verification to the kernel that took the step's snapshot
 * (docs/architecture.md, "Which worker verifies"): it must outlive a restart, differ between
 * kernels, and be one id when kernels on one folder start at once.
 */
class KernelIdTest {

  @TempDir Path dir;

  static KernelVerifier kernelOn(Path stateRoot) {
    return new KernelVerifier(
        stateRoot,
        WorkspaceObserver.withDefaults(),
        new KernelRunner(KernelRunner.Settings.defaults(), SandboxPolicy.none()));
  }

  @Test
  void theIdIsKeptInTheStateFolderAndSurvivesARestart() throws Exception {
    String first = kernelOn(dir.resolve("a")).kernelId();
    assertThat(first).matches("kernel-[0-9a-f]{32}");
    assertThat(Files.readString(dir.resolve("a/.kernel-id")).strip()).isEqualTo(first);
    assertThat(kernelOn(dir.resolve("a")).kernelId()).as("after a restart").isEqualTo(first);
    assertThat(kernelOn(dir.resolve("b")).kernelId()).as("another kernel").isNotEqualTo(first);
    try (var left = Files.list(dir.resolve("a"))) {
      assertThat(left.map(p -> p.getFileName().toString())).containsExactly(".kernel-id");
    }
  }

  @Test
  void kernelsStartingAtOnceOnOneFolderAgreeOnOneId() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      List<Callable<String>> starts = new ArrayList<>();
      for (int i = 0; i < 16; i++) {
        starts.add(() -> kernelOn(dir.resolve("shared")).kernelId());
      }
      Set<String> ids = new HashSet<>();
      for (Future<String> f : pool.invokeAll(starts)) {
        ids.add(f.get());
      }
      assertThat(ids).hasSize(1);
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void aDamagedIdFileIsNamedAndItsContentNotEchoed() throws Exception {
    Files.createDirectories(dir.resolve("c"));
    Files.writeString(dir.resolve("c/.kernel-id"), "sk-secret-looking garbage\n");
    assertThatThrownBy(() -> kernelOn(dir.resolve("c")).kernelId())
        .hasMessageContaining(".kernel-id")
        .hasMessageContaining("delete it")
        .hasMessageNotContaining("sk-secret");
  }
}
