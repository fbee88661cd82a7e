package dev.aiflow.logger;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Enumeration;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;
import org.apache.commons.compress.archivers.zip.ZipArchiveOutputStream;
import org.apache.commons.compress.archivers.zip.ZipFile;

/**
 * Export of a project to a zip, and import of such a zip under a new project id.
 *
 * <p>The archive carries {@value #MANIFEST} with the SHA-256 of every file and the head of every
 * chain. Import checks the entry names, every hash and every chain inside the archive before it
 * writes a single byte, then extracts into a hidden staging folder and renames it into place.
 */
final class ProjectArchive {

  static final String MANIFEST = "aiflow-export.json";
  static final String FORMAT = "aiflow-export";
  private static final long MAX_ENTRIES = 1_000_000;

  private ProjectArchive() {}

  // ------------------------------------------------------------------ export

  static ExportResult export(ProjectStore store, Path archive, Clock clock) {
    return export(store, archive, clock, null);
  }

  static ExportResult export(ProjectStore store, Path archive, Clock clock, ExportExtras extras) {
    Path dir = store.layout().dir;
    return store.withFileLock(
        () -> {
          store.completeTaskFiles();
          VerificationReport report =
              new ChainVerifier(ProjectSource.directory(dir), dir.getFileName().toString())
                  .verifyProject(null);
          if (!report.ok()) {
            throw new LogRefusedException(
                "CHAIN_BROKEN",
                "refusing to export a project whose chain does not verify: "
                    + report.firstProblem());
          }
          Map<String, String> extra =
              extras == null ? Map.of() : extras.members(store.projectId(), dir, report.events());
          Map<String, Path> files = listFiles(dir);
          ObjectNode manifest = CanonicalJson.STRICT_MAPPER.createObjectNode();
          manifest.put("format", FORMAT);
          manifest.put("format_version", 1);
          manifest.put("project_id", store.projectId());
          manifest.put("exported_at", clock.instant().truncatedTo(ChronoUnit.MILLIS).toString());
          manifest.put("project_head", report.head());
          manifest.put("events", report.events());
          ArrayNode fileList = manifest.putArray("files");
          for (Map.Entry<String, Path> f : files.entrySet()) {
            fileList
                .addObject()
                .put("path", f.getKey())
                .put("sha256", DurableFiles.sha256Hex(f.getValue()))
                .put("bytes", Files.size(f.getValue()));
          }
          ArrayNode chains = manifest.putArray("chains");
          chains.addObject().put("path", ProjectLayout.EVENTS).put("head", report.head());
          for (Map.Entry<String, String> t : new TreeMap<>(store.taskHeads()).entrySet()) {
            chains
                .addObject()
                .put("path", ProjectLayout.taskEventsName(t.getKey()))
                .put("head", t.getValue());
          }
          for (Map.Entry<String, String> e : new TreeMap<>(extra).entrySet()) {
            if (manifest.has(e.getKey())) {
              throw new IllegalArgumentException(
                  "an export extra may not replace the manifest's " + e.getKey());
            }
            if (!EXTENSION_MEMBERS.contains(e.getKey())) {
              // import would refuse the archive: an unknown member would go unchecked
              throw new IllegalArgumentException(
                  "an export extra must be one of " + EXTENSION_MEMBERS + ": " + e.getKey());
            }
            manifest.put(e.getKey(), e.getValue());
          }
          Path target = archive.toAbsolutePath();
          Files.createDirectories(target.getParent());
          Path tmp = target.resolveSibling(target.getFileName() + ".tmp-" + UUID.randomUUID());
          try (OutputStream out = Files.newOutputStream(tmp);
              ZipArchiveOutputStream zip = new ZipArchiveOutputStream(out)) {
            byte[] manifestBytes =
                CanonicalJson.STRICT_MAPPER
                    .writerWithDefaultPrettyPrinter()
                    .writeValueAsBytes(manifest);
            putEntry(zip, MANIFEST, manifestBytes);
            for (Map.Entry<String, Path> f : files.entrySet()) {
              putEntry(zip, f.getKey(), Files.readAllBytes(f.getValue()));
            }
          }
          try {
            Files.move(
                tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
          } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
          }
          return new ExportResult(
              target,
              store.projectId(),
              report.head(),
              report.events(),
              files.size(),
              DurableFiles.sha256Hex(target));
        });
  }

  private static void putEntry(ZipArchiveOutputStream zip, String name, byte[] content)
      throws IOException {
    ZipArchiveEntry entry = new ZipArchiveEntry(name);
    entry.setSize(content.length);
    entry.setUnixMode(0100644);
    zip.putArchiveEntry(entry);
    zip.write(content);
    zip.closeArchiveEntry();
  }

  /** Every regular file of the project except the lock and leftovers of atomic writes. */
  private static Map<String, Path> listFiles(Path dir) throws IOException {
    Map<String, Path> files = new TreeMap<>();
    try (Stream<Path> walk = Files.walk(dir)) {
      for (Path p : (Iterable<Path>) walk.sorted(Comparator.naturalOrder())::iterator) {
        BasicFileAttributes attrs =
            Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        String rel = dir.relativize(p).toString().replace('\\', '/');
        if (attrs.isSymbolicLink()) {
          throw new LogRefusedException(
              "UNEXPECTED_LINK", "refusing to export: " + rel + " is a symbolic link");
        }
        if (!attrs.isRegularFile()
            || rel.equals(ProjectLayout.LOCK)
            || p.getFileName().toString().contains(".tmp-")) {
          continue;
        }
        String why = ProjectLayout.unportablePath(rel);
        if (why != null) {
          // import would refuse it: say so now, not when the archive is needed
          throw new LogRefusedException(
              "UNEXPECTED_FILE", "refusing to export: " + shown(rel) + " " + why);
        }
        files.put(rel, p);
      }
    }
    return files;
  }

  // ------------------------------------------------------------------ import

  static ImportResult importProject(
      Path root, Path archive, String targetProjectId, LoggerOptions options, long maxBytes) {
    ProjectLayout.checkId("target project id", targetProjectId);
    ProjectLayout target = new ProjectLayout(root, targetProjectId);
    if (Files.exists(target.dir, LinkOption.NOFOLLOW_LINKS)) {
      throw new LogRefusedException(
          "TARGET_EXISTS",
          "refusing to import: " + target.dir + " already exists; choose another target id");
    }
    if (!Files.isRegularFile(archive)) {
      throw new LogRefusedException("ARCHIVE_MISSING", "no archive at " + archive);
    }
    String archiveSha;
    JsonNode manifest;
    // the lineage entry and the project_migrated event carry the same instant (verify compares)
    Instant migratedAt = options.clock().instant().truncatedTo(ChronoUnit.MILLIS);
    Map<String, ZipArchiveEntry> entries;
    try (ZipFile zip = ZipFile.builder().setPath(archive).get()) {
      archiveSha = DurableFiles.sha256Hex(archive);
      entries = checkEntries(zip);
      manifest = readManifest(zip, entries);
      checkFiles(zip, entries, manifest, maxBytes);
      checkChains(zip, entries, manifest);
      Path staging =
          root.toAbsolutePath().resolve(".import-" + targetProjectId + "-" + UUID.randomUUID());
      try {
        extract(zip, entries, staging);
        rewriteManifest(staging, manifest, targetProjectId, migratedAt);
        Files.createDirectories(root);
        try {
          Files.move(staging, target.dir, StandardCopyOption.ATOMIC_MOVE);
        } catch (FileAlreadyExistsException e) {
          throw new LogRefusedException(
              "TARGET_EXISTS", "refusing to import: " + target.dir + " appeared meanwhile");
        }
        DurableFiles.fsyncDirectory(root.toAbsolutePath());
      } finally {
        deleteTree(staging);
      }
    } catch (IOException e) {
      throw new LogRefusedException(
          "ARCHIVE_UNREADABLE", "cannot read archive " + archive + ": " + e.getMessage(), e);
    }
    String sourceId = manifest.path("project_id").asText();
    String sourceHead = manifest.path("project_head").asText();
    try (WorkflowLogger logger =
        WorkflowLogger.open(
            root, targetProjectId, options.withClock(Clock.fixed(migratedAt, ZoneOffset.UTC)))) {
      Map<String, Object> fields = new LinkedHashMap<>();
      fields.put("from_project_id", sourceId);
      fields.put("source_head", sourceHead);
      fields.put("archive_sha256", archiveSha);
      ChainEvent migrated = logger.appendProjectEvent(EventFields.TYPE_PROJECT_MIGRATED, fields);
      return new ImportResult(
          target.dir, sourceId, targetProjectId, sourceHead, migrated.eventHash());
    }
  }

  private static Map<String, ZipArchiveEntry> checkEntries(ZipFile zip) {
    Map<String, ZipArchiveEntry> byName = new LinkedHashMap<>();
    long count = 0;
    for (Enumeration<ZipArchiveEntry> e = zip.getEntriesInPhysicalOrder(); e.hasMoreElements(); ) {
      ZipArchiveEntry entry = e.nextElement();
      if (++count > MAX_ENTRIES) {
        throw refused("ARCHIVE_TOO_LARGE", "more than " + MAX_ENTRIES + " entries");
      }
      String name = entry.getName();
      String why = unsafeName(name);
      if (why != null) {
        throw refused("ARCHIVE_UNSAFE_PATH", "entry " + shown(name) + " " + why);
      }
      if (entry.isUnixSymlink()) {
        throw refused("ARCHIVE_LINK", "entry " + shown(name) + " is a symbolic link");
      }
      if (entry.isDirectory()) {
        continue;
      }
      if (byName.put(name, entry) != null) {
        throw refused("ARCHIVE_DUPLICATE", "entry " + shown(name) + " appears more than once");
      }
    }
    return byName;
  }

  /** Why a name could write outside the target (zip-slip), or null when it is safe. */
  static String unsafeName(String name) {
    if (name.isEmpty()) {
      return "has an empty name";
    }
    if (name.startsWith("/") || name.contains("\\") || name.contains(":") || name.contains("\0")) {
      return "is absolute or uses a drive, backslash or NUL";
    }
    String path = name.endsWith("/") ? name.substring(0, name.length() - 1) : name;
    for (String segment : path.split("/", -1)) {
      if (segment.isEmpty() || segment.equals(".") || segment.equals("..")) {
        return "has an empty, '.' or '..' path segment";
      }
    }
    return ProjectLayout.unportablePath(path);
  }

  /** A name for a message: quoted, with control and non-ASCII characters escaped. */
  private static String shown(String name) {
    return ProjectManifests.printable(name);
  }

  /** The members of {@value #MANIFEST}; each is checked at import, none other is accepted. */
  static final Set<String> MANIFEST_MEMBERS =
      Set.of(
          "format",
          "format_version",
          "project_id",
          "exported_at",
          "project_head",
          "events",
          "files",
          "chains");

  /**
   * Members an export extension ({@link ExportExtras}) writes: the transparency log's signed
   * checkpoint of the exported events and its verifier key. {@code aiflow log verify-bundle} checks
   * them; import takes them as strings and keeps nothing of the manifest. A new extension member is
   * added here, or import refuses archives that carry it.
   */
  static final Set<String> EXTENSION_MEMBERS = Set.of("checkpoint", "verifier_key");

  private static JsonNode readManifest(ZipFile zip, Map<String, ZipArchiveEntry> entries)
      throws IOException {
    ZipArchiveEntry entry = entries.get(MANIFEST);
    if (entry == null) {
      throw refused("ARCHIVE_MANIFEST_MISSING", MANIFEST + " is missing");
    }
    JsonNode manifest;
    try (InputStream in = zip.getInputStream(entry)) {
      manifest = CanonicalJson.STRICT_MAPPER.readTree(in);
    } catch (JsonProcessingException e) {
      throw refused("ARCHIVE_MANIFEST_INVALID", MANIFEST + " is " + CanonicalJson.describe(e));
    }
    if (manifest == null
        || !manifest.isObject()
        || !FORMAT.equals(manifest.path("format").asText())
        || !manifest.path("format_version").isIntegralNumber()
        || manifest.path("format_version").asInt() != 1) {
      throw refused("ARCHIVE_MANIFEST_INVALID", MANIFEST + " is not an aiflow export manifest");
    }
    for (Iterator<String> it = manifest.fieldNames(); it.hasNext(); ) {
      String name = it.next();
      if (EXTENSION_MEMBERS.contains(name)) {
        if (!manifest.get(name).isTextual()) {
          throw invalid(name + " is not a string");
        }
      } else if (!MANIFEST_MEMBERS.contains(name)) {
        throw invalid(
            "member " + shown(name) + " is not one aiflow writes (it would go unchecked)");
      }
    }
    JsonNode id = manifest.get("project_id");
    if (id == null || !id.isTextual() || ProjectLayout.unportablePath(id.textValue()) != null) {
      throw invalid("project_id is not a valid project id");
    }
    if (!ProjectManifests.isInstant(manifest.get("exported_at"))) {
      throw invalid("exported_at is not an ISO-8601 UTC instant in milliseconds");
    }
    if (!ProjectManifests.isHash(manifest.get("project_head"))) {
      throw invalid("project_head is not 64 lower-case hex digits");
    }
    JsonNode events = manifest.get("events");
    if (events == null || !events.isIntegralNumber() || events.asLong() < 1) {
      throw invalid("events is not a positive integer");
    }
    if (!manifest.path("files").isArray() || manifest.path("files").isEmpty()) {
      throw invalid("files is not a non-empty array");
    }
    if (!manifest.path("chains").isArray() || manifest.path("chains").isEmpty()) {
      throw invalid("chains is not a non-empty array (it lists at least the project chain)");
    }
    return manifest;
  }

  private static LogRefusedException invalid(String why) {
    return refused("ARCHIVE_MANIFEST_INVALID", MANIFEST + ": " + why);
  }

  /**
   * Every listed file: a portable name listed once, present, of the listed size and SHA-256; and
   * every entry listed.
   */
  private static void checkFiles(
      ZipFile zip, Map<String, ZipArchiveEntry> entries, JsonNode manifest, long maxBytes)
      throws IOException {
    TreeSet<String> unlisted = new TreeSet<>(entries.keySet());
    unlisted.remove(MANIFEST);
    Set<String> listed = new HashSet<>();
    long total = 0;
    JsonNode files = manifest.path("files");
    for (int i = 0; i < files.size(); i++) {
      JsonNode f = files.get(i);
      String where = "files[" + i + "]";
      if (!f.isObject() || f.size() != 3 || !f.path("path").isTextual()) {
        throw invalid(where + " must hold exactly a path, a sha256 and bytes");
      }
      String path = f.get("path").textValue();
      String why = ProjectLayout.unportablePath(path);
      if (why != null || path.equals(MANIFEST)) {
        throw refused(
            "ARCHIVE_UNSAFE_PATH",
            MANIFEST + " lists " + shown(path) + ", which " + (why != null ? why : "is itself"));
      }
      if (!listed.add(path)) {
        throw invalid("it lists " + shown(path) + " more than once");
      }
      if (!ProjectManifests.isHash(f.get("sha256"))) {
        throw invalid(where + ".sha256 is not 64 lower-case hex digits");
      }
      JsonNode bytes = f.get("bytes");
      if (bytes == null || !bytes.isIntegralNumber() || bytes.asLong() < 0) {
        throw invalid(where + ".bytes is not a non-negative integer");
      }
      ZipArchiveEntry entry = entries.get(path);
      if (entry == null) {
        throw refused(
            "ARCHIVE_FILE_MISSING", "the manifest lists " + shown(path) + " but it is absent");
      }
      unlisted.remove(path);
      MessageDigest md = DurableFiles.sha256();
      byte[] buf = new byte[1 << 16];
      long size = 0;
      try (InputStream in = zip.getInputStream(entry)) {
        int n;
        while ((n = in.read(buf)) > 0) {
          total += n;
          size += n;
          if (total > maxBytes) {
            throw refused(
                "ARCHIVE_TOO_LARGE", "more than " + maxBytes + " bytes once uncompressed");
          }
          md.update(buf, 0, n);
        }
      }
      String actual = HexFormat.of().formatHex(md.digest());
      if (!actual.equals(f.get("sha256").textValue())) {
        throw refused(
            "ARCHIVE_HASH_MISMATCH",
            shown(path)
                + " has SHA-256 "
                + actual
                + " but the manifest says "
                + f.get("sha256").textValue());
      }
      if (size != bytes.asLong()) {
        throw refused(
            "ARCHIVE_SIZE_MISMATCH",
            shown(path) + " has " + size + " bytes but the manifest says " + bytes.asLong());
      }
    }
    if (!unlisted.isEmpty()) {
      throw refused(
          "ARCHIVE_UNEXPECTED_FILE",
          "entry " + shown(unlisted.first()) + " is not in the manifest");
    }
    if (!entries.containsKey(ProjectLayout.EVENTS)
        || !entries.containsKey(ProjectLayout.PROJECT_MANIFEST)) {
      throw refused("ARCHIVE_FILE_MISSING", "the archive holds no project chain and manifest");
    }
  }

  /**
   * The chains inside the archive verify, and {@code chains[]} lists each of them exactly once with
   * its head: the project chain (ending at {@code project_head}) and every task chain.
   */
  private static void checkChains(
      ZipFile zip, Map<String, ZipArchiveEntry> entries, JsonNode manifest) throws IOException {
    String projectId = manifest.get("project_id").textValue();
    String projectHead = manifest.get("project_head").textValue();
    ProjectSource source = zipSource(zip, entries);
    VerificationReport report = new ChainVerifier(source, projectId).verifyProject(null);
    if (!report.ok()) {
      throw refused(
          "ARCHIVE_CHAIN_BROKEN", "the project chain does not verify: " + report.firstProblem());
    }
    if (!report.head().equals(projectHead)) {
      throw refused(
          "ARCHIVE_HEAD_MISMATCH",
          "the project chain ends at "
              + report.head()
              + " but the manifest says "
              + projectHead
              + " (events were cut or added)");
    }
    if (report.events() != manifest.get("events").asLong()) {
      throw refused(
          "ARCHIVE_MANIFEST_MISMATCH",
          "the project chain holds "
              + report.events()
              + " events but the manifest says "
              + manifest.get("events").asLong());
    }
    Map<String, String> heads = new TreeMap<>();
    JsonNode chains = manifest.get("chains");
    for (int i = 0; i < chains.size(); i++) {
      JsonNode chain = chains.get(i);
      if (!chain.isObject()
          || chain.size() != 2
          || !chain.path("path").isTextual()
          || !ProjectManifests.isHash(chain.get("head"))) {
        throw invalid("chains[" + i + "] must hold exactly a path and a head (64 hex digits)");
      }
      String path = chain.get("path").textValue();
      if (!path.equals(ProjectLayout.EVENTS) && taskIdOfChain(path) == null) {
        throw invalid("chains[" + i + "] names " + shown(path) + ", which is no chain");
      }
      if (heads.put(path, chain.get("head").textValue()) != null) {
        throw invalid("chains[] lists " + shown(path) + " more than once");
      }
    }
    String listedHead = heads.remove(ProjectLayout.EVENTS);
    if (listedHead == null) {
      throw invalid("chains[] does not list the project chain " + ProjectLayout.EVENTS);
    }
    if (!listedHead.equals(projectHead)) {
      throw refused(
          "ARCHIVE_HEAD_MISMATCH",
          "chains[] gives the project chain the head "
              + listedHead
              + " but project_head is "
              + projectHead);
    }
    for (String taskId : source.taskDirectories()) {
      String path = ProjectLayout.taskEventsName(taskId);
      if (entries.containsKey(path) && !heads.containsKey(path)) {
        throw refused(
            "ARCHIVE_MANIFEST_MISMATCH", "chains[] does not list the task chain " + shown(path));
      }
    }
    for (Map.Entry<String, String> chain : heads.entrySet()) {
      if (!entries.containsKey(chain.getKey())) {
        throw refused(
            "ARCHIVE_FILE_MISSING",
            "chains[] lists " + shown(chain.getKey()) + " but the archive does not hold it");
      }
      VerificationReport task =
          new ChainVerifier(source, projectId)
              .verifyTask(taskIdOfChain(chain.getKey()), chain.getValue());
      if (!task.ok()) {
        throw refused(
            "ARCHIVE_CHAIN_BROKEN", "task chain " + chain.getKey() + ": " + task.firstProblem());
      }
    }
  }

  /** The task id of {@code tasks/<id>/events.jsonl}, or null for any other path. */
  private static String taskIdOfChain(String path) {
    String prefix = ProjectLayout.TASKS + "/";
    String suffix = "/" + ProjectLayout.EVENTS;
    if (!path.startsWith(prefix) || !path.endsWith(suffix)) {
      return null;
    }
    String id = path.substring(prefix.length(), path.length() - suffix.length());
    return !id.contains("/") && ProjectLayout.unportablePath(id) == null ? id : null;
  }

  private static ProjectSource zipSource(ZipFile zip, Map<String, ZipArchiveEntry> entries) {
    return new ProjectSource() {
      @Override
      public InputStream open(String path) throws IOException {
        ZipArchiveEntry e = entries.get(path);
        if (e == null) {
          throw new NoSuchFileException(path);
        }
        return zip.getInputStream(e);
      }

      @Override
      public boolean exists(String path) {
        return entries.containsKey(path);
      }

      @Override
      public List<String> taskDirectories() {
        TreeSet<String> ids = new TreeSet<>();
        String prefix = ProjectLayout.TASKS + "/";
        for (String name : entries.keySet()) {
          if (name.startsWith(prefix)) {
            int slash = name.indexOf('/', prefix.length());
            if (slash > 0) {
              ids.add(name.substring(prefix.length(), slash));
            }
          }
        }
        return new ArrayList<>(ids);
      }
    };
  }

  private static void extract(ZipFile zip, Map<String, ZipArchiveEntry> entries, Path staging)
      throws IOException {
    Files.createDirectories(staging);
    Path base = staging.toAbsolutePath().normalize();
    for (Map.Entry<String, ZipArchiveEntry> e : entries.entrySet()) {
      if (e.getKey().equals(MANIFEST)) {
        continue;
      }
      Path out = base.resolve(e.getKey()).normalize();
      if (!out.startsWith(base)) {
        throw refused("ARCHIVE_UNSAFE_PATH", "entry '" + e.getKey() + "' escapes the target");
      }
      Files.createDirectories(out.getParent());
      try (InputStream in = zip.getInputStream(e.getValue())) {
        Files.copy(in, out);
      }
    }
  }

  private static void rewriteManifest(
      Path staging, JsonNode exported, String targetProjectId, Instant migratedAt)
      throws IOException {
    Path file = staging.resolve(ProjectLayout.PROJECT_MANIFEST);
    ObjectNode manifest = (ObjectNode) CanonicalJson.STRICT_MAPPER.readTree(file.toFile());
    ArrayNode lineage =
        manifest.has("lineage") && manifest.get("lineage").isArray()
            ? (ArrayNode) manifest.get("lineage")
            : manifest.putArray("lineage");
    lineage
        .addObject()
        .put("project_id", exported.path("project_id").asText())
        .put("head", exported.path("project_head").asText())
        .put("migrated_at", migratedAt.toString());
    manifest.put("project_id", targetProjectId);
    manifest.set("lineage", lineage);
    DurableFiles.writeAtomically(
        file,
        CanonicalJson.STRICT_MAPPER.writerWithDefaultPrettyPrinter().writeValueAsBytes(manifest));
  }

  private static void deleteTree(Path dir) {
    if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(dir)) {
      for (Path p : (Iterable<Path>) walk.sorted(Comparator.reverseOrder())::iterator) {
        Files.deleteIfExists(p);
      }
    } catch (IOException e) {
      // a leftover hidden staging folder is harmless and is named in no chain
    }
  }

  private static LogRefusedException refused(String code, String why) {
    return new LogRefusedException(code, "refusing to import: " + why + "; nothing was written");
  }
}
