package dev.aiflow.logger;

import static dev.aiflow.logger.Attempts.attempt;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every member of {@code manifest/schema_version.json} and {@code manifest/project_manifest.json}
 * is checked by verify (against a constant, or against the chain), a member aiflow does not write
 * is refused, and a syntax error is a named problem, never an exception.
 */
class ManifestCheckTest {

  static final String SCHEMA = "manifest/schema_version.json";
  static final String PROJECT = "manifest/project_manifest.json";

  @TempDir Path tmp;
  Path root;

  /** A project that went through an import, so its manifest has a lineage entry. */
  @BeforeEach
  void build() throws Exception {
    root = tmp.resolve("workflow");
    WorkflowLogger.init(root, "orig");
    try (WorkflowLogger log = WorkflowLogger.open(root, "orig")) {
      log.logAttempt(attempt("T-1", 0, 0));
      log.export(tmp.resolve("orig.zip"));
    }
    WorkflowLogger.importProject(root, tmp.resolve("orig.zip"), "p");
    try (WorkflowLogger log = WorkflowLogger.open(root, "p")) {
      log.logAttempt(attempt("T-1", 0, 1));
    }
    assertThat(verify().problems()).isEmpty();
  }

  static Stream<Arguments> changes() {
    return Stream.of(
        change(SCHEMA, "schema_version 2", "SCHEMA_UNSUPPORTED", m -> m.put("schema_version", 2)),
        change(
            SCHEMA,
            "schema_version \"1\"",
            "SCHEMA_UNSUPPORTED",
            m -> m.put("schema_version", "1")),
        change(SCHEMA, "SHA-256 -> MD5", "MANIFEST_MISMATCH", m -> m.put("hash_algorithm", "MD5")),
        change(
            SCHEMA,
            "another canonicalization",
            "MANIFEST_MISMATCH",
            m -> m.put("canonicalization", "JCS-draft")),
        change(
            SCHEMA, "another genesis", "MANIFEST_MISMATCH", m -> m.put("genesis", "1".repeat(64))),
        change(SCHEMA, "genesis missing", "MANIFEST_MISMATCH", m -> m.remove("genesis")),
        change(SCHEMA, "a member aiflow does not write", "MANIFEST_INVALID", m -> m.put("x", 1)),
        change(PROJECT, "another format", "MANIFEST_MISMATCH", m -> m.put("format", "other")),
        change(PROJECT, "another project id", "PROJECT_ID_MISMATCH", m -> m.put("project_id", "q")),
        change(
            PROJECT,
            "a project id that is no id",
            "MANIFEST_INVALID",
            m -> m.put("project_id", "a b")),
        change(
            PROJECT,
            "created_at a millisecond later",
            "MANIFEST_MISMATCH",
            m -> m.put("created_at", laterByOneMilli(m.get("created_at").textValue()))),
        change(
            PROJECT, "created_at no instant", "MANIFEST_INVALID", m -> m.put("created_at", "now")),
        change(PROJECT, "lineage not an array", "MANIFEST_INVALID", m -> m.put("lineage", "orig")),
        change(
            PROJECT,
            "lineage head changed",
            "MANIFEST_MISMATCH",
            m -> entry(m).put("head", "a".repeat(64))),
        change(
            PROJECT,
            "lineage project id changed",
            "MANIFEST_MISMATCH",
            m -> entry(m).put("project_id", "other")),
        change(
            PROJECT,
            "lineage migrated_at changed",
            "MANIFEST_MISMATCH",
            m ->
                entry(m)
                    .put("migrated_at", laterByOneMilli(entry(m).get("migrated_at").textValue()))),
        change(PROJECT, "lineage emptied", "MANIFEST_MISMATCH", m -> m.putArray("lineage")),
        change(
            PROJECT,
            "a lineage entry added",
            "MANIFEST_MISMATCH",
            m -> ((ArrayNode) m.get("lineage")).add(entry(m).deepCopy())),
        change(
            PROJECT,
            "a member in a lineage entry aiflow does not write",
            "MANIFEST_INVALID",
            m -> entry(m).put("note", "x")),
        change(
            PROJECT,
            "a member aiflow does not write",
            "MANIFEST_INVALID",
            m -> m.put("owner", "me")));
  }

  private static Arguments change(
      String file, String name, String kind, Consumer<ObjectNode> mutation) {
    return Arguments.of(file, name, kind, mutation);
  }

  private static ObjectNode entry(ObjectNode manifest) {
    return (ObjectNode) manifest.get("lineage").get(0);
  }

  private static String laterByOneMilli(String instant) {
    return java.time.Instant.parse(instant).plusMillis(1).toString();
  }

  @ParameterizedTest(name = "{0}: {1} is {2}")
  @MethodSource("changes")
  void everyMemberIsChecked(String file, String name, String kind, Consumer<ObjectNode> mutation)
      throws Exception {
    Path path = root.resolve("p").resolve(file);
    ObjectNode m = (ObjectNode) CanonicalJson.STRICT_MAPPER.readTree(path.toFile());
    mutation.accept(m);
    Files.write(
        path, CanonicalJson.STRICT_MAPPER.writerWithDefaultPrettyPrinter().writeValueAsBytes(m));
    VerificationReport report = verify();
    assertThat(report.ok()).as(name).isFalse();
    assertThat(report.problems())
        .as(name)
        .anySatisfy(
            p -> {
              assertThat(p.file()).isEqualTo(file);
              assertThat(p.kind()).isEqualTo(kind);
            });
  }

  @ParameterizedTest(name = "a syntax error in {0} is a named problem")
  @ValueSource(strings = {SCHEMA, PROJECT})
  void aSyntaxErrorIsANamedProblemWithoutItsContent(String file) throws Exception {
    Path path = root.resolve("p").resolve(file);
    Files.writeString(path, "{\"schema_version\": 1, SECRET-TOKEN-4711 }");
    VerificationReport report = verify();
    assertThat(report.problems())
        .anySatisfy(
            p -> {
              assertThat(p.file()).isEqualTo(file);
              assertThat(p.kind()).isEqualTo("UNREADABLE_MANIFEST");
              assertThat(p.toString()).doesNotContain("SECRET");
            });
  }

  @Test
  void theChainMustStartWithItsInitialisationAndAMigrationNameItsSource() throws Exception {
    Path events = root.resolve("p/events.jsonl");
    String text = Files.readString(events, StandardCharsets.UTF_8);
    // the migration event names another head than the one it continues: rewrite it in place
    String line =
        text.lines().filter(l -> l.contains("\"project_migrated\"")).findFirst().orElseThrow();
    ObjectNode event = (ObjectNode) CanonicalJson.STRICT_MAPPER.readTree(line);
    event.remove("event_hash");
    event.put("source_head", "b".repeat(64));
    String forged =
        new String(
            ProjectStore.encode(event, DurableFiles.sha256()).text(), StandardCharsets.UTF_8);
    Files.writeString(events, text.replace(line, forged), StandardCharsets.UTF_8);
    assertThat(verify().problems()).extracting(ChainProblem::kind).contains("MIGRATION_MISMATCH");
  }

  private VerificationReport verify() {
    return WorkflowLogger.verify(root, "p", null, null);
  }
}
