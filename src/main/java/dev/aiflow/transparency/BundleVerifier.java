package dev.aiflow.transparency;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.aiflow.logger.ChainLines;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;

/**
 * Checks an exported archive offline, with nothing but the log's verifier key: no data directory,
 * no server. It holds when
 *
 * <ol>
 *   <li>every file the archive's manifest lists is there with its SHA-256, and nothing else is;
 *   <li>the manifest's checkpoint is signed by the given key, for the log the key names;
 *   <li>the project chain has exactly as many events as the checkpoint's tree, and their RFC 6962
 *       tree has the signed root: every event is in the signed tree and nothing else is;
 *   <li>every checkpoint of this log in the archive's checkpoint log is signed by the key and has
 *       the root of the chain's first events at its size: the history only ever grew;
 *   <li>every task chain holds exactly its task's lines of the project chain, and every large
 *       content file has the SHA-256 its (signed) event names;
 *   <li>the manifest's event count and head agree with the chain.
 * </ol>
 *
 * Every problem found is reported, not only the first. {@code tools/VerifyBundle.java} does the
 * same checks in one dependency-free source file.
 */
public final class BundleVerifier {

  static final String MANIFEST = "aiflow-export.json";

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final JsonFactory FACTORY = JSON.getFactory();

  private BundleVerifier() {}

  /**
   * @param problems what does not hold; empty when the bundle verifies
   * @param notes what was checked, for the report
   * @param projectId the project the manifest names
   * @param events the events in the project chain
   * @param checkpoint the signed checkpoint, when it verified
   */
  public record Report(
      List<String> problems,
      List<String> notes,
      String projectId,
      long events,
      Checkpoint checkpoint) {
    public boolean ok() {
      return problems.isEmpty();
    }
  }

  /** One event line, as much as the checks need. */
  private record Line(String taskId, String eventHash, String contentPath, String contentSha) {}

  public static Report verify(Path archive, VerifierKey key) {
    List<String> problems = new ArrayList<>();
    List<String> notes = new ArrayList<>();
    try (ZipFile zip = new ZipFile(archive.toFile())) {
      return verify(zip, key, problems, notes);
    } catch (ZipException e) {
      problems.add("not a zip archive: " + archive);
    } catch (IOException e) {
      problems.add("cannot read " + archive + ": " + e.getMessage());
    }
    return new Report(problems, notes, null, 0, null);
  }

  private static Report verify(
      ZipFile zip, VerifierKey key, List<String> problems, List<String> notes) throws IOException {
    Map<String, ZipEntry> entries = new LinkedHashMap<>();
    for (Enumeration<? extends ZipEntry> e = zip.entries(); e.hasMoreElements(); ) {
      ZipEntry entry = e.nextElement();
      if (!entry.isDirectory() && entries.put(entry.getName(), entry) != null) {
        problems.add("entry '" + entry.getName() + "' appears more than once");
      }
    }
    ZipEntry manifestEntry = entries.get(MANIFEST);
    if (manifestEntry == null) {
      problems.add(MANIFEST + " is missing: not an aiflow export");
      return new Report(problems, notes, null, 0, null);
    }
    JsonNode manifest;
    try (InputStream in = zip.getInputStream(manifestEntry)) {
      manifest = JSON.readTree(in);
    } catch (IOException e) {
      problems.add(MANIFEST + " is not valid JSON");
      return new Report(problems, notes, null, 0, null);
    }
    if (manifest == null
        || !"aiflow-export".equals(manifest.path("format").asText())
        || !manifest.path("files").isArray()) {
      problems.add(MANIFEST + " is not an aiflow export manifest");
      return new Report(problems, notes, null, 0, null);
    }
    String projectId = manifest.path("project_id").asText(null);

    // 1. the files and their hashes
    Map<String, String> fileSha = checkFiles(zip, entries, manifest, problems);
    notes.add(fileSha.size() + " files match the manifest's SHA-256");

    // 2. the signed checkpoint
    Checkpoint checkpoint = null;
    String checkpointNote = manifest.path(Transparency.MANIFEST_CHECKPOINT).asText(null);
    if (checkpointNote == null) {
      problems.add("the manifest holds no signed checkpoint (exported without one)");
    } else {
      checkpoint = openCheckpoint(checkpointNote, key, "the manifest's checkpoint", problems);
    }
    String bundledKey = manifest.path(Transparency.MANIFEST_VERIFIER_KEY).asText(null);
    if (bundledKey != null && !bundledKey.equals(key.toString())) {
      notes.add(
          "the archive names another verifier key than the one given: the given one was used");
    }

    // 3. the leaves
    String events = ChainLines.eventsName();
    ZipEntry chain = entries.get(events);
    if (chain == null) {
      problems.add(events + " is missing");
      return new Report(problems, notes, projectId, 0, checkpoint);
    }
    MerkleTree tree = new MerkleTree();
    List<Line> lines = new ArrayList<>();
    Map<String, String> taskIds = new java.util.HashMap<>();
    ChainLines.Extent extent;
    try (InputStream in = zip.getInputStream(chain)) {
      extent =
          ChainLines.read(
              in,
              (buf, off, len) -> {
                tree.appendLeaf(buf, off, len);
                Line l = readLine(buf, off, len);
                // one String per task, and only the last event's hash: a million lines stay small
                if (!lines.isEmpty()) {
                  Line prev = lines.get(lines.size() - 1);
                  lines.set(
                      lines.size() - 1,
                      new Line(prev.taskId(), null, prev.contentPath(), prev.contentSha()));
                }
                String task =
                    l.taskId() == null ? null : taskIds.computeIfAbsent(l.taskId(), t -> t);
                lines.add(new Line(task, l.eventHash(), l.contentPath(), l.contentSha()));
              });
    }
    long n = tree.size();
    if (extent.tailBytes() > 0) {
      problems.add(
          events + " ends with " + extent.tailBytes() + " bytes that are not a complete line");
    }
    if (checkpoint != null) {
      checkTree(tree, checkpoint, problems);
    }

    // 4. every checkpoint of this log in the archive's checkpoint log
    checkLog(zip, entries, key, tree, checkpointNote, problems, notes);

    // 5. task chains and large content
    checkTasks(zip, entries, tree, lines, fileSha, problems);

    // 6. the manifest's own claims
    if (manifest.path("events").asLong(-1) != n) {
      problems.add(
          "the manifest says " + manifest.path("events").asText() + " events, the chain has " + n);
    }
    String head = lines.isEmpty() ? null : lines.get(lines.size() - 1).eventHash();
    if (head != null && !head.equals(manifest.path("project_head").asText())) {
      problems.add("the manifest's project_head is not the chain's last event_hash " + head);
    }
    notes.add(n + " events in " + events);
    return new Report(problems, notes, projectId, n, checkpoint);
  }

  private static Map<String, String> checkFiles(
      ZipFile zip, Map<String, ZipEntry> entries, JsonNode manifest, List<String> problems)
      throws IOException {
    Map<String, String> sha = new TreeMap<>();
    TreeSet<String> unlisted = new TreeSet<>(entries.keySet());
    unlisted.remove(MANIFEST);
    for (JsonNode f : manifest.path("files")) {
      String path = f.path("path").asText();
      unlisted.remove(path);
      ZipEntry entry = entries.get(path);
      if (entry == null) {
        problems.add("the manifest lists '" + path + "' but the archive does not hold it");
        continue;
      }
      MessageDigest md = Rfc6962.sha256();
      long bytes = 0;
      try (InputStream in = zip.getInputStream(entry)) {
        byte[] buf = new byte[1 << 16];
        int r;
        while ((r = in.read(buf)) > 0) {
          md.update(buf, 0, r);
          bytes += r;
        }
      }
      String actual = HexFormat.of().formatHex(md.digest());
      if (!actual.equals(f.path("sha256").asText()) || bytes != f.path("bytes").asLong(-1)) {
        problems.add(
            "'"
                + path
                + "' has SHA-256 "
                + actual
                + " but the manifest says "
                + f.path("sha256").asText());
      } else {
        sha.put(path, actual);
      }
    }
    for (String u : unlisted) {
      problems.add("entry '" + u + "' is not in the manifest");
    }
    return sha;
  }

  /** Opens a checkpoint note with the key; null (and a problem) when it does not verify. */
  static Checkpoint openCheckpoint(
      String note, VerifierKey key, String what, List<String> problems) {
    try {
      SignedNote opened = SignedNote.open(note.getBytes(StandardCharsets.UTF_8), List.of(key));
      Checkpoint cp = Checkpoint.parse(opened.text());
      if (!cp.origin().equals(key.name())) {
        problems.add(what + " is for log '" + cp.origin() + "', the key for '" + key.name() + "'");
        return null;
      }
      return cp;
    } catch (NoteException e) {
      problems.add(what + " is not signed by " + key.name() + ": " + e.getMessage());
      return null;
    }
  }

  private static void checkTree(MerkleTree tree, Checkpoint cp, List<String> problems) {
    long n = tree.size();
    if (n < cp.size()) {
      problems.add(
          "the chain has "
              + n
              + " events but the signed checkpoint covers "
              + cp.size()
              + ": events were removed");
    } else {
      if (n > cp.size()) {
        problems.add(
            "events "
                + (cp.size() + 1)
                + " to "
                + n
                + " are not in the signed tree of "
                + cp.size()
                + " events: appended after it was signed");
      }
      if (!Proofs.same(tree.root(cp.size()), cp.root())) {
        problems.add(
            "the first "
                + cp.size()
                + " events do not hash to the signed root "
                + cp.rootBase64()
                + ": an event was changed, inserted or reordered");
      }
    }
  }

  private static void checkLog(
      ZipFile zip,
      Map<String, ZipEntry> entries,
      VerifierKey key,
      MerkleTree tree,
      String manifestNote,
      List<String> problems,
      List<String> notes)
      throws IOException {
    ZipEntry logEntry = entries.get(CheckpointLog.FILE);
    if (logEntry == null) {
      notes.add("no checkpoint log in the archive");
      return;
    }
    CheckpointLog.Contents log;
    try (InputStream in = zip.getInputStream(logEntry)) {
      log = CheckpointLog.parse(in.readAllBytes(), CheckpointLog.FILE);
    } catch (IOException e) {
      problems.add(e.getMessage());
      return;
    }
    if (log.tornBytes() > 0) {
      notes.add(CheckpointLog.FILE + " ends with an incomplete record (not read)");
    }
    long previous = -1;
    int ours = 0;
    int others = 0;
    String lastNote = null;
    for (CheckpointLog.Entry e : log.entries()) {
      if (!e.checkpoint().origin().equals(key.name())) {
        others++;
        continue;
      }
      ours++;
      String what = CheckpointLog.FILE + " record " + e.number();
      Checkpoint cp = openCheckpoint(e.note(), key, what, problems);
      lastNote = e.note();
      if (cp == null) {
        continue;
      }
      if (cp.size() < previous) {
        problems.add(what + " has " + cp.size() + " events, fewer than the one before it");
      }
      previous = cp.size();
      if (cp.size() > tree.size()) {
        problems.add(what + " covers " + cp.size() + " events, the chain has " + tree.size());
      } else if (!Proofs.same(tree.root(cp.size()), cp.root())) {
        problems.add(what + ": the chain's first " + cp.size() + " events do not hash to its root");
      }
    }
    if (manifestNote != null && !manifestNote.equals(lastNote)) {
      problems.add("the manifest's checkpoint is not the last one in " + CheckpointLog.FILE);
    }
    notes.add(ours + " checkpoints of this log checked against the chain");
    if (others > 0) {
      notes.add(others + " checkpoints of other logs (before an import) not checked");
    }
  }

  private static void checkTasks(
      ZipFile zip,
      Map<String, ZipEntry> entries,
      MerkleTree tree,
      List<Line> lines,
      Map<String, String> fileSha,
      List<String> problems)
      throws IOException {
    Map<String, List<Long>> byTask = new TreeMap<>();
    for (int i = 0; i < lines.size(); i++) {
      Line l = lines.get(i);
      if (l.taskId() != null) {
        byTask.computeIfAbsent(l.taskId(), t -> new ArrayList<>()).add((long) i);
        if (l.contentPath() != null) {
          String path = "tasks/" + l.taskId() + "/" + l.contentPath();
          String sha = fileSha.get(path);
          if (sha == null || !sha.equals(l.contentSha())) {
            problems.add(
                "event "
                    + (i + 1)
                    + " names content "
                    + path
                    + " with SHA-256 "
                    + l.contentSha()
                    + (sha == null
                        ? ", which the archive does not hold"
                        : ", the file has " + sha));
          }
        }
      }
    }
    TreeSet<String> taskFiles = new TreeSet<>();
    for (String name : entries.keySet()) {
      if (name.startsWith("tasks/") && name.endsWith("/events.jsonl")) {
        taskFiles.add(name.substring(6, name.length() - "/events.jsonl".length()));
      }
    }
    for (String task : taskFiles) {
      List<Long> expected = byTask.getOrDefault(task, List.of());
      String name = "tasks/" + task + "/events.jsonl";
      List<byte[]> got = new ArrayList<>();
      ChainLines.Extent extent;
      try (InputStream in = zip.getInputStream(entries.get(name))) {
        extent =
            ChainLines.read(
                in, (buf, off, len) -> got.add(Rfc6962.leafHash(Rfc6962.sha256(), buf, off, len)));
      }
      if (extent.tailBytes() > 0) {
        problems.add(name + " ends with bytes that are not a complete line");
      }
      int same = 0;
      while (same < got.size()
          && same < expected.size()
          && Proofs.same(got.get(same), tree.leafHash(expected.get(same)))) {
        same++;
      }
      if (same != got.size() || same != expected.size()) {
        problems.add(
            name
                + " is not the task's "
                + expected.size()
                + " lines of the project chain (it has "
                + got.size()
                + ", the first "
                + same
                + " match)");
      }
    }
    for (String task : byTask.keySet()) {
      if (!taskFiles.contains(task)) {
        problems.add("task " + task + " has events in the project chain but no events.jsonl");
      }
    }
  }

  /** The members the checks need, read with a streaming parser; other members are skipped. */
  private static Line readLine(byte[] buf, int off, int len) throws IOException {
    String taskId = null;
    String eventHash = null;
    String contentPath = null;
    String contentSha = null;
    try (JsonParser p = FACTORY.createParser(buf, off, len)) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        return new Line(null, null, null, null);
      }
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String name = p.currentName();
        JsonToken value = p.nextToken();
        switch (name) {
          case "task_id" -> taskId = value == JsonToken.VALUE_STRING ? p.getText() : null;
          case "event_hash" -> eventHash = value == JsonToken.VALUE_STRING ? p.getText() : null;
          case "code_content_ref" -> {
            JsonNode ref = JSON.readTree(p);
            contentPath = ref.path("path").asText(null);
            contentSha = ref.path("sha256").asText(null);
          }
          default -> p.skipChildren();
        }
      }
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      // not JSON: it is still a leaf; the chain's own verification names it
    }
    return new Line(taskId, eventHash, contentPath, contentSha);
  }
}
