package dev.aiflow.logger;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.NoSuchFileException;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Read-only verification of a project's chains. It never repairs and never takes the write lock, so
 * it can check a live project or an archive that has not been extracted.
 */
final class ChainVerifier {

  private final ProjectSource source;
  private final MessageDigest digest = DurableFiles.sha256();
  private final List<ChainProblem> problems = new ArrayList<>();
  private final List<String> warnings = new ArrayList<>();
  private long events;
  private long bytes;
  private boolean secondaryChain; // a task copy read after its project chain: not counted twice
  private String manifestProjectId;
  private String currentProjectId; // while the project chain is read: the id events must carry

  private final String expectedProjectId;
  private String expectedHead; // while the chain in scope is read: the head an anchor recorded
  private long expectedHeadLine; // the line of the event with that hash, 0 when there is none
  private String firstRecordedAt; // of the project chain's first event
  private final List<ChainMigration> migrations = new ArrayList<>();

  /** A {@code project_migrated} event of the project chain, for the manifest's lineage. */
  private record ChainMigration(
      long line, String fromProjectId, String sourceHead, String recordedAt) {}

  ChainVerifier(ProjectSource source) {
    this(source, null);
  }

  /**
   * @param expectedProjectId the id the project must have (its directory's name), or null when
   *     nothing outside the files says (an archive: its export manifest is checked separately)
   */
  ChainVerifier(ProjectSource source, String expectedProjectId) {
    this.source = source;
    this.expectedProjectId = expectedProjectId;
  }

  /** Per-task view while a chain is read. */
  private static final class Track {
    final TaskState state;
    String storedHead = EventFields.GENESIS;
    MessageDigest lines; // SHA-256 of the task's lines as the project chain holds them

    Track(String taskId) {
      state = new TaskState(taskId);
    }
  }

  private boolean digestTaskLines; // while the project chain is read in project scope

  // ------------------------------------------------------------------ project scope

  VerificationReport verifyProject(String expectedHead) throws IOException {
    Set<String> lineage = readManifest();
    currentProjectId = null;
    Map<String, Track> tracks = new HashMap<>();
    this.expectedHead = expectedHead;
    digestTaskLines = true;
    String head = readChain(ProjectLayout.EVENTS, null, lineage, tracks);
    digestTaskLines = false;
    this.expectedHead = null;
    Set<String> taskDirs = new TreeSet<>(source.taskDirectories());
    for (Track t : tracks.values()) {
      verifyTaskFile(t.state.taskId, t, lineage);
      taskDirs.remove(t.state.taskId);
    }
    for (String orphan : taskDirs) {
      if (source.exists(ProjectLayout.taskEventsName(orphan))) {
        problems.add(
            new ChainProblem(
                ProjectLayout.taskEventsName(orphan),
                0,
                "ORPHAN_TASK",
                null,
                null,
                "a task chain exists that the project chain never mentions"));
      }
    }
    checkManifestAgainstChain();
    if (manifestProjectId != null
        && currentProjectId != null
        && !manifestProjectId.equals(currentProjectId)) {
      problems.add(
          new ChainProblem(
              ProjectLayout.PROJECT_MANIFEST,
              0,
              "PROJECT_ID_MISMATCH",
              currentProjectId,
              manifestProjectId,
              "the manifest names another project than the chain (only an import's"
                  + " project_migrated event renames a project)"));
    }
    checkHead("project", ProjectLayout.EVENTS, head, expectedHead);
    return new VerificationReport(
        "project", events, bytes, head, List.copyOf(problems), List.copyOf(warnings));
  }

  // ------------------------------------------------------------------ task scope

  VerificationReport verifyTask(String taskId, String expectedHead) throws IOException {
    ProjectLayout.checkId("task id", taskId);
    Set<String> lineage = readManifest();
    String file = ProjectLayout.taskEventsName(taskId);
    Map<String, Track> own = new HashMap<>();
    this.expectedHead = expectedHead;
    String head = readChain(file, taskId, lineage, own);
    this.expectedHead = null;
    // The project chain must hold the same task chain: same length, same head.
    Track inProject = projectRecordOf(taskId);
    Track inFile = own.get(taskId);
    long fileCount = inFile == null ? 0 : inFile.state.count;
    if (inProject.state.count != fileCount || !inProject.storedHead.equals(head)) {
      problems.add(
          new ChainProblem(
              file,
              0,
              "MIRROR_MISMATCH",
              inProject.state.count + " events ending " + inProject.storedHead,
              fileCount + " events ending " + head,
              "the task chain differs from the task's events in the project chain"));
    }
    checkHead("task " + taskId, file, head, expectedHead);
    return new VerificationReport(
        "task:" + taskId, events, bytes, head, List.copyOf(problems), List.copyOf(warnings));
  }

  private Track projectRecordOf(String taskId) throws IOException {
    Track t = new Track(taskId);
    try (InputStream in = source.open(ProjectLayout.EVENTS)) {
      LineReader lines = new LineReader(in);
      while (lines.next()) {
        try {
          EventView v = EventReader.read(lines.buf(), lines.off(), lines.len(), digest);
          if (taskId.equals(v.taskId())) {
            t.state.count++;
            t.storedHead = v.eventHash();
          }
        } catch (EventReader.MalformedEventException e) {
          // reported by a project verification; here only this task's events matter
        }
      }
    } catch (NoSuchFileException e) {
      problems.add(
          new ChainProblem(
              ProjectLayout.EVENTS, 0, "FILE_MISSING", null, null, "the project chain is missing"));
    }
    return t;
  }

  // ------------------------------------------------------------------ shared

  private ProjectManifests manifests;

  /**
   * Reads and checks both manifests. Returns the project ids the project's events may carry (its
   * lineage and its current id), or null when the manifest could not be read (then that is the
   * problem reported, not every event).
   */
  private Set<String> readManifest() throws IOException {
    manifests = ProjectManifests.read(source, expectedProjectId, problems);
    manifestProjectId = manifests.projectId;
    if (manifests.projectId == null || manifests.lineage == null) {
      return null;
    }
    Set<String> ids = new LinkedHashSet<>();
    for (ProjectManifests.Migration m : manifests.lineage) {
      ids.add(m.projectId());
    }
    ids.add(manifests.projectId);
    return ids;
  }

  /** What the manifest says about the chain's history must be what the chain holds. */
  private void checkManifestAgainstChain() {
    String file = ProjectLayout.PROJECT_MANIFEST;
    if (manifests.createdAt != null
        && firstRecordedAt != null
        && !manifests.createdAt.equals(firstRecordedAt)) {
      problems.add(
          new ChainProblem(
              file,
              0,
              "MANIFEST_MISMATCH",
              firstRecordedAt,
              manifests.createdAt,
              "created_at must be the recorded_at of the project_initialized event"));
    }
    if (manifests.lineage == null) {
      return;
    }
    if (manifests.lineage.size() != migrations.size()) {
      problems.add(
          new ChainProblem(
              file,
              0,
              "MANIFEST_MISMATCH",
              migrations.size() + " migration(s)",
              manifests.lineage.size() + " migration(s)",
              "lineage must list every project_migrated event of the chain, in order"));
      return;
    }
    for (int i = 0; i < migrations.size(); i++) {
      ProjectManifests.Migration listed = manifests.lineage.get(i);
      ChainMigration event = migrations.get(i);
      if (!listed.projectId().equals(event.fromProjectId())
          || !listed.head().equals(event.sourceHead())
          || !listed.migratedAt().equals(event.recordedAt())) {
        problems.add(
            new ChainProblem(
                file,
                0,
                "MANIFEST_MISMATCH",
                event.fromProjectId() + " " + event.sourceHead() + " " + event.recordedAt(),
                listed.projectId() + " " + listed.head() + " " + listed.migratedAt(),
                "lineage["
                    + i
                    + "] differs from the project_migrated event at "
                    + ProjectLayout.EVENTS
                    + " line "
                    + event.line()
                    + " (from_project_id, source_head, recorded_at)"));
      }
    }
  }

  /**
   * The project chain's first event is its {@code project_initialized}, and it has no other; a
   * {@code project_migrated} event names the head it continues ({@code source_head}).
   */
  private void checkProjectEvent(String file, long line, EventView v, LineReader lines) {
    boolean initialized = EventFields.TYPE_PROJECT_INITIALIZED.equals(v.eventType());
    if (line == 1 && !initialized) {
      problems.add(
          new ChainProblem(
              file,
              line,
              "PROTOCOL_VIOLATION",
              EventFields.TYPE_PROJECT_INITIALIZED,
              v.eventType(),
              "a project chain starts with its project_initialized event"));
    } else if (line > 1 && initialized) {
      problems.add(
          new ChainProblem(
              file, line, "PROTOCOL_VIOLATION", null, null, "a project is initialised once"));
    }
    boolean migrated = EventFields.TYPE_PROJECT_MIGRATED.equals(v.eventType());
    if (line != 1 && !migrated) {
      return;
    }
    JsonNode tree;
    try {
      tree = CanonicalJson.STRICT_MAPPER.readTree(lines.buf(), lines.off(), lines.len());
    } catch (IOException e) {
      return; // it was read as an event: cannot happen
    }
    String recordedAt = tree.path(EventFields.RECORDED_AT).asText(null);
    if (line == 1) {
      firstRecordedAt = recordedAt;
    }
    if (migrated) {
      String sourceHead = tree.path("source_head").asText(null);
      migrations.add(new ChainMigration(line, v.fromProjectId(), sourceHead, recordedAt));
      if (sourceHead == null || !sourceHead.equals(v.projectPrevHash())) {
        problems.add(
            new ChainProblem(
                file,
                line,
                "MIGRATION_MISMATCH",
                v.projectPrevHash(),
                sourceHead,
                "source_head must name the event the migration continues (the archive's head)"));
      }
    }
  }

  /**
   * Reads one chain file. With {@code taskId == null} it is the project chain (linked by {@code
   * project_prev_event_hash}); otherwise the task chain of that task (linked by {@code
   * prev_event_hash}). Returns the stored hash of the last event.
   */
  private String readChain(
      String file, String taskId, Set<String> lineage, Map<String, Track> tracks)
      throws IOException {
    boolean project = taskId == null;
    String head = EventFields.GENESIS;
    boolean inSync = true; // false right after an unreadable line: its successor cannot link
    long expectedSeq = 1;
    try (InputStream in = source.open(file)) {
      EventLines reader = new EventLines(in, digest);
      LineReader lines = reader.lines();
      while (reader.next()) {
        long line = lines.lineNumber();
        if (!secondaryChain) {
          events++;
        }
        EventView v;
        try {
          v = reader.event();
        } catch (EventReader.MalformedEventException e) {
          problems.add(
              new ChainProblem(file, line, "UNREADABLE_EVENT", null, null, e.getMessage()));
          inSync = false;
          continue;
        }
        if (!v.hashMatches()) {
          problems.add(
              new ChainProblem(
                  file,
                  line,
                  "HASH_MISMATCH",
                  v.computedHash(),
                  v.eventHash(),
                  "event #" + v.seq() + " was changed after it was written"));
        } else if (!v.canonicalStored()) {
          // Its hash is right for the canonical form, but the stored bytes say something a
          // lenient reader may take differently: the chain holds canonical lines only.
          problems.add(
              new ChainProblem(
                  file,
                  line,
                  "NOT_CANONICAL",
                  null,
                  null,
                  "event #" + v.seq() + " is not stored in its RFC 8785 canonical form"));
        }
        if (project) {
          if (v.seq() != expectedSeq && inSync) {
            problems.add(
                new ChainProblem(
                    file,
                    line,
                    "SEQ_GAP",
                    String.valueOf(expectedSeq),
                    String.valueOf(v.seq()),
                    "events are missing, duplicated or out of order"));
          }
          if (inSync && !head.equals(v.projectPrevHash())) {
            problems.add(
                new ChainProblem(
                    file,
                    line,
                    "BROKEN_LINK",
                    head,
                    v.projectPrevHash(),
                    "project_prev_event_hash does not name the event before it (a line was"
                        + " deleted, inserted or moved)"));
          }
          if (!v.isTaskEvent() && !String.valueOf(v.projectPrevHash()).equals(v.prevHash())) {
            problems.add(
                new ChainProblem(
                    file,
                    line,
                    "BROKEN_LINK",
                    v.projectPrevHash(),
                    v.prevHash(),
                    "a project event's prev_event_hash must equal its project_prev_event_hash"));
          }
          expectedSeq = v.seq() + 1;
        }
        if (project) {
          checkProjectIdentity(file, line, v);
          checkProjectEvent(file, line, v, lines);
        } else if (lineage != null && (v.projectId() == null || !lineage.contains(v.projectId()))) {
          problems.add(
              new ChainProblem(
                  file,
                  line,
                  "FOREIGN_PROJECT",
                  String.join("|", lineage),
                  v.projectId(),
                  "the event belongs to another project"));
        }
        if (v.schemaVersion() != EventFields.SCHEMA) {
          problems.add(
              new ChainProblem(
                  file,
                  line,
                  "SCHEMA_UNSUPPORTED",
                  String.valueOf(EventFields.SCHEMA),
                  String.valueOf(v.schemaVersion()),
                  "unknown event schema"));
        }
        if (v.isTaskEvent()) {
          if (!project && !taskId.equals(v.taskId())) {
            problems.add(
                new ChainProblem(
                    file,
                    line,
                    "FOREIGN_TASK",
                    taskId,
                    v.taskId(),
                    "an event of another task is in this task chain"));
          }
          Track t = tracks.computeIfAbsent(v.taskId(), Track::new);
          checkTaskEvent(file, line, v, t, project || inSync);
          if (digestTaskLines) {
            if (t.lines == null) {
              t.lines = DurableFiles.sha256();
            }
            t.lines.update(lines.buf(), lines.off(), lines.len());
            t.lines.update((byte) '\n');
          }
        } else if (!project) {
          problems.add(
              new ChainProblem(
                  file, line, "FOREIGN_TASK", taskId, null, "a project event is in a task chain"));
        }
        head = v.eventHash() == null ? head : v.eventHash();
        if (expectedHead != null && expectedHead.equalsIgnoreCase(v.eventHash())) {
          expectedHeadLine = line;
        }
        inSync = true;
      }
      bytes += lines.completeBytes();
      if (lines.tailBytes() > 0) {
        bytes += lines.tailBytes();
        warnings.add(
            file
                + " ends with "
                + lines.tailBytes()
                + " bytes of an incomplete line (an append interrupted by a crash, never"
                + " acknowledged); the next writer cuts it");
      }
    } catch (NoSuchFileException e) {
      problems.add(new ChainProblem(file, 0, "FILE_MISSING", null, null, "the chain is missing"));
    }
    return head;
  }

  /**
   * Every event carries the id of the project it was written in; only a {@code project_migrated}
   * event (written by an import) changes it, and it must name the id it changes from.
   */
  private void checkProjectIdentity(String file, long line, EventView v) {
    if (currentProjectId == null) {
      currentProjectId = v.projectId();
      return;
    }
    if (EventFields.TYPE_PROJECT_MIGRATED.equals(v.eventType())) {
      if (!currentProjectId.equals(v.fromProjectId())) {
        problems.add(
            new ChainProblem(
                file,
                line,
                "FOREIGN_PROJECT",
                currentProjectId,
                v.fromProjectId(),
                "a migration must start from the project id the chain carried before it"));
      }
      currentProjectId = v.projectId();
      return;
    }
    if (!currentProjectId.equals(v.projectId())) {
      problems.add(
          new ChainProblem(
              file,
              line,
              "FOREIGN_PROJECT",
              currentProjectId,
              v.projectId(),
              "the event belongs to another project"));
    }
  }

  private void checkTaskEvent(String file, long line, EventView v, Track t, boolean inSync)
      throws IOException {
    TaskState s = t.state;
    if (v.taskSeq() != s.count + 1 && inSync) {
      problems.add(
          new ChainProblem(
              file,
              line,
              "SEQ_GAP",
              String.valueOf(s.count + 1),
              String.valueOf(v.taskSeq()),
              "task " + s.taskId + ": events are missing, duplicated or out of order"));
    }
    if (inSync && !t.storedHead.equals(v.prevHash())) {
      problems.add(
          new ChainProblem(
              file,
              line,
              "BROKEN_LINK",
              t.storedHead,
              v.prevHash(),
              "task "
                  + s.taskId
                  + ": prev_event_hash does not name the task's event before it (a line was"
                  + " deleted, inserted or moved)"));
    }
    String violation =
        EventFields.TYPE_ATTEMPT.equals(v.eventType())
            ? TaskRules.attemptViolation(s, v.r(), v.s())
            : TaskRules.appendViolation(s);
    if (violation != null) {
      problems.add(new ChainProblem(file, line, "PROTOCOL_VIOLATION", null, null, violation));
    }
    if (v.contentRef() != null && !secondaryChain) {
      checkArtifact(file, line, s.taskId, v.contentRef());
    }
    s.count = Math.max(s.count + 1, v.taskSeq());
    t.storedHead = v.eventHash();
    if (EventFields.TYPE_ATTEMPT.equals(v.eventType())) {
      s.lastR = v.r();
      s.lastS = v.s();
    } else if (EventFields.TYPE_TASK_CLOSED.equals(v.eventType())) {
      s.closed = true;
      s.finalStatus = v.finalStatus();
      s.closedAtSeq = v.seq();
    }
  }

  private void checkArtifact(String file, long line, String taskId, EventView.ContentRef ref)
      throws IOException {
    String path = ref.path();
    if (path == null
        || !path.startsWith("artifacts/")
        || path.contains("..")
        || path.contains("\\")
        || path.startsWith("/")) {
      problems.add(
          new ChainProblem(
              file, line, "ARTIFACT_PATH", null, path, "code_content_ref.path is not safe"));
      return;
    }
    String full = ProjectLayout.TASKS + "/" + taskId + "/" + path;
    try (InputStream in = source.open(full)) {
      MessageDigest md = DurableFiles.sha256();
      byte[] buf = new byte[1 << 16];
      int n;
      while ((n = in.read(buf)) > 0) {
        md.update(buf, 0, n);
      }
      String actual = HexFormat.of().formatHex(md.digest());
      if (!actual.equals(ref.sha256())) {
        problems.add(
            new ChainProblem(
                full,
                0,
                "ARTIFACT_MISMATCH",
                ref.sha256(),
                actual,
                "large code content referenced by " + file + " line " + line + " was changed"));
      }
    } catch (NoSuchFileException e) {
      problems.add(
          new ChainProblem(
              full,
              0,
              "ARTIFACT_MISSING",
              ref.sha256(),
              null,
              "large code content referenced by " + file + " line " + line + " is missing"));
    }
  }

  /** The task file must be the same chain as the task's events in the project chain. */
  private void verifyTaskFile(String taskId, Track inProject, Set<String> lineage)
      throws IOException {
    String file = ProjectLayout.taskEventsName(taskId);
    Map<String, Track> own = new HashMap<>();
    int before = problems.size();
    String head;
    if (!source.exists(file)) {
      problems.add(
          new ChainProblem(
              file,
              0,
              "FILE_MISSING",
              inProject.state.count + " events",
              null,
              "the task chain is missing"));
      return;
    }
    if (inProject.lines != null && sameBytes(file, inProject.lines.digest())) {
      // byte for byte the task's lines of the project chain, which were just checked in full
      // (hashes, canonical form, task links, protocol): nothing here can differ from them
      return;
    }
    secondaryChain = true;
    try {
      head = readChain(file, taskId, lineage, own);
    } finally {
      secondaryChain = false;
    }
    Track t = own.get(taskId);
    long count = t == null ? 0 : t.state.count;
    if (count == inProject.state.count && head.equals(inProject.storedHead)) {
      return;
    }
    if (count < inProject.state.count && problems.size() == before && isPrefix(taskId, head)) {
      // A crash between the project line and its copy leaves exactly this, and the next writer
      // completes the copy; a deliberate deletion of the tail looks the same, so it fails here.
      problems.add(
          new ChainProblem(
              file,
              count + 1,
              "MIRROR_LAGS",
              inProject.state.count + " events ending " + inProject.storedHead,
              count + " events ending " + head,
              "the task chain lacks the last "
                  + (inProject.state.count - count)
                  + " event(s) of the project chain (a crash between the two writes leaves"
                  + " this and the next open of the project completes it)"));
      return;
    }
    problems.add(
        new ChainProblem(
            file,
            0,
            "MIRROR_MISMATCH",
            inProject.state.count + " events ending " + inProject.storedHead,
            count + " events ending " + head,
            "the task chain differs from the task's events in the project chain"));
  }

  /** Whether the file's SHA-256 is {@code expected}; counts what it read. */
  private boolean sameBytes(String file, byte[] expected) throws IOException {
    MessageDigest md = DurableFiles.sha256();
    long size = 0;
    byte[] buf = new byte[1 << 16];
    try (InputStream in = source.open(file)) {
      int n;
      while ((n = in.read(buf)) > 0) {
        md.update(buf, 0, n);
        size += n;
      }
    }
    if (!MessageDigest.isEqual(md.digest(), expected)) {
      return false;
    }
    bytes += size;
    return true;
  }

  private boolean isPrefix(String taskId, String head) throws IOException {
    if (EventFields.GENESIS.equals(head)) {
      return true;
    }
    try (InputStream in = source.open(ProjectLayout.EVENTS)) {
      LineReader lines = new LineReader(in);
      while (lines.next()) {
        try {
          EventView v = EventReader.read(lines.buf(), lines.off(), lines.len(), digest);
          if (taskId.equals(v.taskId()) && head.equals(v.eventHash())) {
            return true;
          }
        } catch (EventReader.MalformedEventException e) {
          // not this task's event
        }
      }
    }
    return false;
  }

  private void checkHead(String scope, String file, String head, String expectedHead) {
    if (expectedHead == null || expectedHead.equalsIgnoreCase(head)) {
      return;
    }
    String why =
        expectedHeadLine > 0
            ? "the expected head is the event at line "
                + expectedHeadLine
                + ": the events after it were added since the head was recorded"
            : "no event of the chain has the expected hash: events up to the recorded head were"
                + " rewritten, removed or cut from the end since it was recorded";
    problems.add(
        new ChainProblem(
            file,
            expectedHeadLine,
            "HEAD_MISMATCH",
            expectedHead,
            head,
            "the " + scope + " chain does not end at the expected head; " + why));
  }
}
