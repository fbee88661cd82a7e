package dev.aiflow;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A command's stdout is its output only (issue 13): run as the jar runs it ({@code AiflowMain} in
 * its own JVM, logging as {@code AiflowMain} sets it up for every command but {@code serve}), an
 * engine command prints its result and nothing else on stdout.
 */
class CliStdoutTest {

  @TempDir Path tmp;

  @Test
  void anEngineCommandPrintsItsResultOnStdoutAndItsLogOnStderr() throws Exception {
    Path out = tmp.resolve("out.txt");
    Path err = tmp.resolve("err.txt");
    Files.createDirectories(tmp.resolve("data")); // reconcile creates no data directory
    ProcessBuilder pb =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp",
                System.getProperty("java.class.path"),
                AiflowMain.class.getName(),
                "audit",
                "reconcile",
                "--project-id",
                "demo")
            .redirectOutput(out.toFile())
            .redirectError(err.toFile());
    pb.environment().put("AIFLOW_DATA_DIR", tmp.resolve("data").toString());
    pb.environment().put("AIFLOW_ADMIN_PASSWORD", "stdout-test-" + System.nanoTime());
    Process p = pb.start();
    assertThat(p.waitFor(150, TimeUnit.SECONDS)).as("the command ends").isTrue();
    String stdout = Files.readString(out, StandardCharsets.UTF_8);
    String stderr = Files.readString(err, StandardCharsets.UTF_8);
    assertThat(p.exitValue()).as(stdout + stderr).isZero();
    List<String> lines = stdout.lines().filter(l -> !l.isBlank()).toList();
    assertThat(lines).as(stdout).singleElement().asString().startsWith("CLEAN project demo:");
    assertThat(stderr)
        .doesNotContain("Exception")
        .as("no notice about the logging set-up itself")
        .doesNotContain("logback.configurationFile");
  }
}
