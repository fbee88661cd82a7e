package dev.aiflow.logger;

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
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Enumeration;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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
              new ChainVerifier(ProjectSource.directory(dir)).verifyProject(null);
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
        rewriteManifest(staging, manifest, targetProjectId, options.clock());
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
    try (WorkflowLogger logger = WorkflowLogger.open(root, targetProjectId, options)) {
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
        throw refused("ARCHIVE_UNSAFE_PATH", "entry '" + name + "' " + why);
      }
      if (entry.isUnixSymlink()) {
        throw refused("ARCHIVE_LINK", "entry '" + name + "' is a symbolic link");
      }
      if (entry.isDirectory()) {
        continue;
      }
      if (byName.put(name, entry) != null) {
        throw refused("ARCHIVE_DUPLICATE", "entry '" + name + "' appears more than once");
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
    return null;
  }

  private static JsonNode readManifest(ZipFile zip, Map<String, ZipArchiveEntry> entries)
      throws IOException {
    ZipArchiveEntry entry = entries.get(MANIFEST);
    if (entry == null) {
      throw refused("ARCHIVE_MANIFEST_MISSING", MANIFEST + " is missing");
    }
    JsonNode manifest;
    try (InputStream in = zip.getInputStream(entry)) {
      manifest = CanonicalJson.STRICT_MAPPER.readTree(in);
    } catch (IOException e) {
      throw refused("ARCHIVE_MANIFEST_INVALID", MANIFEST + " is not valid JSON");
    }
    if (!FORMAT.equals(manifest.path("format").asText())
        || manifest.path("format_version").asInt() != 1
        || !manifest.path("files").isArray()) {
      throw refused("ARCHIVE_MANIFEST_INVALID", MANIFEST + " is not an aiflow export manifest");
    }
    return manifest;
  }

  private static void checkFiles(
      ZipFile zip, Map<String, ZipArchiveEntry> entries, JsonNode manifest, long maxBytes)
      throws IOException {
    TreeSet<String> unlisted = new TreeSet<>(entries.keySet());
    unlisted.remove(MANIFEST);
    long total = 0;
    for (JsonNode f : manifest.path("files")) {
      String path = f.path("path").asText();
      ZipArchiveEntry entry = entries.get(path);
      if (entry == null) {
        throw refused("ARCHIVE_FILE_MISSING", "the manifest lists '" + path + "' but it is absent");
      }
      unlisted.remove(path);
      MessageDigest md = DurableFiles.sha256();
      byte[] buf = new byte[1 << 16];
      try (InputStream in = zip.getInputStream(entry)) {
        int n;
        while ((n = in.read(buf)) > 0) {
          total += n;
          if (total > maxBytes) {
            throw refused(
                "ARCHIVE_TOO_LARGE", "more than " + maxBytes + " bytes once uncompressed");
          }
          md.update(buf, 0, n);
        }
      }
      String actual = HexFormat.of().formatHex(md.digest());
      if (!actual.equals(f.path("sha256").asText())) {
        throw refused(
            "ARCHIVE_HASH_MISMATCH",
            "'"
                + path
                + "' has SHA-256 "
                + actual
                + " but the manifest says "
                + f.path("sha256").asText());
      }
    }
    if (!unlisted.isEmpty()) {
      throw refused(
          "ARCHIVE_UNEXPECTED_FILE", "entry '" + unlisted.first() + "' is not in the manifest");
    }
    if (!entries.containsKey(ProjectLayout.EVENTS)
        || !entries.containsKey(ProjectLayout.PROJECT_MANIFEST)) {
      throw refused("ARCHIVE_FILE_MISSING", "the archive holds no project chain and manifest");
    }
  }

  private static void checkChains(
      ZipFile zip, Map<String, ZipArchiveEntry> entries, JsonNode manifest) throws IOException {
    ProjectSource source = zipSource(zip, entries);
    VerificationReport report = new ChainVerifier(source).verifyProject(null);
    if (!report.ok()) {
      throw refused(
          "ARCHIVE_CHAIN_BROKEN", "the project chain does not verify: " + report.firstProblem());
    }
    if (!report.head().equals(manifest.path("project_head").asText())) {
      throw refused(
          "ARCHIVE_HEAD_MISMATCH",
          "the project chain ends at "
              + report.head()
              + " but the manifest says "
              + manifest.path("project_head").asText()
              + " (events were cut or added)");
    }
    for (JsonNode chain : manifest.path("chains")) {
      String path = chain.path("path").asText();
      if (path.equals(ProjectLayout.EVENTS)) {
        continue;
      }
      String taskId = path.substring(ProjectLayout.TASKS.length() + 1, path.lastIndexOf('/'));
      VerificationReport task =
          new ChainVerifier(source).verifyTask(taskId, chain.path("head").asText());
      if (!task.ok()) {
        throw refused("ARCHIVE_CHAIN_BROKEN", "task chain " + path + ": " + task.firstProblem());
      }
    }
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
      Path staging, JsonNode exported, String targetProjectId, Clock clock) throws IOException {
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
        .put("migrated_at", clock.instant().truncatedTo(ChronoUnit.MILLIS).toString());
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
