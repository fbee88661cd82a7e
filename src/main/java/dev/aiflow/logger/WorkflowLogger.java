package dev.aiflow.logger;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The append-only, hash-chained workflow log of one project: R/S attempts, close-once, verify,
 * export and import. Plain Java; safe for many threads and for several processes on one project.
 *
 * <pre>{@code
 * WorkflowLogger.init(root, "demo");
 * try (WorkflowLogger log = WorkflowLogger.open(root, "demo")) {
 *   log.logAttempt(AttemptRecord.builder("T-013").pointer(0, 0).result("PASS")
 *       .reasonCode("PASS_ALL_CRITERIA").build());
 *   log.closeTask("T-013", "accepted", "Accepted with full evidence.");
 * }
 * }</pre>
 *
 * See docs/chain-format.md for the files it writes, byte by byte.
 */
public final class WorkflowLogger implements AutoCloseable {

  /** Results an attempt may record. */
  public static final Set<String> RESULTS = Set.of("PASS", "FAIL", "REWORK", "BLOCKED", "ERROR");

  /** Final statuses a task may be closed with. */
  public static final Set<String> FINAL_STATUSES =
      Set.of("accepted", "rejected", "failed", "abandoned");

  /** Imports refuse archives that expand beyond this many bytes (a decompression bomb). */
  public static final long DEFAULT_IMPORT_LIMIT_BYTES = 4L * 1024 * 1024 * 1024;

  private static final Object INIT_LOCK = new Object();

  private final ChainStore store;
  private final LoggerOptions options;
  private boolean closed;

  /** A logger over any store (the file store, or {@link PostgresChains}'). */
  WorkflowLogger(ChainStore store, LoggerOptions options) {
    this.store = store;
    this.options = options;
  }

  // ------------------------------------------------------------------ opening

  /**
   * Creates the project's layout and its first event ({@code project_initialized}). Returns false
   * when the project already existed, in which case nothing is written.
   */
  public static boolean init(Path root, String projectId) {
    return init(root, projectId, LoggerOptions.defaults());
  }

  public static boolean init(Path root, String projectId, LoggerOptions options) {
    ProjectLayout layout = new ProjectLayout(root, projectId);
    if (Files.exists(layout.manifest())) {
      return false;
    }
    synchronized (INIT_LOCK) {
      return initLocked(layout, projectId, options);
    }
  }

  private static boolean initLocked(ProjectLayout layout, String projectId, LoggerOptions options) {
    try {
      Files.createDirectories(layout.dir.resolve(ProjectLayout.TASKS));
      // Two processes may race to initialise: the file lock makes exactly one of them do it.
      try (FileChannel lockChannel =
              FileChannel.open(
                  layout.lockFile(), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
          FileLock ignored = lockChannel.lock()) {
        if (Files.exists(layout.manifest())) {
          return false;
        }
        String now = options.clock().instant().truncatedTo(ChronoUnit.MILLIS).toString();
        ObjectNode schema = CanonicalJson.STRICT_MAPPER.createObjectNode();
        schema.put("schema_version", EventFields.SCHEMA);
        schema.put("hash_algorithm", "SHA-256");
        schema.put("canonicalization", "RFC 8785");
        schema.put("genesis", EventFields.GENESIS);
        DurableFiles.writeAtomically(layout.schemaVersion(), pretty(schema));
        ObjectNode first = CanonicalJson.STRICT_MAPPER.createObjectNode();
        first.put(EventFields.SCHEMA_VERSION, EventFields.SCHEMA);
        first.put(EventFields.PROJECT_ID, projectId);
        first.put(EventFields.SEQ, 1);
        first.put(EventFields.EVENT_TYPE, EventFields.TYPE_PROJECT_INITIALIZED);
        first.put(EventFields.RECORDED_AT, now);
        first.put(EventFields.PROJECT_PREV_EVENT_HASH, EventFields.GENESIS);
        first.put(EventFields.PREV_EVENT_HASH, EventFields.GENESIS);
        // a leftover events.jsonl of an init that crashed before its manifest is replaced
        DurableFiles.writeAtomically(
            layout.events(), ProjectStore.encode(first, DurableFiles.sha256()).line());
        ObjectNode manifest = CanonicalJson.STRICT_MAPPER.createObjectNode();
        manifest.put("format", "aiflow-workflow-log");
        manifest.put("project_id", projectId);
        manifest.put("created_at", now);
        manifest.putArray("lineage");
        // the manifest is written last: its presence means "initialised"
        DurableFiles.writeAtomically(layout.manifest(), pretty(manifest));
        return true;
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot initialise project " + layout.dir, e);
    }
  }

  /** Opens an initialised project; repairs of a crashed append are reported by {@link #repairs}. */
  public static WorkflowLogger open(Path root, String projectId) {
    return open(root, projectId, LoggerOptions.defaults());
  }

  public static WorkflowLogger open(Path root, String projectId, LoggerOptions options) {
    return new WorkflowLogger(
        new FileChainStore(ProjectStore.acquire(new ProjectLayout(root, projectId))), options);
  }

  /**
   * As {@link #open(Path, String, LoggerOptions)}, with a hook at every point where the store
   * touches the disk (fault-injection tests). Applies when this call is the one that opens the
   * project in this JVM.
   */
  static WorkflowLogger open(Path root, String projectId, LoggerOptions options, IoFaults faults) {
    return new WorkflowLogger(
        new FileChainStore(ProjectStore.acquire(new ProjectLayout(root, projectId), faults)),
        options);
  }

  /** Opens the project, initialising it first when it does not exist yet. */
  public static WorkflowLogger openOrInit(Path root, String projectId, LoggerOptions options) {
    init(root, projectId, options);
    return open(root, projectId, options);
  }

  /** Whether the project has been initialised under the root. */
  public static boolean exists(Path root, String projectId) {
    return Files.isRegularFile(new ProjectLayout(root, projectId).manifest());
  }

  public String projectId() {
    return store.projectId();
  }

  /** The project folder; null when the chain is kept in PostgreSQL ({@link PostgresChains}). */
  public Path projectDir() {
    return store.projectDir();
  }

  // ------------------------------------------------------------------ writing

  /**
   * Appends an attempt. Refused with {@link LogRefusedException} (and nothing written) when the
   * pointer breaks the R/S protocol, the task is closed, or a required field is missing. With an
   * idempotency key that is already in the task chain, returns that event instead.
   */
  public ChainEvent logAttempt(AttemptRecord a) {
    return store.append(attemptAppend(a), options.durability(), options.clock());
  }

  /**
   * Appends several attempts in order, made durable together by one fsync (group commit from a
   * single caller). Each is checked on its own, against the state the ones before it leave: the
   * accepted ones are written, and if any was refused (or the batch's write failed, which fails
   * every one of them) the call then throws, naming them by their index in the list.
   */
  public List<ChainEvent> logAttempts(List<AttemptRecord> attempts) {
    List<ProjectStore.Append> appends = new ArrayList<>(attempts.size());
    for (AttemptRecord a : attempts) {
      appends.add(attemptAppend(a));
    }
    List<Object> results = store.appendAll(appends, options.clock());
    List<ChainEvent> events = new ArrayList<>(results.size());
    StringBuilder refused = new StringBuilder();
    for (int i = 0; i < results.size(); i++) {
      if (results.get(i) instanceof ChainEvent e) {
        events.add(e);
      } else {
        refused
            .append(refused.length() == 0 ? "" : "; ")
            .append('#')
            .append(i)
            .append(": ")
            .append(((RuntimeException) results.get(i)).getMessage());
      }
    }
    if (refused.length() > 0) {
      throw new LogRefusedException(
          "BATCH_PARTLY_REFUSED",
          (results.size() - events.size())
              + " of "
              + results.size()
              + " attempts refused or failed (the others were written): "
              + refused);
    }
    return events;
  }

  private ProjectStore.Append attemptAppend(AttemptRecord a) {
    ProjectLayout.checkId("task id", a.taskId());
    require(a.result() != null && RESULTS.contains(a.result()), "result", "one of " + RESULTS);
    require(notBlank(a.reasonCode()), "reason_code", "a non-empty code");
    List<ProjectStore.Attachment> attachments = List.of();
    AttemptMembers.ContentRef ref = null;
    if (a.codeContent() != null) {
      byte[] content = a.codeContent().getBytes(StandardCharsets.UTF_8);
      if (content.length > options.inlineContentLimit()) {
        String path = "artifacts/code_content_R" + a.r() + "_S" + a.s() + ".txt";
        attachments = List.of(new ProjectStore.Attachment(a.taskId(), path, content));
        ref = new AttemptMembers.ContentRef(path, DurableFiles.sha256Hex(content), content.length);
      }
    }
    // canonical members written directly from the record, before any lock (no Jackson tree)
    return new ProjectStore.Append(
        a.taskId(),
        EventFields.TYPE_ATTEMPT,
        AttemptMembers.of(a, ref),
        new ProjectStore.Facts(a.r(), a.s(), a.revisionKey(), null, null),
        a.idempotencyKey(),
        task -> refuseIf("RS_OUT_OF_ORDER", TaskRules.attemptViolation(task, a.r(), a.s())),
        attachments);
  }

  /** Closes the task with its final record. A task closes once. */
  public ChainEvent closeTask(String taskId, String finalStatus, String summary) {
    return closeTask(taskId, finalStatus, summary, null);
  }

  /** As {@link #closeTask(String, String, String)}, idempotent per key. */
  public ChainEvent closeTask(
      String taskId, String finalStatus, String summary, String idempotencyKey) {
    return closeTask(taskId, finalStatus, summary, Map.of(), idempotencyKey);
  }

  /**
   * As {@link #closeTask(String, String, String, String)}, with more facts on the final record (how
   * the last cycle went, for example).
   */
  public ChainEvent closeTask(
      String taskId,
      String finalStatus,
      String summary,
      Map<String, ?> fields,
      String idempotencyKey) {
    ProjectLayout.checkId("task id", taskId);
    require(
        finalStatus != null && FINAL_STATUSES.contains(finalStatus),
        "final_status",
        "one of " + FINAL_STATUSES);
    ObjectNode p = payload(fields);
    p.put(EventFields.FINAL_STATUS, finalStatus);
    putIfSet(p, "summary", summary);
    putIfSet(p, EventFields.IDEMPOTENCY_KEY, idempotencyKey);
    return store.append(
        taskId,
        EventFields.TYPE_TASK_CLOSED,
        p,
        idempotencyKey,
        task -> refuseIf("TASK_CLOSED", TaskRules.appendViolation(task)),
        List.of(),
        options.durability(),
        options.clock());
  }

  /**
   * Appends another kind of task event (a QA review, a rollback, a note). The type must be a
   * lower-case word and not one of the kinds with their own method.
   */
  public ChainEvent logTaskEvent(
      String taskId, String eventType, Map<String, ?> fields, String idempotencyKey) {
    ProjectLayout.checkId("task id", taskId);
    require(
        eventType != null
            && eventType.matches("[a-z][a-z0-9_]{0,63}")
            && !eventType.equals(EventFields.TYPE_ATTEMPT)
            && !eventType.equals(EventFields.TYPE_TASK_CLOSED),
        "event_type",
        "a lower-case word other than attempt and task_closed");
    ObjectNode p = payload(fields);
    putIfSet(p, EventFields.IDEMPOTENCY_KEY, idempotencyKey);
    return store.append(
        taskId,
        eventType,
        p,
        idempotencyKey,
        task -> refuseIf("TASK_CLOSED", TaskRules.appendViolation(task)),
        List.of(),
        options.durability(),
        options.clock());
  }

  /**
   * Appends a project-level event, one that concerns no single task ({@code execution_started},
   * {@code execution_blocked_unapproved}). The type must be a lower-case word.
   */
  public ChainEvent logProjectEvent(String eventType, Map<String, ?> fields) {
    require(
        eventType != null
            && eventType.matches("[a-z][a-z0-9_]{0,63}")
            && !eventType.equals(EventFields.TYPE_ATTEMPT)
            && !eventType.equals(EventFields.TYPE_TASK_CLOSED)
            && !eventType.equals(EventFields.TYPE_PROJECT_MIGRATED),
        "event_type",
        "a lower-case word other than attempt, task_closed and project_migrated");
    return appendProjectEvent(eventType, fields);
  }

  ChainEvent appendProjectEvent(String eventType, Map<String, ?> fields) {
    return store.append(
        null,
        eventType,
        payload(fields),
        null,
        null,
        List.of(),
        options.durability(),
        options.clock());
  }

  // ------------------------------------------------------------------ reading

  public TaskSnapshot task(String taskId) {
    ProjectLayout.checkId("task id", taskId);
    return store.snapshot(taskId);
  }

  /**
   * The pointer the next attempt should use: R0/S0 first; the same R and S+1 when {@code
   * revisionKey} equals the last attempt's (a retry or a rework); R+1/S0 when it differs (a new
   * revision of what is being attempted).
   */
  public AttemptPointer nextPointer(String taskId, String revisionKey) {
    TaskSnapshot t = task(taskId);
    if (!t.hasAttempts()) {
      return new AttemptPointer(0, 0);
    }
    boolean sameRevision = revisionKey == null ? true : revisionKey.equals(t.lastRevisionKey());
    return sameRevision
        ? new AttemptPointer(t.lastR(), t.lastS() + 1)
        : new AttemptPointer(t.lastR() + 1, 0);
  }

  public List<ChainEvent> taskEvents(String taskId) {
    ProjectLayout.checkId("task id", taskId);
    return store.taskEvents(taskId);
  }

  public List<String> taskIds() {
    return store.taskIds();
  }

  /** Hash of the last event of the project chain. */
  public String head() {
    return store.head();
  }

  /** What opening the project had to repair (torn tails, lagging task files); then cleared. */
  public List<String> repairs() {
    return store.drainRepairs();
  }

  /** Regenerates a task's {@code task_log.md} from its events. */
  public void renderTaskLog(String taskId) {
    ProjectLayout.checkId("task id", taskId);
    store.renderTaskLog(taskId);
  }

  /**
   * Every event of the project chain, read without opening the project for writing (no lock, no
   * repair): for auditors and reconciliation. Unreadable lines are skipped; verify reports them.
   */
  public static List<ChainEvent> readProjectEvents(Path root, String projectId) {
    return readProjectEvents(root, projectId, false);
  }

  /**
   * As {@link #readProjectEvents(Path, String)}; with {@code recomputed}, each event's {@code
   * eventHash} is the SHA-256 of its bytes as they stand, not the hash the line states (for
   * comparing with anchors kept elsewhere: an edited line whose stated hash was left alone does not
   * match).
   */
  public static List<ChainEvent> readProjectEvents(
      Path root, String projectId, boolean recomputed) {
    ProjectLayout layout = new ProjectLayout(root, projectId);
    List<ChainEvent> events = new ArrayList<>();
    if (!Files.exists(layout.events())) {
      return events;
    }
    java.security.MessageDigest digest = DurableFiles.sha256();
    try (java.io.InputStream in = Files.newInputStream(layout.events())) {
      LineReader lines = new LineReader(in);
      while (lines.next()) {
        try {
          EventView v = EventReader.read(lines.buf(), lines.off(), lines.len(), digest);
          events.add(
              new ChainEvent(
                  v.seq(),
                  v.taskId(),
                  Math.max(0, v.taskSeq()),
                  v.eventType(),
                  recomputed ? v.computedHash() : v.eventHash(),
                  new String(lines.buf(), lines.off(), lines.len(), StandardCharsets.UTF_8),
                  false));
        } catch (EventReader.MalformedEventException e) {
          // verification names it; a reader just does not see it
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + layout.events(), e);
    }
    return events;
  }

  // ------------------------------------------------------------------ verify, export, import

  public VerificationReport verifyProject(String expectedHead) {
    return store.verify(null, expectedHead);
  }

  public VerificationReport verifyTask(String taskId, String expectedHead) {
    return store.verify(taskId, expectedHead);
  }

  /**
   * Verifies without opening the project for writing (so it never repairs): the task's chain when
   * {@code taskId} is set, otherwise the project chain and every task chain.
   */
  public static VerificationReport verify(
      Path root, String projectId, String taskId, String expectedHead) {
    ProjectLayout layout = new ProjectLayout(root, projectId);
    ChainVerifier verifier = new ChainVerifier(ProjectSource.directory(layout.dir), projectId);
    try {
      return taskId == null
          ? verifier.verifyProject(expectedHead)
          : verifier.verifyTask(taskId, expectedHead);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read project " + layout.dir, e);
    }
  }

  /** Writes the project, with a manifest of hashes and chain heads, to a zip. */
  public ExportResult export(Path archive) {
    return store.export(archive, options.clock(), null);
  }

  /**
   * As {@link #export(Path)}, with further manifest members computed under the export's lock (the
   * transparency log's signed checkpoint of exactly the exported events).
   */
  public ExportResult export(Path archive, ExportExtras extras) {
    return store.export(archive, options.clock(), extras);
  }

  /**
   * Imports an exported zip under {@code root/targetProjectId}. Every entry name, file hash and
   * chain is checked inside the archive first; on any failure nothing is written.
   */
  public static ImportResult importProject(Path root, Path archive, String targetProjectId) {
    return importProject(
        root, archive, targetProjectId, LoggerOptions.defaults(), DEFAULT_IMPORT_LIMIT_BYTES);
  }

  public static ImportResult importProject(
      Path root, Path archive, String targetProjectId, LoggerOptions options, long maxBytes) {
    return ProjectArchive.importProject(root, archive, targetProjectId, options, maxBytes);
  }

  @Override
  public void close() {
    if (!closed) {
      closed = true;
      store.release();
    }
  }

  // ------------------------------------------------------------------ helpers

  /** Members the store writes itself; an event's own fields may not use them. */
  private static final Set<String> ENVELOPE =
      Set.of(
          "schema_version",
          "project_id",
          "seq",
          "event_type",
          "recorded_at",
          "prev_event_hash",
          "project_prev_event_hash",
          "event_hash",
          "task_id",
          "task_seq",
          "r",
          "s",
          "final_status",
          "idempotency_key");

  private static ObjectNode payload(Map<String, ?> fields) {
    ObjectNode p = CanonicalJson.STRICT_MAPPER.createObjectNode();
    fields.forEach(
        (k, v) -> {
          require(!ENVELOPE.contains(k), k, "left to the logger (it is a reserved member)");
          if (v != null) {
            p.set(k, CanonicalJson.STRICT_MAPPER.valueToTree(v));
          }
        });
    return p;
  }

  private static void refuseIf(String code, String violation) {
    if (violation != null) {
      throw new LogRefusedException(code, violation);
    }
  }

  private static void require(boolean ok, String field, String what) {
    if (!ok) {
      throw new LogRefusedException("INVALID_FIELD", field + " must be " + what);
    }
  }

  private static boolean notBlank(String s) {
    return s != null && !s.isBlank();
  }

  private static void putIfSet(ObjectNode node, String name, String value) {
    if (value != null) {
      node.put(name, value);
    }
  }

  private static void strings(ArrayNode array, List<String> values) {
    values.forEach(array::add);
  }

  private static byte[] pretty(ObjectNode node) throws IOException {
    return CanonicalJson.STRICT_MAPPER.writerWithDefaultPrettyPrinter().writeValueAsBytes(node);
  }
}
