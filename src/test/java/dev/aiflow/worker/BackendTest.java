package dev.aiflow.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BackendTest {

  @TempDir Path dir;

  @Test
  void healthCheckReportsEveryProblem() throws Exception {
    BackendHealth health =
        new BackendHealth(
            Map.of("mock", List.of("bash"), "codex", List.of("no-such-codex-binary")));
    assertThat(health.check(MockShim.PATH, List.of("mock"))).isEmpty();

    List<BackendHealth.Problem> problems =
        health.check("no-such-gxd-subagent-shim", List.of("codex", "mock", "martian"));
    assertThat(problems)
        .extracting(BackendHealth.Problem::code)
        .containsExactly("SHIM_MISSING", "RUNTIME_MISSING", "UNKNOWN_BACKEND");
    assertThat(problems.get(1).toString()).contains("[codex]").contains("no-such-codex-binary");

    Path notExecutable = dir.resolve("shim");
    Files.writeString(notExecutable, "#!/bin/sh\n");
    assertThat(health.check(notExecutable.toString(), List.of()))
        .singleElement()
        .extracting(BackendHealth.Problem::code)
        .isEqualTo("SHIM_NOT_EXECUTABLE");
  }

  @Test
  void routingPrefersTheOverrideThenTheMapThenThePack() {
    BackendMap map = BackendMap.parse("{\"T-1\": \"claude\", \"T-2\": \"codex\"}");
    assertThat(map.resolve("gemini", "T-1", "mock")).isEqualTo("gemini");
    assertThat(map.resolve(null, "T-1", "mock")).isEqualTo("claude");
    assertThat(map.resolve(null, "T-9", "mock")).isEqualTo("mock");
    assertThat(map.backends()).containsExactly("claude", "codex");
    assertThatThrownBy(() -> BackendMap.parse("{\"T-1\": \"Bad Name\"}"))
        .hasMessageContaining("not a backend name");
    assertThatThrownBy(() -> BackendMap.parse("[]")).hasMessageContaining("must be an object");
  }
}
