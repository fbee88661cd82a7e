package dev.aiflow.transparency;

import static org.assertj.core.api.Assertions.assertThat;

import dev.aiflow.logger.WorkflowLogger;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The verifiers that do not share aiflow's code, run as separate processes against a bundle aiflow
 * exported and against tampered copies: {@code tools/VerifyBundle.java} on the JDK alone ({@code
 * java tools/VerifyBundle.java <archive> <key>}), and {@code tools/verify-note.mjs} on Node.js's
 * built-in crypto. Node must be installed: this test fails, never skips, without it.
 */
class IndependentVerifiersTest {

  static final Path TOOLS = Path.of("tools").toAbsolutePath();

  @TempDir Path data;
  Path genuine;
  String key;

  record Run(int exit, String out, String err) {}

  @BeforeEach
  void export() throws Exception {
    Path root = data.resolve("workflow");
    Projects.create(root, "p");
    try (WorkflowLogger log = WorkflowLogger.open(root, "p")) {
      log.logAttempt(
          dev.aiflow.logger.AttemptRecord.builder("T-4")
              .pointer(0, 0)
              .result("PASS")
              .reasonCode("PASS_ALL_CRITERIA")
              .codeContent("x".repeat(70_000)) // stored as a file under artifacts/
              .build());
    }
    Transparency t = new Transparency(root, CheckpointKeys.resolve(data, null));
    t.issue("p");
    Projects.grow(root, "p", "T-3", 2);
    genuine = data.resolve("p.zip");
    try (WorkflowLogger log = WorkflowLogger.open(root, "p")) {
      log.export(genuine, t.exportExtras());
    }
    key = t.verifierKey("p").toString();
  }

  static Run run(Path dir, String... command) throws IOException, InterruptedException {
    Path out = Files.createTempFile(dir, "out", ".txt");
    Path err = Files.createTempFile(dir, "err", ".txt");
    Process p;
    try {
      p =
          new ProcessBuilder(command)
              .redirectOutput(out.toFile())
              .redirectError(err.toFile())
              .start();
    } catch (IOException e) {
      throw new AssertionError(
          command[0] + " is required for this test (the CI image has it): " + e.getMessage(), e);
    }
    assertThat(p.waitFor(120, TimeUnit.SECONDS)).as(String.join(" ", command)).isTrue();
    return new Run(
        p.exitValue(),
        Files.readString(out, StandardCharsets.UTF_8),
        Files.readString(err, StandardCharsets.UTF_8));
  }

  Run javaVerifier(Path archive, String vkey) throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    return run(data, java, TOOLS.resolve("VerifyBundle.java").toString(), archive.toString(), vkey);
  }

  Run nodeVerifier(Path archive, String vkey) throws Exception {
    return run(data, "node", TOOLS.resolve("verify-note.mjs").toString(), archive.toString(), vkey);
  }

  @Test
  void bothAcceptTheGenuineBundle() throws Exception {
    Run java = javaVerifier(genuine, key);
    assertThat(java.exit()).as(java.err()).isZero();
    assertThat(java.out())
        .contains("OK bundle of p: 8 events, all in the tree signed by " + key.split("\\+")[0])
        .contains("2 checkpoints of this log checked against the chain");
    // the key may also come from a file
    Path keyFile = data.resolve("p.vkey");
    Files.writeString(keyFile, key + "\n");
    assertThat(javaVerifier(genuine, keyFile.toString()).exit()).isZero();

    Run node = nodeVerifier(genuine, key);
    assertThat(node.exit()).as(node.err()).isZero();
    assertThat(node.out())
        .startsWith("OK p: 8 events")
        .contains("2 checkpoints in the log checked");
    // and both agree with aiflow's own verifier on the root
    String root = BundleVerifier.verify(genuine, VerifierKey.parse(key)).checkpoint().rootBase64();
    assertThat(java.out()).contains(root);
    assertThat(node.out()).contains(root);
  }

  @ParameterizedTest
  @EnumSource(Tampering.class)
  void bothCatchEveryRewrite(Tampering tampering) throws Exception {
    Path forged = tampering.apply(genuine, data.resolve(tampering + ".zip"));
    Run java = javaVerifier(forged, key);
    assertThat(java.exit()).as(java.out() + java.err()).isEqualTo(1);
    assertThat(java.err()).contains(tampering.caught);
    Run node = nodeVerifier(forged, key);
    assertThat(node.exit()).as(node.out() + node.err()).isEqualTo(1);
    assertThat(node.err()).startsWith("FAIL ");
  }

  @Test
  void theJdkVerifierChecksFilesTasksAndContentToo() throws Exception {
    // a task chain that is not its task's lines, and large content that is not what its event names
    Path forged =
        BundleForger.forge(
            genuine,
            data.resolve("tasks.zip"),
            d -> {
              Files.writeString(
                  d.resolve("tasks/T-2/events.jsonl"),
                  Files.readString(d.resolve("tasks/T-1/events.jsonl")));
              try (var s = Files.list(d.resolve("tasks/T-4/artifacts"))) {
                for (Path a : (Iterable<Path>) s::iterator) {
                  Files.writeString(a, "y".repeat(70_000));
                }
              }
            });
    Run java = javaVerifier(forged, key);
    assertThat(java.exit()).isEqualTo(1);
    List<String> fails =
        new ArrayList<>(java.err().lines().filter(l -> l.startsWith("FAIL")).toList());
    assertThat(fails)
        .anyMatch(l -> l.contains("tasks/T-2/events.jsonl is not the task's 2 lines"))
        .anyMatch(l -> l.contains("names content tasks/T-4/artifacts/"));
    // aiflow's verifier names the same problems
    BundleVerifier.Report r = BundleVerifier.verify(forged, VerifierKey.parse(key));
    assertThat(r.problems()).hasSize(fails.size());
  }

  @Test
  void badUsageIsExitTwo() throws Exception {
    assertThat(javaVerifier(genuine, "not-a-key").exit()).isEqualTo(2);
    assertThat(nodeVerifier(genuine, "not-a-key").exit()).isEqualTo(2);
  }
}
