package dev.aiflow.recovery;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.aiflow.files.AtomicFile;
import dev.aiflow.files.Digests;
import dev.aiflow.protocol.PathGlob;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.SecureRandom;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * Local checkpoints of workspace files and exact rollbacks (docs/recovery.md). A checkpoint is a
 * folder {@code <root>/<id>/} holding copies under {@code files/} and {@code manifest.json},
 * written last: a checkpoint without a manifest never happened. A rollback first verifies every
 * copy against the manifest and every path against the workspace, and only then touches the
 * workspace.
 */
public final class CheckpointStore {

  public static final String MANIFEST = "manifest.json";
  public static final String SCHEMA = "aiflow.checkpoint.v1";
  private static final Pattern ID = Pattern.compile("^[A-Za-z0-9][A-Za-z0-9._-]{0,200}$");
  private static final DateTimeFormatter STAMP =
      DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);
  private static final Set<String> NEVER_WALKED = Set.of(".git", ".artifacts", ".aiflow");
  private static final ObjectMapper JSON =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
  private static final SecureRandom RANDOM = new SecureRandom();

  private final Path root;

  public CheckpointStore(Path root) {
    this.root = root.toAbsolutePath().normalize();
  }

  public Path root() {
    return root;
  }

  /**
   * Takes a checkpoint of {@code files} (workspace-relative or absolute inside the workspace;
   * absent ones are recorded as absent) and of every file matching {@code patterns}.
   *
   * @throws RecoveryException {@code PATH_ESCAPES_WORKSPACE} before anything is copied
   */
  public Checkpoint create(
      String taskKey,
      String runId,
      Path workspace,
      List<String> files,
      List<String> patterns,
      Instant now) {
    Path ws = workspaceRoot(workspace);
    Set<String> paths = new TreeSet<>();
    for (String f : files) {
      paths.add(relative(ws, f));
    }
    for (String glob : patterns) {
      checkGlob(glob);
      paths.addAll(matching(ws, List.of(glob)));
    }
    String id =
        safe(taskKey)
            + "_"
            + STAMP.format(now)
            + "_"
            + HexFormat.of().formatHex(RANDOM.generateSeed(4)).substring(0, 7);
    Path dir = root.resolve(id);
    List<Checkpoint.Entry> entries = new ArrayList<>();
    try {
      Files.createDirectories(dir.resolve("files"));
      for (String rel : paths) {
        Path source = ws.resolve(rel);
        if (!Files.isRegularFile(source, LinkOption.NOFOLLOW_LINKS)) {
          if (Files.exists(source, LinkOption.NOFOLLOW_LINKS)) {
            throw new RecoveryException(
                "NOT_A_FILE", rel + " is a folder or a link; checkpoints hold regular files");
          }
          entries.add(new Checkpoint.Entry(rel, false, null, 0, false));
          continue;
        }
        byte[] bytes = Files.readAllBytes(source);
        Path copy = dir.resolve("files").resolve(rel);
        AtomicFile.write(copy, bytes);
        entries.add(
            new Checkpoint.Entry(
                rel, true, Digests.sha256(bytes), bytes.length, Files.isExecutable(source)));
      }
    } catch (IOException e) {
      throw new UncheckedIOException("could not take checkpoint " + id + ": " + e.getMessage(), e);
    }
    Checkpoint cp = new Checkpoint(id, taskKey, runId, ws, now, patterns, entries);
    AtomicFile.write(dir.resolve(MANIFEST), bytes(toJson(cp)));
    return cp;
  }

  /** Reads a checkpoint's manifest. */
  public Checkpoint load(String id) {
    if (id == null || !ID.matcher(id).matches()) {
      throw new RecoveryException("CHECKPOINT_NOT_FOUND", "'" + id + "' is not a checkpoint id");
    }
    Path manifest = root.resolve(id).resolve(MANIFEST);
    JsonNode n;
    if (!Files.exists(manifest, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
      throw new RecoveryException("CHECKPOINT_NOT_FOUND", "no checkpoint " + id + " in " + root);
    }
    try {
      n =
          dev.aiflow.json.StrictJson.readTree(
              dev.aiflow.files.PathPolicy.readBounded(
                  "manifest", manifest.toString(), manifest, 64L * 1024 * 1024));
    } catch (IllegalArgumentException e) {
      throw new RecoveryException("CHECKPOINT_CORRUPT", manifest + ": " + e.getMessage());
    }
    try {
      return fromJson(n);
    } catch (RuntimeException e) {
      throw new RecoveryException("CHECKPOINT_CORRUPT", manifest + ": " + e.getMessage());
    }
  }

  /**
   * Restores the workspace to the checkpoint: files that existed get their bytes (and executable
   * bit) back, files that did not exist are deleted, and files created since under the checkpoint's
   * patterns are deleted. Refuses, touching nothing, when a copy does not match its hash or a path
   * leaves the workspace.
   */
  public RollbackReport rollback(String id) {
    Checkpoint cp = load(id);
    Path ws = workspaceRoot(cp.workspace());
    Path files = root.resolve(id).resolve("files");
    Map<String, byte[]> copies = new LinkedHashMap<>();
    for (Checkpoint.Entry e : cp.entries()) {
      String rel = relative(ws, e.path()); // a tampered manifest must not reach outside
      if (!rel.equals(e.path())) {
        throw new RecoveryException("CHECKPOINT_CORRUPT", e.path() + " is not a normalised path");
      }
      if (!e.existed()) {
        continue;
      }
      byte[] bytes;
      try {
        bytes = Files.readAllBytes(files.resolve(rel));
      } catch (IOException ex) {
        throw new RecoveryException(
            "CHECKPOINT_CORRUPT", "the copy of " + rel + " is unreadable: " + ex.getMessage());
      }
      if (!Digests.sha256(bytes).equals(e.sha256())) {
        throw new RecoveryException(
            "CHECKPOINT_CORRUPT", "the copy of " + rel + " does not match its SHA-256");
      }
      copies.put(rel, bytes);
    }
    List<String> restored = new ArrayList<>();
    List<String> deleted = new ArrayList<>();
    List<String> unchanged = new ArrayList<>();
    Set<String> listed = new TreeSet<>();
    try {
      for (Checkpoint.Entry e : cp.entries()) {
        listed.add(e.path());
        Path target = ws.resolve(e.path());
        if (e.existed()) {
          byte[] want = copies.get(e.path());
          if (Files.isRegularFile(target, LinkOption.NOFOLLOW_LINKS)
              && Digests.sha256(Files.readAllBytes(target)).equals(e.sha256())
              && Files.isExecutable(target) == e.executable()) {
            unchanged.add(e.path());
            continue;
          }
          if (Files.isSymbolicLink(target)) {
            Files.delete(target); // never write through a link the agent left
          }
          AtomicFile.write(target, want);
          target.toFile().setExecutable(e.executable(), false);
          restored.add(e.path());
        } else if (Files.deleteIfExists(target)) {
          deleted.add(e.path());
        } else {
          unchanged.add(e.path());
        }
      }
      for (String rel : matching(ws, cp.patterns())) {
        if (!listed.contains(rel) && Files.deleteIfExists(ws.resolve(rel))) {
          deleted.add(rel);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("rollback " + id + " stopped: " + e.getMessage(), e);
    }
    return new RollbackReport(id, restored, deleted, unchanged);
  }

  private static Path workspaceRoot(Path workspace) {
    try {
      return workspace.toRealPath();
    } catch (IOException e) {
      throw new RecoveryException("WORKSPACE_MISSING", "no workspace at " + workspace);
    }
  }

  /**
   * The workspace-relative, normalised form of {@code path}; refuses what leaves the workspace,
   * directly or through a symbolic link in a parent folder.
   */
  static String relative(Path ws, String path) {
    if (path == null || path.isBlank() || path.indexOf('\0') >= 0) {
      throw new RecoveryException("PATH_ESCAPES_WORKSPACE", "an empty path");
    }
    Path p = Path.of(path);
    Path abs = (p.isAbsolute() ? p : ws.resolve(p)).normalize();
    if (!abs.startsWith(ws) || abs.equals(ws)) {
      throw new RecoveryException(
          "PATH_ESCAPES_WORKSPACE", path + " is outside the workspace " + ws);
    }
    Path parent = abs.getParent();
    while (parent != null && !Files.exists(parent, LinkOption.NOFOLLOW_LINKS)) {
      parent = parent.getParent();
    }
    try {
      if (parent != null && !parent.toRealPath().startsWith(ws)) {
        throw new RecoveryException(
            "PATH_ESCAPES_WORKSPACE", path + " leads outside the workspace through a link");
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return ws.relativize(abs).toString().replace('\\', '/');
  }

  private static void checkGlob(String glob) {
    if (glob.startsWith("/") || ("/" + glob + "/").contains("/../")) {
      throw new RecoveryException(
          "PATH_ESCAPES_WORKSPACE", "`" + glob + "` is not a workspace-relative glob");
    }
  }

  /** Regular files under the workspace matching any glob (links are not followed). */
  static List<String> matching(Path ws, List<String> globs) {
    List<String> out = new ArrayList<>();
    if (globs.isEmpty()) {
      return out;
    }
    try {
      Files.walkFileTree(
          ws,
          new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
              return !dir.equals(ws) && NEVER_WALKED.contains(dir.getFileName().toString())
                  ? FileVisitResult.SKIP_SUBTREE
                  : FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
              if (attrs.isRegularFile()) {
                String rel = ws.relativize(file).toString().replace('\\', '/');
                if (PathGlob.anyMatches(globs, rel)) {
                  out.add(rel);
                }
              }
              return FileVisitResult.CONTINUE;
            }
          });
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out;
  }

  private static String safe(String key) {
    String s = key == null ? "checkpoint" : key.replaceAll("[^A-Za-z0-9._-]", "_");
    return s.isEmpty() || !Character.isLetterOrDigit(s.charAt(0)) ? "cp" + s : s;
  }

  private static ObjectNode toJson(Checkpoint cp) {
    ObjectNode n = JSON.createObjectNode();
    n.put("schema", SCHEMA);
    n.put("checkpoint_id", cp.id());
    n.put("task_key", cp.taskKey());
    if (cp.runId() != null) {
      n.put("run_id", cp.runId());
    }
    n.put("workspace", cp.workspace().toString());
    n.put("created_at", cp.createdAt().toString());
    cp.patterns().forEach(n.putArray("patterns")::add);
    ArrayNode files = n.putArray("files");
    for (Checkpoint.Entry e : cp.entries()) {
      ObjectNode f = files.addObject();
      f.put("path", e.path());
      f.put("existed", e.existed());
      if (e.existed()) {
        f.put("sha256", e.sha256());
        f.put("size", e.size());
        f.put("executable", e.executable());
      }
    }
    return n;
  }

  private static Checkpoint fromJson(JsonNode n) {
    if (!SCHEMA.equals(n.path("schema").asText())) {
      throw new IllegalArgumentException("expected schema " + SCHEMA);
    }
    List<String> patterns = new ArrayList<>();
    n.path("patterns").forEach(p -> patterns.add(p.asText()));
    List<Checkpoint.Entry> entries = new ArrayList<>();
    for (JsonNode f : n.path("files")) {
      boolean existed = f.path("existed").asBoolean();
      String sha = f.path("sha256").asText(null);
      if (existed && (sha == null || !sha.matches("[0-9a-f]{64}"))) {
        throw new IllegalArgumentException("file " + f.path("path").asText() + " has no SHA-256");
      }
      entries.add(
          new Checkpoint.Entry(
              f.path("path").asText(),
              existed,
              sha,
              f.path("size").asLong(),
              f.path("executable").asBoolean()));
    }
    return new Checkpoint(
        n.path("checkpoint_id").asText(),
        n.path("task_key").asText(),
        n.path("run_id").asText(null),
        Path.of(n.path("workspace").asText()),
        Instant.parse(n.path("created_at").asText()),
        patterns,
        entries);
  }

  private static byte[] bytes(JsonNode n) {
    try {
      return (JSON.writeValueAsString(n) + "\n").getBytes(StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }
}
