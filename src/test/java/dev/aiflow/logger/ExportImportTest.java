package dev.aiflow.logger;

import static dev.aiflow.logger.Attempts.attempt;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;
import org.apache.commons.compress.archivers.zip.ZipArchiveOutputStream;
import org.apache.commons.compress.archivers.zip.ZipFile;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class ExportImportTest {

  @TempDir Path tmp;
  Path root;
  Path archive;

  @BeforeEach
  void buildAndExport() {
    root = tmp.resolve("workflow");
    archive = tmp.resolve("p.zip");
    WorkflowLogger.init(root, "ford-ai-flow");
    try (WorkflowLogger log = WorkflowLogger.open(root, "ford-ai-flow")) {
      log.logAttempt(attempt("T-013", 0, 0));
      log.closeTask("T-013", "accepted", "Accepted with full evidence.");
      log.logAttempt(attempt("T-014", 0, 0));
      log.logAttempt(
          AttemptRecord.builder("T-014")
              .pointer(0, 1)
              .result("PASS")
              .reasonCode("OK")
              .codeContent("z".repeat(70_000))
              .build());
      ExportResult result = log.export(archive);
      assertThat(result.events()).isEqualTo(5);
      assertThat(result.head()).isEqualTo(log.head());
    }
  }

  @Test
  void roundTripKeepsEveryChainVerifiableUnderTheNewId() throws Exception {
    ImportResult imported = WorkflowLogger.importProject(root, archive, "ford-ai-flow-migrated");
    assertThat(imported.sourceProjectId()).isEqualTo("ford-ai-flow");

    VerificationReport report = WorkflowLogger.verify(root, "ford-ai-flow-migrated", null, null);
    assertThat(report.problems()).isEmpty();
    assertThat(report.events()).isEqualTo(6);
    assertThat(report.head()).isEqualTo(imported.migrationEventHash());
    for (String task : List.of("T-013", "T-014")) {
      assertThat(WorkflowLogger.verify(root, "ford-ai-flow-migrated", task, null).ok()).isTrue();
    }
    List<String> lines = Files.readAllLines(root.resolve("ford-ai-flow-migrated/events.jsonl"));
    JsonNode migration = CanonicalJson.STRICT_MAPPER.readTree(lines.get(lines.size() - 1));
    assertThat(migration.path("event_type").asText()).isEqualTo("project_migrated");
    assertThat(migration.path("from_project_id").asText()).isEqualTo("ford-ai-flow");
    assertThat(migration.path("project_id").asText()).isEqualTo("ford-ai-flow-migrated");
    assertThat(migration.path("source_head").asText()).isEqualTo(imported.sourceHead());

    // the imported project goes on where the original stopped
    try (WorkflowLogger log = WorkflowLogger.open(root, "ford-ai-flow-migrated")) {
      assertThat(log.task("T-013").closed()).isTrue();
      log.logAttempt(attempt("T-014", 0, 2));
    }
    // and survives a second migration
    Path second = tmp.resolve("second.zip");
    try (WorkflowLogger log = WorkflowLogger.open(root, "ford-ai-flow-migrated")) {
      log.export(second);
    }
    WorkflowLogger.importProject(root, second, "third");
    assertThat(WorkflowLogger.verify(root, "third", null, null).problems()).isEmpty();
  }

  static Stream<Arguments> hostileArchives() {
    return Stream.of(
        hostile("zip slip with ..", "ARCHIVE_UNSAFE_PATH", e -> e.put("../evil.txt", bytes("x"))),
        hostile(
            "zip slip inside a path",
            "ARCHIVE_UNSAFE_PATH",
            e -> e.put("tasks/../../evil.txt", bytes("x"))),
        hostile("absolute path", "ARCHIVE_UNSAFE_PATH", e -> e.put("/tmp/evil.txt", bytes("x"))),
        hostile("backslash", "ARCHIVE_UNSAFE_PATH", e -> e.put("..\\evil.txt", bytes("x"))),
        hostile("drive letter", "ARCHIVE_UNSAFE_PATH", e -> e.put("C:/evil.txt", bytes("x"))),
        hostile(
            "wrong hash",
            "ARCHIVE_HASH_MISMATCH",
            e -> e.put("tasks/T-013/task_log.md", bytes("rewritten"))),
        hostile("missing file", "ARCHIVE_FILE_MISSING", e -> e.remove("tasks/T-014/events.jsonl")),
        hostile("unlisted file", "ARCHIVE_UNEXPECTED_FILE", e -> e.put("extra.txt", bytes("x"))),
        hostile(
            "missing manifest", "ARCHIVE_MANIFEST_MISSING", e -> e.remove(ProjectArchive.MANIFEST)),
        hostile(
            "manifest that is not JSON",
            "ARCHIVE_MANIFEST_INVALID",
            e -> e.put(ProjectArchive.MANIFEST, bytes("{nope"))),
        hostile(
            "tampered chain with matching hashes",
            "ARCHIVE_CHAIN_BROKEN",
            ExportImportTest::tamperChainAndFixManifest),
        // the manifest itself, member by member
        hostile(
            "a file's bytes changed",
            "ARCHIVE_SIZE_MISMATCH",
            e -> manifest(e, m -> file(m, "events.jsonl").put("bytes", 1))),
        hostile(
            "chains: []", "ARCHIVE_MANIFEST_INVALID", e -> manifest(e, m -> m.putArray("chains"))),
        hostile(
            "no chains entry for the project chain",
            "ARCHIVE_MANIFEST_INVALID",
            e -> manifest(e, m -> removeChain(m, "events.jsonl"))),
        hostile(
            "another head for the project chain in chains[]",
            "ARCHIVE_HEAD_MISMATCH",
            e -> manifest(e, m -> chain(m, "events.jsonl").put("head", "0".repeat(64)))),
        hostile(
            "a task chain missing from chains[]",
            "ARCHIVE_MANIFEST_MISMATCH",
            e -> manifest(e, m -> removeChain(m, "tasks/T-014/events.jsonl"))),
        hostile(
            "a chains[] entry for a chain that is not there",
            "ARCHIVE_FILE_MISSING",
            e ->
                manifest(
                    e,
                    m ->
                        ((com.fasterxml.jackson.databind.node.ArrayNode) m.get("chains"))
                            .addObject()
                            .put("path", "tasks/T-099/events.jsonl")
                            .put("head", "0".repeat(64)))),
        hostile(
            "a file listed twice",
            "ARCHIVE_MANIFEST_INVALID",
            e ->
                manifest(
                    e,
                    m ->
                        ((com.fasterxml.jackson.databind.node.ArrayNode) m.get("files"))
                            .add(file(m, "events.jsonl").deepCopy()))),
        hostile(
            "a chain listed twice",
            "ARCHIVE_MANIFEST_INVALID",
            e ->
                manifest(
                    e,
                    m ->
                        ((com.fasterxml.jackson.databind.node.ArrayNode) m.get("chains"))
                            .add(chain(m, "events.jsonl").deepCopy()))),
        hostile(
            "a listed file with a newline in its name",
            "ARCHIVE_UNSAFE_PATH",
            e -> listExtra(e, "tasks/T-013/notes\nrm -rf.txt")),
        hostile(
            "a listed file with a look-alike letter (Cyrillic O)",
            "ARCHIVE_UNSAFE_PATH",
            e -> listExtra(e, "tasks/T-\u041e13/events.jsonl")),
        hostile(
            "a listed file with a space and a control character",
            "ARCHIVE_UNSAFE_PATH",
            e -> listExtra(e, "tasks/T-013/a b\u0007.txt")),
        hostile(
            "a listing of the manifest itself",
            "ARCHIVE_UNSAFE_PATH",
            e -> manifest(e, m -> file(m, "events.jsonl").put("path", ProjectArchive.MANIFEST))),
        hostile(
            "a member aiflow does not write",
            "ARCHIVE_MANIFEST_INVALID",
            e -> manifest(e, m -> m.put("signed_by", "nobody"))),
        hostile(
            "another event count",
            "ARCHIVE_MANIFEST_MISMATCH",
            e -> manifest(e, m -> m.put("events", 4))),
        hostile(
            "exported_at that is no instant",
            "ARCHIVE_MANIFEST_INVALID",
            e -> manifest(e, m -> m.put("exported_at", "yesterday"))),
        hostile(
            "a project_id that is no id",
            "ARCHIVE_MANIFEST_INVALID",
            e -> manifest(e, m -> m.put("project_id", "../x"))),
        hostile(
            "a project_id other than the chain's",
            "ARCHIVE_CHAIN_BROKEN",
            e -> manifest(e, m -> m.put("project_id", "someone-else"))));
  }

  /** Rewrites the archive's manifest. */
  private static void manifest(Map<String, byte[]> entries, Consumer<ObjectNode> change) {
    try {
      ObjectNode m =
          (ObjectNode) CanonicalJson.STRICT_MAPPER.readTree(entries.get(ProjectArchive.MANIFEST));
      change.accept(m);
      entries.put(ProjectArchive.MANIFEST, CanonicalJson.STRICT_MAPPER.writeValueAsBytes(m));
    } catch (java.io.IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private static ObjectNode file(ObjectNode manifest, String path) {
    return listing(manifest, "files", path);
  }

  private static ObjectNode chain(ObjectNode manifest, String path) {
    return listing(manifest, "chains", path);
  }

  private static ObjectNode listing(ObjectNode manifest, String array, String path) {
    for (JsonNode f : manifest.get(array)) {
      if (f.path("path").asText().equals(path)) {
        return (ObjectNode) f;
      }
    }
    throw new IllegalStateException(path + " is not in " + array);
  }

  private static void removeChain(ObjectNode manifest, String path) {
    java.util.Iterator<JsonNode> it = manifest.get("chains").elements();
    while (it.hasNext()) {
      if (it.next().path("path").asText().equals(path)) {
        it.remove();
      }
    }
  }

  /** Adds a file to the archive and lists it with its right hash and size. */
  private static void listExtra(Map<String, byte[]> entries, String name) {
    byte[] content = bytes("x");
    entries.put(name, content);
    manifest(
        entries,
        m ->
            ((com.fasterxml.jackson.databind.node.ArrayNode) m.get("files"))
                .addObject()
                .put("path", name)
                .put("sha256", DurableFiles.sha256Hex(content))
                .put("bytes", content.length));
  }

  @Test
  void aRefusedNameIsNamedWithoutItsControlCharacters() throws Exception {
    Map<String, byte[]> entries = readEntries(archive);
    listExtra(entries, "tasks/T-013/notes\nFAKE: all good.txt");
    Path bad = tmp.resolve("bad.zip");
    writeArchive(bad, entries, Map.of());
    assertThatThrownBy(() -> WorkflowLogger.importProject(root, bad, "target"))
        .isInstanceOf(LogRefusedException.class)
        .satisfies(
            e ->
                assertThat(e.getMessage())
                    .doesNotContain("\n")
                    .contains("notes\\u000aFAKE: all good.txt"));
  }

  private static Arguments hostile(
      String name, String code, Consumer<Map<String, byte[]>> mutation) {
    return Arguments.of(name, code, mutation);
  }

  @ParameterizedTest(name = "{0} is refused with {1} and nothing is written")
  @MethodSource("hostileArchives")
  void hostileArchivesAreRefusedBeforeAnythingIsWritten(
      String name, String code, Consumer<Map<String, byte[]>> mutation) throws Exception {
    Map<String, byte[]> entries = readEntries(archive);
    mutation.accept(entries);
    Path bad = tmp.resolve("bad.zip");
    writeArchive(bad, entries, Map.of());
    assertRefused(bad, code);
  }

  @Test
  void aSymbolicLinkEntryIsRefused() throws Exception {
    Map<String, byte[]> entries = readEntries(archive);
    Path bad = tmp.resolve("bad.zip");
    writeArchive(bad, entries, Map.of("tasks/T-013/artifacts/link", "/etc/passwd"));
    assertRefused(bad, "ARCHIVE_LINK");
  }

  @Test
  void aDuplicateEntryIsRefused() throws Exception {
    Map<String, byte[]> entries = readEntries(archive);
    Path bad = tmp.resolve("bad.zip");
    try (OutputStream out = Files.newOutputStream(bad);
        ZipArchiveOutputStream zip = new ZipArchiveOutputStream(out)) {
      for (Map.Entry<String, byte[]> e : entries.entrySet()) {
        put(zip, e.getKey(), e.getValue());
      }
      put(zip, "events.jsonl", bytes("{}\n"));
    }
    assertRefused(bad, "ARCHIVE_DUPLICATE");
  }

  @Test
  void anExistingTargetIsRefused() throws Exception {
    Files.createDirectories(root.resolve("taken"));
    Files.writeString(root.resolve("taken/keep.txt"), "mine");
    assertThatThrownBy(() -> WorkflowLogger.importProject(root, archive, "taken"))
        .isInstanceOf(LogRefusedException.class)
        .satisfies(e -> assertThat(((LogRefusedException) e).code()).isEqualTo("TARGET_EXISTS"));
    assertThat(Files.readString(root.resolve("taken/keep.txt"))).isEqualTo("mine");
    assertThatThrownBy(() -> WorkflowLogger.importProject(root, archive, "ford-ai-flow"))
        .hasMessageContaining("already exists");
  }

  @Test
  void missingOrUnreadableArchivesAndBombsAreRefused() throws Exception {
    assertRefused(tmp.resolve("absent.zip"), "ARCHIVE_MISSING");
    Path notZip = tmp.resolve("not.zip");
    Files.writeString(notZip, "hello");
    assertRefused(notZip, "ARCHIVE_UNREADABLE");
    assertThatThrownBy(
            () ->
                WorkflowLogger.importProject(
                    root, archive, "small", LoggerOptions.defaults(), 10_000))
        .satisfies(
            e -> assertThat(((LogRefusedException) e).code()).isEqualTo("ARCHIVE_TOO_LARGE"));
    assertThat(root.resolve("small")).doesNotExist();
  }

  @Test
  void exportRefusesABrokenChain() throws Exception {
    try (WorkflowLogger log = WorkflowLogger.open(root, "ford-ai-flow")) {
      Path events = root.resolve("ford-ai-flow/tasks/T-013/events.jsonl");
      Files.writeString(events, Files.readString(events).replace("PASS_ALL", "PASS_SOME"));
      assertThatThrownBy(() -> log.export(tmp.resolve("x.zip")))
          .isInstanceOf(LogRefusedException.class)
          .hasMessageContaining("does not verify");
    }
    assertThat(tmp.resolve("x.zip")).doesNotExist();
  }

  @Test
  void exportRefusesAFileImportWouldRefuse() throws Exception {
    Files.writeString(root.resolve("ford-ai-flow/tasks/T-013/my notes.txt"), "hello");
    try (WorkflowLogger log = WorkflowLogger.open(root, "ford-ai-flow")) {
      assertThatThrownBy(() -> log.export(tmp.resolve("x.zip")))
          .isInstanceOf(LogRefusedException.class)
          .hasMessageContaining("'tasks/T-013/my notes.txt' is not a portable file name");
    }
    assertThat(tmp.resolve("x.zip")).doesNotExist();
  }

  private void assertRefused(Path bad, String code) throws Exception {
    List<String> before = listing(root);
    assertThatThrownBy(() -> WorkflowLogger.importProject(root, bad, "target"))
        .isInstanceOf(LogRefusedException.class)
        .satisfies(e -> assertThat(((LogRefusedException) e).code()).isEqualTo(code));
    assertThat(listing(root)).isEqualTo(before);
    assertThat(tmp.resolve("evil.txt")).doesNotExist();
  }

  private static void tamperChainAndFixManifest(Map<String, byte[]> entries) {
    try {
      String text = new String(entries.get("events.jsonl"), StandardCharsets.UTF_8);
      String tampered = text.replace("Fix parser edge case", "Fix parser edge-case");
      entries.put("events.jsonl", bytes(tampered));
      ObjectNode manifest =
          (ObjectNode) CanonicalJson.STRICT_MAPPER.readTree(entries.get(ProjectArchive.MANIFEST));
      for (JsonNode f : manifest.path("files")) {
        if (f.path("path").asText().equals("events.jsonl")) {
          ((ObjectNode) f).put("sha256", DurableFiles.sha256Hex(bytes(tampered)));
        }
      }
      entries.put(ProjectArchive.MANIFEST, CanonicalJson.STRICT_MAPPER.writeValueAsBytes(manifest));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static Map<String, byte[]> readEntries(Path zipPath) throws Exception {
    Map<String, byte[]> entries = new LinkedHashMap<>();
    try (ZipFile zip = ZipFile.builder().setPath(zipPath).get()) {
      for (Enumeration<ZipArchiveEntry> e = zip.getEntries(); e.hasMoreElements(); ) {
        ZipArchiveEntry entry = e.nextElement();
        entries.put(entry.getName(), zip.getInputStream(entry).readAllBytes());
      }
    }
    return entries;
  }

  private static void writeArchive(
      Path target, Map<String, byte[]> entries, Map<String, String> links) throws Exception {
    try (OutputStream out = Files.newOutputStream(target);
        ZipArchiveOutputStream zip = new ZipArchiveOutputStream(out)) {
      for (Map.Entry<String, byte[]> e : entries.entrySet()) {
        put(zip, e.getKey(), e.getValue());
      }
      for (Map.Entry<String, String> link : links.entrySet()) {
        ZipArchiveEntry entry = new ZipArchiveEntry(link.getKey());
        entry.setUnixMode(0120777);
        zip.putArchiveEntry(entry);
        zip.write(bytes(link.getValue()));
        zip.closeArchiveEntry();
      }
    }
  }

  private static void put(ZipArchiveOutputStream zip, String name, byte[] content)
      throws Exception {
    zip.putArchiveEntry(new ZipArchiveEntry(name));
    zip.write(content);
    zip.closeArchiveEntry();
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static List<String> listing(Path dir) throws Exception {
    if (!Files.exists(dir)) {
      return List.of();
    }
    try (Stream<Path> walk = Files.walk(dir)) {
      return walk.map(p -> dir.relativize(p).toString()).sorted().toList();
    }
  }
}
