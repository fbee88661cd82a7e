package dev.aiflow.transparency;

import static org.assertj.core.api.Assertions.assertThat;

import dev.aiflow.logger.ImportResult;
import dev.aiflow.logger.WorkflowLogger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** An export verified offline with nothing but the verifier key; every rewrite caught. */
class BundleVerifierTest {

  @TempDir Path data;
  Path root;
  Transparency t;
  VerifierKey key;
  Path genuine;

  @BeforeEach
  void export() {
    root = data.resolve("workflow");
    Projects.create(root, "p");
    t = new Transparency(root, CheckpointKeys.resolve(data, null));
    key = t.verifierKey("p");
    t.issue("p");
    Projects.grow(root, "p", "T-3", 2); // the export signs these two too
    genuine = data.resolve("p.zip");
    try (WorkflowLogger log = WorkflowLogger.open(root, "p")) {
      log.export(genuine, t.exportExtras());
    }
  }

  @Test
  void theGenuineExportVerifies() {
    BundleVerifier.Report r = BundleVerifier.verify(genuine, key);
    assertThat(r.problems()).isEmpty();
    assertThat(r.events()).isEqualTo(7);
    assertThat(r.checkpoint().size()).isEqualTo(7);
    assertThat(r.projectId()).isEqualTo("p");
    assertThat(r.notes()).contains("2 checkpoints of this log checked against the chain");
    // the checkpoint in the manifest is the last one in the log, signed over exactly the export
    assertThat(t.latest("p").orElseThrow().checkpoint()).isEqualTo(r.checkpoint());
  }

  @Test
  void anotherLogsKeyDoesNotVerifyIt() throws Exception {
    VerifierKey other = t.verifierKey("q");
    BundleVerifier.Report r = BundleVerifier.verify(genuine, other);
    assertThat(r.ok()).isFalse();
    assertThat(r.problems().get(0)).contains("is not signed by " + other.name());
    VerifierKey otherInstallation = CheckpointKeys.generate().verifierKey("p");
    assertThat(BundleVerifier.verify(genuine, otherInstallation).ok()).isFalse();
  }

  @ParameterizedTest
  @EnumSource(Tampering.class)
  void everyRewriteThatPassesABareVerificationIsCaught(Tampering tampering) throws Exception {
    Path forged = tampering.apply(genuine, data.resolve(tampering + ".zip"));
    // the archive's own checks and the chain's verification see nothing wrong
    ImportResult imported = WorkflowLogger.importProject(data.resolve("imported"), forged, "copy");
    assertThat(WorkflowLogger.verify(data.resolve("imported"), "copy", null, null).ok()).isTrue();
    assertThat(imported.sourceProjectId()).isEqualTo("p");

    BundleVerifier.Report r = BundleVerifier.verify(forged, key);
    assertThat(r.ok()).isFalse();
    assertThat(String.join("\n", r.problems())).contains(tampering.caught);
  }

  @Test
  void filesThatDoNotMatchTheManifestAreNamed() throws Exception {
    Path forged = data.resolve("log.zip");
    BundleForger.forge(
        genuine,
        forged,
        d ->
            Files.writeString(
                d.resolve("tasks/T-2/events.jsonl"),
                Files.readString(d.resolve("tasks/T-1/events.jsonl"))));
    BundleVerifier.Report r = BundleVerifier.verify(forged, key);
    assertThat(r.problems())
        .anyMatch(p -> p.startsWith("tasks/T-2/events.jsonl is not the task's 2 lines"));
    // an entry changed without touching the manifest
    Path unpacked = data.resolve("unpacked");
    BundleForger.unpack(genuine, unpacked);
    Files.writeString(unpacked.resolve("tasks/T-1/task_log.md"), "nothing happened\n");
    Path repacked = data.resolve("repacked.zip");
    try (var out = Files.newOutputStream(repacked);
        var zip = new java.util.zip.ZipOutputStream(out);
        var walk = Files.walk(unpacked)) {
      for (Path p : (Iterable<Path>) walk.filter(Files::isRegularFile)::iterator) {
        zip.putNextEntry(new java.util.zip.ZipEntry(unpacked.relativize(p).toString()));
        zip.write(Files.readAllBytes(p));
        zip.closeEntry();
      }
    }
    assertThat(BundleVerifier.verify(repacked, key).problems())
        .anyMatch(p -> p.startsWith("'tasks/T-1/task_log.md' has SHA-256"));
  }

  @Test
  void notAnArchiveIsAClearProblem() throws Exception {
    Path junk = data.resolve("junk.zip");
    Files.writeString(junk, "hello", StandardCharsets.UTF_8);
    assertThat(BundleVerifier.verify(junk, key).problems())
        .containsExactly("not a zip archive: " + junk);
    assertThat(BundleVerifier.verify(data.resolve("absent.zip"), key).ok()).isFalse();
  }
}
