package dev.aiflow.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * A corrupt chain, manifest, export manifest or checkpoint is a verification failure: exit 1 with
 * one line naming the file and the kind of problem, never exit 2 or a stack trace, and never the
 * file's content (here a token that stands for a secret).
 */
class CorruptFilesVerifyTest {

  static final String CANARY = "CANARY-TOKEN-4711";

  @TempDir Path tmp;
  Path root;

  record Run(int exit, String out, String err) {}

  Run aiflow(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cli = Cli.commandLine();
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    int exit = cli.execute(args);
    return new Run(exit, out.toString(), err.toString());
  }

  Run log(String... args) {
    List<String> all =
        new ArrayList<>(List.of("log", "--root-dir", root.toString(), "--project-id", "demo"));
    all.addAll(List.of(args));
    return aiflow(all.toArray(String[]::new));
  }

  @BeforeEach
  void project() {
    root = tmp.resolve("data/workflow");
    assertThat(log("init").exit()).isZero();
    Run a =
        log(
            "attempt",
            "--task-id",
            "T-1",
            "--r",
            "0",
            "--s",
            "0",
            "--result",
            "PASS",
            "--reason-code",
            "PASS_ALL_CRITERIA");
    assertThat(a.exit()).as(a.err()).isZero();
  }

  /** Exit 1, the last stderr line names {@code what}, the secret nowhere. */
  static void failsNamed(Run r, String... what) {
    assertThat(r.exit()).as(r.out() + r.err()).isEqualTo(ExitCodes.FAILED);
    assertThat(r.err()).doesNotContain("Exception").doesNotContain("\tat ");
    for (String w : what) {
      assertThat(r.err()).contains(w);
    }
    assertThat(r.err() + r.out()).doesNotContain(CANARY);
  }

  @Test
  void aCorruptSchemaManifestFailsVerify() throws Exception {
    Files.writeString(
        root.resolve("demo/manifest/schema_version.json"), "{\"schema_version\": " + CANARY);
    failsNamed(log("verify"), "schema_version.json", "UNREADABLE_MANIFEST");
    failsNamed(log("verify", "--task-id", "T-1"), "schema_version.json");
  }

  @Test
  void aCorruptProjectManifestFailsVerify() throws Exception {
    Files.writeString(root.resolve("demo/manifest/project_manifest.json"), CANARY + "\n");
    failsNamed(log("verify"), "project_manifest.json");
  }

  @Test
  void aCorruptChainLineFailsVerify() throws Exception {
    Path events = root.resolve("demo/events.jsonl");
    List<String> lines = new ArrayList<>(Files.readAllLines(events));
    lines.set(1, "{\"seq\":2,\"note\":\"" + CANARY + "\"");
    Files.write(events, lines);
    failsNamed(log("verify"), "events.jsonl");
  }

  @Test
  void aCorruptExportManifestFailsVerifyBundle() throws Exception {
    Path archive = tmp.resolve("demo.zip");
    assertThat(log("export", "--archive", archive.toString()).exit()).isZero();
    String key = log("key").out().strip();
    Path bad =
        rewriteEntry(archive, "aiflow-export.json", b -> ("{\"format\": " + CANARY).getBytes());
    failsNamed(
        aiflow("log", "verify-bundle", "--archive", bad.toString(), "--key", key),
        "aiflow-export.json");
    Path other = tmp.resolve("elsewhere");
    failsNamed(
        aiflow(
            "log",
            "--root-dir",
            other.toString(),
            "import",
            "--archive",
            bad.toString(),
            "--target-project-id",
            "copy"),
        "aiflow-export.json");
  }

  @Test
  void aCorruptCheckpointInTheExportFailsVerifyBundle() throws Exception {
    Path archive = tmp.resolve("demo.zip");
    assertThat(log("export", "--archive", archive.toString()).exit()).isZero();
    String key = log("key").out().strip();
    ObjectMapper json = new ObjectMapper();
    Path bad =
        rewriteEntry(
            archive,
            "aiflow-export.json",
            b -> {
              try {
                ObjectNode m = (ObjectNode) json.readTree(b);
                m.put("checkpoint", "aiflow.invalid/x\n" + CANARY + "\n\n— nobody AAAA\n");
                return json.writeValueAsBytes(m);
              } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
              }
            });
    Run r = aiflow("log", "verify-bundle", "--archive", bad.toString(), "--key", key);
    failsNamed(r);
  }

  @Test
  void aCorruptCheckpointLogIsRefusedByNameNotEchoed() throws Exception {
    assertThat(log("checkpoint").exit()).isZero();
    Path checkpoints = root.resolve("demo/transparency/checkpoints");
    assertThat(checkpoints).exists();
    // a complete record (text, blank line, signature lines, blank line) that is no signed
    // checkpoint; an incomplete one would be a torn append, cut by the next one
    Files.writeString(checkpoints, CANARY + "\n\n\u2014 nobody AAAA\n\n");
    Run r = log("checkpoint");
    assertThat(r.exit()).as(r.out() + r.err()).isEqualTo(ExitCodes.FAILED);
    assertThat(r.err()).contains("checkpoints").doesNotContain(CANARY).doesNotContain("\tat ");
  }

  private Path rewriteEntry(Path archive, String name, UnaryOperator<byte[]> f) throws Exception {
    Path out = tmp.resolve("bad-" + System.nanoTime() + ".zip");
    try (ZipInputStream in = new ZipInputStream(Files.newInputStream(archive));
        OutputStream os = Files.newOutputStream(out);
        ZipOutputStream zip = new ZipOutputStream(os)) {
      ZipEntry e;
      while ((e = in.getNextEntry()) != null) {
        byte[] bytes = readAll(in);
        zip.putNextEntry(new ZipEntry(e.getName()));
        zip.write(e.getName().equals(name) ? f.apply(bytes) : bytes);
        zip.closeEntry();
      }
    }
    return out;
  }

  private static byte[] readAll(InputStream in) throws java.io.IOException {
    return in.readAllBytes();
  }

  static {
    // the secret stands in for any content; make sure the test's own text is not ASCII-only luck
    assert CANARY.getBytes(StandardCharsets.UTF_8).length == CANARY.length();
  }
}
