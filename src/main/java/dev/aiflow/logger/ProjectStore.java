package dev.aiflow.logger;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.aiflow.files.AtomicFile;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The storage engine behind {@link WorkflowLogger}: one per project directory per JVM, shared by
 * every logger that opens the project.
 *
 * <p>The project's {@code events.jsonl} is the write-ahead log and the only file that is fsync'd.
 * Task chains ({@code tasks/<id>/events.jsonl}) hold byte-identical copies of the task's lines and
 * are written after the project line is durable, at the offset they must have, so writing the same
 * line twice (after a crash, or by two processes) is harmless. A task file can therefore only lag
 * behind the project log, and lagging lines are filled in from it: at open for every task, however
 * far back its last copy is, while the chain is read.
 *
 * <p>Appends are queued (lock-free). Whoever finds no leader becomes one: it takes the state lock
 * and the OS file lock on {@code .lock}, reads whatever another process appended since, encodes the
 * whole queued batch against a {@link Draft} of the state, writes it with one write and one fsync,
 * and only then commits the draft and unparks the callers. Callers queue up while the leader waits
 * for the disk, which is what makes group commit batch. In {@link Durability#SYNC} a batch holds
 * one event. Every polled request is answered, whatever happens.
 *
 * <p>A failed write or fsync is never latched: the batch fails, its bytes are cut off again, and
 * the next append starts from the state on disk. Only when those bytes cannot be cut off either do
 * later calls fail (reads included, since the file no longer matches what the store knows) until a
 * retry removes them.
 *
 * <p>Locks, always taken in this order: {@code stateLock} (what the store knows about the chain,
 * and the project file), the OS file lock, {@code mirrorLock} (task files and their renderings).
 */
final class ProjectStore {

  private static final Map<Path, ProjectStore> OPEN = new HashMap<>();
  private static final int MAX_OPEN_TASK_FILES = 64;
  private static final int MAX_BATCH = 4096;
  private static final int MAX_REPAIR_NOTES = 20;
  private static final long MAX_STRAY_CHECK = 16L * 1024 * 1024;

  /**
   * How long a group-commit leader waits for the queue to refill to the size of its previous batch
   * before it writes (PostgreSQL's commit_delay): about one fsync on a local disk. Without it,
   * batches alternate between one event and everyone else.
   */
  private static final long GATHER_NANOS = 200_000;

  private final ProjectLayout layout;
  private final IoFaults faults;
  private final ConcurrentLinkedQueue<Request> queue = new ConcurrentLinkedQueue<>();
  private final AtomicInteger queued = new AtomicInteger();
  private final AtomicBoolean leading = new AtomicBoolean();
  private final ReentrantLock stateLock = new ReentrantLock();
  private final ReentrantLock mirrorLock = new ReentrantLock();
  private int lastBatch;

  // added to under the state lock or the mirror lock, which two threads may hold at once
  private final List<String> repairs = Collections.synchronizedList(new ArrayList<>());
  private final Map<String, TaskState> tasks = new HashMap<>();
  private final Map<String, long[]> idempotencyIndex = new HashMap<>();
  private final Map<Path, LogChannel> openTaskFiles =
      new LinkedHashMap<>(16, 0.75f, true) {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(Map.Entry<Path, LogChannel> eldest) {
          if (size() > MAX_OPEN_TASK_FILES) {
            eldest.getValue().close();
            return true;
          }
          return false;
        }
      };
  private final MessageDigest digest = DurableFiles.sha256();
  private final Map<String, Long> mirrorEnds = new HashMap<>(); // task file bytes we wrote

  /**
   * Tasks whose {@code task_log.md} lacks events we copied (under the mirror lock). The rendering
   * is made lazily: when the task closes, on request, before an export, and when the store is
   * released; never per append (it used to cost as much CPU as the append itself).
   */
  private final Set<String> staleLogs = new LinkedHashSet<>();

  private int refs;
  private LogChannel lockChannel;
  private LogChannel events;
  private String projectId;
  private long knownSize;
  private long seq;
  private String head = EventFields.GENESIS;

  /**
   * The bytes of a failed append that could not be cut off again (they start at {@link
   * #knownSize}); removed before anything else, as soon as the disk lets us.
   */
  private byte[] unremoved;

  /** One queued append. Its outcome is set by the leader before {@code done}. */
  private static final class Request {
    final String taskId;
    final String eventType;
    final EventEncoder.Members payload;
    final Facts facts;
    final String idempotencyKey;
    final Precondition precondition;
    final List<Attachment> attachments;
    final Clock clock;
    final Thread waiter = Thread.currentThread();
    volatile boolean done;
    ChainEvent result;
    RuntimeException failure;
    boolean fresh; // the result rests on this batch's bytes (not a replay of a durable event)

    Request(
        String taskId,
        String eventType,
        EventEncoder.Members payload,
        Facts facts,
        String idempotencyKey,
        Precondition precondition,
        List<Attachment> attachments,
        Clock clock) {
      this.taskId = taskId;
      this.eventType = eventType;
      this.payload = payload; // canonicalised before any lock
      this.facts = facts;
      this.idempotencyKey = idempotencyKey;
      this.precondition = precondition;
      this.attachments = attachments;
      this.clock = clock;
    }
  }

  /** A task line to copy once its project line is durable. */
  private record PendingMirror(String taskId, byte[] line, long offset, String eventType) {}

  /**
   * The payload members the store itself reads (the R/S pointer, the revision, a close's status, a
   * migration's source), handed over next to the canonical members so that no tree is needed.
   */
  record Facts(int r, int s, String revisionKey, String finalStatus, String fromProjectId) {

    static Facts of(JsonNode p) {
      return new Facts(
          p.path(EventFields.R).asInt(-1),
          p.path(EventFields.S).asInt(-1),
          textOrNull(p, EventFields.REVISION_KEY),
          textOrNull(p, EventFields.FINAL_STATUS),
          textOrNull(p, EventFields.FROM_PROJECT_ID));
    }
  }

  /**
   * What a batch (or a catch-up read) is applied to: the committed state plus its own changes, in
   * copies. The store takes them over in {@link #commit} only once the bytes are durable, so a
   * failure at any point leaves the committed state equal to the disk.
   */
  private final class Draft {
    long seq = ProjectStore.this.seq;
    String head = ProjectStore.this.head;
    long size = knownSize;
    final Map<String, TaskState> touched = new HashMap<>();
    final Map<String, long[]> keys = new HashMap<>();
    final Map<String, ChainEvent> batchKeys = new HashMap<>();

    TaskState peek(String taskId) {
      TaskState t = touched.get(taskId);
      return t != null ? t : tasks.get(taskId);
    }

    TaskState edit(String taskId) {
      TaskState t = touched.get(taskId);
      if (t == null) {
        TaskState committed = tasks.get(taskId);
        t = committed == null ? new TaskState(taskId) : committed.copy();
        touched.put(taskId, t);
      }
      return t;
    }

    void commit() {
      tasks.putAll(touched);
      idempotencyIndex.putAll(keys);
      ProjectStore.this.seq = seq;
      ProjectStore.this.head = head;
      knownSize = size;
    }
  }

  private ProjectStore(ProjectLayout layout, IoFaults faults) {
    this.layout = layout;
    this.faults = faults;
  }

  // ------------------------------------------------------------------ lifecycle

  static ProjectStore acquire(ProjectLayout layout) {
    return acquire(layout, IoFaults.NONE);
  }

  /** As {@link #acquire(ProjectLayout)}; the faults apply when this call opens the store. */
  static ProjectStore acquire(ProjectLayout layout, IoFaults faults) {
    synchronized (OPEN) {
      ProjectStore store = OPEN.get(layout.dir);
      if (store == null) {
        store = new ProjectStore(layout, faults);
        store.open();
        OPEN.put(layout.dir, store);
      }
      store.refs++;
      return store;
    }
  }

  void release() {
    synchronized (OPEN) {
      if (--refs == 0) {
        OPEN.remove(layout.dir);
        stateLock.lock();
        mirrorLock.lock();
        try {
          renderStaleLogs();
          for (LogChannel ch : openTaskFiles.values()) {
            ch.close();
          }
          openTaskFiles.clear();
          events.close();
          lockChannel.close();
        } finally {
          mirrorLock.unlock();
          stateLock.unlock();
        }
      }
    }
  }

  private void open() {
    if (!Files.isRegularFile(layout.manifest())) {
      throw new LogRefusedException(
          "NOT_INITIALISED",
          "project '"
              + layout.dir.getFileName()
              + "' is not initialised: "
              + layout.manifest()
              + " is missing (run `aiflow log init`)");
    }
    try {
      projectId = readProjectId();
      lockChannel =
          LogChannel.open(
              layout.lockFile(), faults, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
      events =
          LogChannel.open(
              layout.events(),
              faults,
              StandardOpenOption.CREATE,
              StandardOpenOption.READ,
              StandardOpenOption.WRITE);
      try (FileLock ignored = lockChannel.lock()) {
        MirrorRepair repair = new MirrorRepair();
        catchUp(repair);
        repair.finish();
      }
    } catch (IOException e) {
      closeAll();
      throw new UncheckedIOException(
          "cannot open project " + layout.dir + ": " + e.getMessage(), e);
    } catch (RuntimeException e) {
      closeAll();
      throw e;
    }
  }

  private String readProjectId() throws IOException {
    try {
      JsonNode manifest = CanonicalJson.STRICT_MAPPER.readTree(layout.manifest().toFile());
      return manifest.path("project_id").asText();
    } catch (JsonProcessingException e) {
      throw new LogRefusedException(
          "MANIFEST_UNREADABLE",
          layout.manifest()
              + " is "
              + CanonicalJson.describe(e)
              + "; nothing was appended (run `aiflow log verify`)");
    }
  }

  private void closeAll() {
    for (LogChannel ch : openTaskFiles.values()) {
      ch.close();
    }
    openTaskFiles.clear();
    if (events != null) {
      events.close();
    }
    if (lockChannel != null) {
      lockChannel.close();
    }
  }

  String projectId() {
    return projectId;
  }

  ProjectLayout layout() {
    return layout;
  }

  /** Repairs made since the last call (torn tails cut, task files completed), then forgotten. */
  List<String> drainRepairs() {
    stateLock.lock();
    mirrorLock.lock();
    try {
      List<String> copy = List.copyOf(repairs);
      repairs.clear();
      return copy;
    } finally {
      mirrorLock.unlock();
      stateLock.unlock();
    }
  }

  // ------------------------------------------------------------------ reading state

  TaskSnapshot snapshot(String taskId) {
    return withFileLock(
        () -> {
          TaskState t = tasks.get(taskId);
          if (t == null) {
            return new TaskSnapshot(taskId, 0, -1, -1, null, false, null, EventFields.GENESIS, 0);
          }
          return new TaskSnapshot(
              taskId,
              t.count,
              t.lastR,
              t.lastS,
              t.lastRevisionKey,
              t.closed,
              t.finalStatus,
              t.head,
              t.attempts);
        });
  }

  String head() {
    return withFileLock(() -> head);
  }

  List<String> taskIds() {
    return withFileLock(() -> List.copyOf(tasks.keySet()));
  }

  /** The task's events, read from its task file (completed from the project log if it lags). */
  List<ChainEvent> taskEvents(String taskId) {
    return withFileLock(
        () -> {
          TaskState t = tasks.get(taskId);
          if (t == null) {
            return List.of();
          }
          ensureMirror(t);
          List<ChainEvent> out = new ArrayList<>();
          try (InputStream in = Files.newInputStream(layout.taskEvents(taskId))) {
            LineReader lines = new LineReader(in);
            while (lines.next()) {
              out.add(toChainEvent(lines.buf(), lines.off(), lines.len(), false));
            }
          }
          return out;
        });
  }

  // ------------------------------------------------------------------ appending

  /** Checks an append against the task's current state; throws to refuse. */
  interface Precondition {
    void check(TaskState task);
  }

  /** A file that must be durable before the event that refers to it. */
  record Attachment(String taskId, String relativePath, byte[] content) {}

  ChainEvent append(
      String taskId,
      String eventType,
      ObjectNode payload,
      String idempotencyKey,
      Precondition precondition,
      List<Attachment> attachments,
      Durability durability,
      Clock clock) {
    Request request =
        new Request(
            taskId,
            eventType,
            EventEncoder.members(payload),
            Facts.of(payload),
            idempotencyKey,
            precondition,
            attachments,
            clock);
    submit(List.of(request), durability);
    if (request.failure != null) {
      throw request.failure;
    }
    return request.result;
  }

  /** Appends one event whose canonical members are built already. */
  ChainEvent append(Append a, Durability durability, Clock clock) {
    Request request =
        new Request(
            a.taskId(),
            a.eventType(),
            a.payload(),
            a.facts(),
            a.idempotencyKey(),
            a.precondition(),
            a.attachments(),
            clock);
    submit(List.of(request), durability);
    if (request.failure != null) {
      throw request.failure;
    }
    return request.result;
  }

  /** One append of a batch submitted with {@link #appendAll}. */
  record Append(
      String taskId,
      String eventType,
      EventEncoder.Members payload,
      Facts facts,
      String idempotencyKey,
      Precondition precondition,
      List<Attachment> attachments) {}

  /**
   * Appends several events, written together and made durable by one fsync. Each is checked on its
   * own, against the state the appends before it in the list leave; the result list holds the
   * event, or the exception that refused it, in order (see docs/chain-format.md, "Group commit").
   */
  List<Object> appendAll(List<Append> appends, Clock clock) {
    List<Request> requests = new ArrayList<>(appends.size());
    for (Append a : appends) {
      requests.add(
          new Request(
              a.taskId(),
              a.eventType(),
              a.payload(),
              a.facts(),
              a.idempotencyKey(),
              a.precondition(),
              a.attachments(),
              clock));
    }
    submit(requests, Durability.GROUP_COMMIT);
    List<Object> out = new ArrayList<>(requests.size());
    for (Request r : requests) {
      out.add(r.failure != null ? r.failure : r.result);
    }
    return out;
  }

  /** Queues the requests and returns once all are durable or refused. */
  private void submit(List<Request> requests, Durability durability) {
    queue.addAll(requests);
    queued.addAndGet(requests.size());
    Request last = requests.get(requests.size() - 1);
    int maxBatch = durability == Durability.SYNC ? 1 : MAX_BATCH;
    while (!last.done) {
      if (leading.compareAndSet(false, true)) {
        try {
          lead(maxBatch, last);
        } finally {
          leading.set(false);
        }
        // A request queued after the last drain may have found us leading and parked: wake it.
        Request next = queue.peek();
        if (next != null) {
          LockSupport.unpark(next.waiter);
        }
      } else {
        // the leader unparks us when our batch is durable; the timeout covers a missed hand-over
        LockSupport.parkNanos(this, 2_000_000);
      }
    }
    for (Request r : requests) {
      while (!r.done) {
        LockSupport.parkNanos(this, 100_000); // batches are written in order; this is rare
      }
    }
  }

  /**
   * Writes batches until the queue is empty; the caller is the only leader meanwhile. Once the
   * caller's own request is answered and nothing is queued, it returns at once instead of waiting
   * for the queue to refill: whoever queues next leads (and gathers) itself. (Waiting here cost a
   * single caller's batch 200 µs each, a quarter of its time.)
   */
  private void lead(int maxBatch, Request own) {
    while (true) {
      if (own.done && queued.get() == 0) {
        return;
      }
      if (maxBatch > 1 && lastBatch > 1 && queued.get() < lastBatch) {
        long deadline = System.nanoTime() + GATHER_NANOS;
        while (queued.get() < lastBatch && System.nanoTime() < deadline) {
          LockSupport.parkNanos(20_000);
        }
      }
      List<Request> batch = new ArrayList<>();
      Request r;
      while (batch.size() < maxBatch && (r = queue.poll()) != null) {
        queued.decrementAndGet();
        batch.add(r);
      }
      if (batch.isEmpty()) {
        return;
      }
      lastBatch = batch.size();
      List<PendingMirror> mirrors = List.of();
      try {
        mirrors = writeBatch(batch);
      } catch (Throwable t) {
        // nothing of the batch was acknowledged: every request that rested on it fails with the
        // cause (a replay of an event that was durable before stays answered)
        RuntimeException failure = batchFailure(t);
        for (Request q : batch) {
          if (q.failure == null && (q.result == null || q.fresh)) {
            q.failure = failure;
            q.result = null;
          }
        }
      } finally {
        for (Request done : batch) {
          done.done = true; // durable (or refused, or failed): its caller may return now
          LockSupport.unpark(done.waiter);
        }
      }
      writeMirrors(mirrors);
    }
  }

  private RuntimeException batchFailure(Throwable t) {
    if (t instanceof RuntimeException e) {
      return e;
    }
    String why =
        "append to "
            + layout.events()
            + " failed ("
            + t.getMessage()
            + "); nothing of it was acknowledged, the next append starts from the log on disk";
    return t instanceof IOException io
        ? new UncheckedIOException(why, io)
        : new IllegalStateException(why, t);
  }

  /**
   * Encodes one batch against a draft, writes it with one write and one fsync, then commits the
   * draft. A refused request is skipped (the ones after it are checked as if it had not been
   * queued); a failed write or fsync throws, and its bytes are cut off again.
   */
  private List<PendingMirror> writeBatch(List<Request> batch) throws IOException {
    List<PendingMirror> mirrors = new ArrayList<>(batch.size());
    stateLock.lock();
    try (FileLock ignored = lockChannel.lock()) {
      restore();
      catchUp(null);
      Draft draft = new Draft();
      long start = draft.size;
      ByteArrayOutputStream out = new ByteArrayOutputStream(batch.size() * 512);
      for (Request r : batch) {
        try {
          r.result = encodeOne(r, out, mirrors, draft);
        } catch (IOException e) {
          r.failure =
              new UncheckedIOException(
                  "append to " + layout.events() + " refused: " + e.getMessage(), e);
        } catch (RuntimeException e) {
          r.failure = e; // refused: nothing of it is written
        }
      }
      if (out.size() > 0) {
        byte[] bytes = out.toByteArray();
        try {
          events.write(ByteBuffer.wrap(bytes), start);
          events.force(false);
        } catch (IOException e) {
          takeBack(start, bytes, e);
          throw e;
        }
      }
      draft.commit();
      return mirrors;
    } finally {
      stateLock.unlock();
    }
  }

  /** After a failed write or fsync: cuts the batch's bytes off, or remembers to do it later. */
  private void takeBack(long start, byte[] bytes, IOException cause) {
    try {
      events.truncate(start);
      events.force(true);
    } catch (IOException e) {
      unremoved = bytes;
      cause.addSuppressed(e);
    }
  }

  /**
   * Removes what is left of a failed append, if nobody built on it meanwhile (another process that
   * read its complete lines made them part of the chain; then they stay, and {@link #catchUp} reads
   * them as it reads any other process's events).
   */
  private void restore() throws IOException {
    if (unremoved == null) {
      return;
    }
    long size = events.size();
    if (size > knownSize && size <= knownSize + unremoved.length) {
      ByteBuffer found = ByteBuffer.allocate((int) (size - knownSize));
      events.readFully(found, knownSize);
      if (Arrays.equals(found.array(), 0, found.capacity(), unremoved, 0, found.capacity())) {
        events.truncate(knownSize);
        events.force(true);
        repairs.add(
            "removed "
                + found.capacity()
                + " bytes of a failed append from "
                + layout.events()
                + " (never acknowledged)");
      }
    }
    unremoved = null;
  }

  private ChainEvent encodeOne(
      Request r, ByteArrayOutputStream out, List<PendingMirror> mirrors, Draft draft)
      throws IOException {
    TaskState task = r.taskId == null ? null : draft.peek(r.taskId);
    if (r.idempotencyKey != null) {
      String key = indexKey(r.taskId, r.idempotencyKey);
      ChainEvent inBatch = draft.batchKeys.get(key);
      if (inBatch != null) {
        r.fresh = true;
        return withReplayed(inBatch);
      }
      long[] at = idempotencyIndex.get(key);
      if (at != null) {
        return readEventAt(at[0], (int) at[1]);
      }
    }
    if (r.precondition != null) {
      r.precondition.check(task == null ? new TaskState(r.taskId) : task);
    }
    for (Attachment a : r.attachments) {
      writeAttachment(a);
    }
    String recordedAt = recordedAt(r.clock);
    long taskSeq = task == null ? 1 : task.count + 1;
    String prev = r.taskId == null ? draft.head : (task == null ? EventFields.GENESIS : task.head);
    EventEncoder.Encoded encoded =
        EventEncoder.encode(
            EventEncoder.envelope(
                r.eventType,
                prev,
                projectId,
                draft.head,
                recordedAt,
                EventFields.SCHEMA,
                draft.seq + 1,
                r.taskId,
                taskSeq),
            r.payload,
            digest);
    Facts p = r.facts;
    EventView view =
        new EventView(
            EventFields.SCHEMA,
            projectId,
            draft.seq + 1,
            r.eventType,
            r.taskId,
            r.taskId == null ? -1 : taskSeq,
            prev,
            draft.head,
            encoded.hash(),
            encoded.hash(),
            true,
            p.r(),
            p.s(),
            r.idempotencyKey,
            p.revisionKey(),
            p.finalStatus(),
            p.fromProjectId(),
            null);
    long offset = draft.size;
    TaskState after = apply(view, offset, encoded.text().length, draft);
    draft.size += encoded.line().length;
    out.write(encoded.line());
    r.fresh = true;
    ChainEvent event =
        new ChainEvent(
            view.seq(),
            r.taskId,
            r.taskId == null ? 0 : taskSeq,
            r.eventType,
            encoded.hash(),
            new String(encoded.text(), StandardCharsets.UTF_8),
            false);
    if (r.idempotencyKey != null) {
      draft.batchKeys.put(indexKey(r.taskId, r.idempotencyKey), event);
    }
    if (after != null) {
      mirrors.add(
          new PendingMirror(
              r.taskId, encoded.line(), after.mirrorBytes - encoded.line().length, r.eventType));
    }
    return event;
  }

  private long lastMillis = Long.MIN_VALUE;
  private String lastRecordedAt;

  /**
   * The clock's time to the millisecond as ISO-8601, formatted once per millisecond (a batch's
   * events mostly share one). Called under the state lock.
   */
  private String recordedAt(Clock clock) {
    java.time.Instant now = clock.instant();
    long millis = now.toEpochMilli();
    if (millis != lastMillis || lastRecordedAt == null) {
      lastRecordedAt = now.truncatedTo(ChronoUnit.MILLIS).toString();
      lastMillis = millis;
    }
    return lastRecordedAt;
  }

  /** Writes an attachment durably (temporary file, fsync, rename) before its event. */
  private void writeAttachment(Attachment a) throws IOException {
    Path target = layout.taskDir(a.taskId()).resolve(a.relativePath());
    try {
      AtomicFile.write(
          target,
          a.content(),
          (stage, tmp) -> {
            if (stage == AtomicFile.Stage.TEMP_SYNCED) {
              faults.at(IoFaults.Point.ATTACHMENT, target);
            } else if (stage == AtomicFile.Stage.RENAMED) {
              faults.at(IoFaults.Point.ATTACHMENT_RENAMED, target);
            }
          });
    } catch (UncheckedIOException e) {
      throw e.getCause();
    }
  }

  private static ChainEvent withReplayed(ChainEvent e) {
    return new ChainEvent(
        e.seq(), e.taskId(), e.taskSeq(), e.eventType(), e.eventHash(), e.json(), true);
  }

  private static String textOrNull(JsonNode node, String name) {
    JsonNode n = node.get(name);
    return n != null && n.isTextual() ? n.textValue() : null;
  }

  /** Encodes a complete event given as a tree (used for a project's first event). */
  static EventEncoder.Encoded encode(ObjectNode event, MessageDigest digest) {
    return EventEncoder.encode(event, digest);
  }

  // ------------------------------------------------------------------ state from the log

  /**
   * Reads lines appended since {@link #knownSize} (by us at open, or by another process). With a
   * {@code repair} (at open), every line a task file lacks is copied while it is read.
   */
  private void catchUp(MirrorRepair repair) throws IOException {
    long size = events.size();
    if (size == knownSize) {
      return;
    }
    if (size < knownSize) {
      throw new LogRefusedException(
          "CHAIN_SHRANK",
          layout.events()
              + " shrank from "
              + knownSize
              + " to "
              + size
              + " bytes while open; nothing was appended (run `aiflow log verify`)");
    }
    Draft draft = new Draft();
    long base = knownSize;
    EventLines chain = new EventLines(events.inputFrom(base), digest);
    LineReader lines = chain.lines();
    try {
      while (chain.next()) {
        EventView view;
        try {
          view = chain.event();
        } catch (EventReader.MalformedEventException e) {
          throw broken(draft.seq + 1, e.getMessage());
        }
        TaskState task = apply(view, base + lines.lineOffset(), lines.len(), draft);
        draft.size = base + lines.completeBytes();
        if (repair != null && task != null) {
          repair.line(task, lines.buf(), lines.off(), lines.len());
        }
      }
    } finally {
      draft.commit(); // every complete line read so far is verified and on disk
    }
    int torn = lines.tailBytes();
    if (torn > 0) {
      // Bytes after the last newline were never acknowledged: a crash cut the write short.
      events.truncate(knownSize);
      events.force(true);
      repairs.add(
          "cut "
              + torn
              + " bytes of an incomplete last line from "
              + layout.events()
              + " (an append interrupted by a crash; every complete event was kept)");
    }
  }

  /** Checks a line against the draft, then applies it there. Changes nothing when it throws. */
  private TaskState apply(EventView e, long offset, int length, Draft draft) {
    long lineNo = draft.seq + 1;
    if (!e.hashMatches()) {
      throw broken(
          lineNo,
          "event_hash mismatch: stored " + e.eventHash() + ", computed " + e.computedHash());
    }
    if (!e.canonicalStored()) {
      throw broken(lineNo, "the event is not stored in its canonical form");
    }
    if (e.seq() != lineNo) {
      throw broken(lineNo, "seq " + e.seq() + " where " + lineNo + " was expected");
    }
    if (!draft.head.equals(e.projectPrevHash())) {
      throw broken(
          lineNo,
          "project_prev_event_hash "
              + e.projectPrevHash()
              + " does not match the head "
              + draft.head);
    }
    TaskState task = null;
    if (e.isTaskEvent()) {
      TaskState before = draft.peek(e.taskId());
      long count = before == null ? 0 : before.count;
      String taskHead = before == null ? EventFields.GENESIS : before.head;
      if (e.taskSeq() != count + 1 || !taskHead.equals(e.prevHash())) {
        throw broken(lineNo, "task chain of " + e.taskId() + " does not continue here");
      }
      task = draft.edit(e.taskId());
      task.count++;
      task.head = e.eventHash();
      task.mirrorBytes += length + 1L;
      switch (e.eventType()) {
        case EventFields.TYPE_ATTEMPT -> {
          task.lastR = e.r();
          task.lastS = e.s();
          task.lastRevisionKey = e.revisionKey();
          task.attempts++;
        }
        case EventFields.TYPE_TASK_CLOSED -> {
          task.closed = true;
          task.finalStatus = e.finalStatus();
          task.closedAtSeq = e.seq();
        }
        default -> {
          // other task events (QA reviews, rollbacks, notes) do not move the R/S pointer
        }
      }
      if (e.idempotencyKey() != null) {
        draft.keys.put(indexKey(e.taskId(), e.idempotencyKey()), new long[] {offset, length});
      }
    } else if (!draft.head.equals(e.prevHash())) {
      throw broken(lineNo, "prev_event_hash of a project event must equal the project head");
    }
    draft.seq = e.seq();
    draft.head = e.eventHash();
    return task;
  }

  private LogRefusedException broken(long line, String why) {
    return new LogRefusedException(
        "CHAIN_BROKEN",
        layout.events()
            + " line "
            + line
            + ": "
            + why
            + "; nothing was appended (run `aiflow log verify` for the full report)");
  }

  private static String indexKey(String taskId, String key) {
    return (taskId == null ? "" : taskId) + '\u0000' + key;
  }

  private ChainEvent readEventAt(long offset, int length) throws IOException {
    ByteBuffer buf = ByteBuffer.allocate(length);
    events.readFully(buf, offset);
    return toChainEvent(buf.array(), 0, length, true);
  }

  private ChainEvent toChainEvent(byte[] b, int off, int len, boolean replayed) throws IOException {
    EventView v;
    try {
      v = EventReader.read(b, off, len, digest);
    } catch (EventReader.MalformedEventException e) {
      throw new IOException("unreadable event: " + e.getMessage(), e);
    }
    return new ChainEvent(
        v.seq(),
        v.taskId(),
        Math.max(0, v.taskSeq()),
        v.eventType(),
        v.eventHash(),
        new String(b, off, len, StandardCharsets.UTF_8),
        replayed);
  }

  // ------------------------------------------------------------------ repair at open

  /**
   * Completes every task file at open, whatever the distance to its last copied line: while the
   * project log is read (which open does anyway), each task line whose copy ends beyond the task
   * file's size is written at its offset. Costs one size query per task and the missing writes.
   */
  private final class MirrorRepair {
    private final Map<String, Long> sizes = new HashMap<>(); // -1: no task file
    private final Map<String, Integer> copied = new TreeMap<>();

    void line(TaskState task, byte[] b, int off, int len) throws IOException {
      long have = sizes.computeIfAbsent(task.taskId, this::sizeOf);
      if (task.mirrorBytes <= have) {
        return; // the task file holds this line (verification checks it is the same)
      }
      ByteBuffer line = ByteBuffer.allocate(len + 1);
      line.put(b, off, len).put((byte) '\n').flip();
      mirrorLock.lock();
      try {
        taskFile(layout.taskEvents(task.taskId), false).write(line, task.mirrorBytes - len - 1);
      } finally {
        mirrorLock.unlock();
      }
      copied.merge(task.taskId, 1, Integer::sum);
    }

    private long sizeOf(String taskId) {
      try {
        return Files.size(layout.taskEvents(taskId));
      } catch (IOException e) {
        return -1;
      }
    }

    void finish() throws IOException {
      mirrorLock.lock();
      try {
        for (TaskState t : tasks.values()) {
          Long have = sizes.get(t.taskId);
          if (have == null) {
            have = sizeOf(t.taskId);
          }
          if (have > t.mirrorBytes) {
            cutStray(t, have);
          }
        }
        int notes = 0;
        long lines = 0;
        for (Map.Entry<String, Integer> c : copied.entrySet()) {
          renderTaskLogLocked(c.getKey());
          lines += c.getValue();
          if (++notes <= MAX_REPAIR_NOTES) {
            repairs.add(
                "completed "
                    + layout.taskEvents(c.getKey())
                    + " with "
                    + c.getValue()
                    + " event(s) from the project log (they were durable there; the copy was"
                    + " interrupted)");
          }
        }
        if (notes > MAX_REPAIR_NOTES) {
          repairs.add(
              "completed "
                  + (notes - MAX_REPAIR_NOTES)
                  + " more task file(s) the same way ("
                  + lines
                  + " event(s) copied in all)");
        }
      } finally {
        mirrorLock.unlock();
      }
    }
  }

  /**
   * A task file longer than its events in the project log. An incomplete last line (no newline in
   * the extra bytes: a torn copy, or a zero-filled tail) was never a line and is cut; complete
   * lines that the project log does not have are left for verification to name.
   */
  private void cutStray(TaskState t, long have) throws IOException {
    Path file = layout.taskEvents(t.taskId);
    long extra = have - t.mirrorBytes;
    boolean incomplete = false;
    if (extra <= MAX_STRAY_CHECK) {
      LogChannel ch = taskFile(file, false);
      ByteBuffer tail = ByteBuffer.allocate((int) extra);
      ch.readFully(tail, t.mirrorBytes);
      incomplete = ByteScan.indexOfNewline(tail.array(), 0, (int) extra) < 0;
      if (incomplete) {
        ch.truncate(t.mirrorBytes);
        mirrorEnds.remove(t.taskId);
        repairs.add(
            "cut "
                + extra
                + " bytes of an incomplete last line from "
                + file
                + " (a copy interrupted by a crash; the project log holds every event)");
      }
    }
    if (!incomplete) {
      repairs.add(
          "left "
              + file
              + " alone: it holds "
              + extra
              + " bytes after the task's last event that the project log does not have (run"
              + " `aiflow log verify`)");
    }
  }

  // ------------------------------------------------------------------ task files

  private void writeMirrors(List<PendingMirror> mirrors) {
    if (mirrors.isEmpty()) {
      return;
    }
    mirrorLock.lock();
    try {
      // consecutive lines of one task go out in one write (and their sections in another)
      int i = 0;
      while (i < mirrors.size()) {
        PendingMirror first = mirrors.get(i);
        int j = i + 1;
        long end = first.offset() + first.line().length;
        while (j < mirrors.size()
            && mirrors.get(j).taskId().equals(first.taskId())
            && mirrors.get(j).offset() == end) {
          end += mirrors.get(j).line().length;
          j++;
        }
        try {
          Long written = mirrorEnds.get(first.taskId());
          if (j - i > 1 && written != null && written == first.offset()) {
            writeRun(mirrors.subList(i, j), end);
          } else {
            for (int k = i; k < j; k++) {
              writeMirror(mirrors.get(k));
            }
          }
        } catch (IOException | RuntimeException e) {
          // The events are durable in the project log; the copy is completed when the task is
          // next written or read, or at the next open. Until then we trust no size we remember.
          mirrorEnds.remove(first.taskId());
          repairs.add(
              "could not copy an event to "
                  + layout.taskEvents(first.taskId())
                  + " ("
                  + e.getMessage()
                  + ")");
        }
        i = j;
      }
      for (PendingMirror m : mirrors) {
        if (EventFields.TYPE_TASK_CLOSED.equals(m.eventType()) && staleLogs.contains(m.taskId())) {
          renderQuietly(m.taskId());
        }
      }
    } finally {
      mirrorLock.unlock();
    }
  }

  /** Renders every task whose rendering lags. Call holding the mirror lock. */
  private void renderStaleLogs() {
    for (String taskId : new ArrayList<>(staleLogs)) {
      renderQuietly(taskId);
    }
  }

  /**
   * A rendering is derived and never read back: when it cannot be written, the task stays stale (it
   * is tried again at the next occasion) and the append it followed stands.
   */
  private void renderQuietly(String taskId) {
    try {
      renderTaskLogLocked(taskId);
    } catch (IOException | RuntimeException e) {
      repairs.add(
          "could not render " + layout.taskLog(taskId) + " (" + e.getMessage() + "); it lags");
    }
  }

  /** Several contiguous lines of one task file that we wrote up to their start ourselves. */
  private void writeRun(List<PendingMirror> run, long end) throws IOException {
    PendingMirror first = run.get(0);
    ByteBuffer lines = ByteBuffer.allocate((int) (end - first.offset()));
    for (PendingMirror m : run) {
      lines.put(m.line());
    }
    lines.flip();
    taskFile(layout.taskEvents(first.taskId()), false).write(lines, first.offset());
    mirrorEnds.put(first.taskId(), end);
    staleLogs.add(first.taskId());
  }

  private void writeMirror(PendingMirror m) throws IOException {
    Path file = layout.taskEvents(m.taskId());
    LogChannel ch = taskFile(file, false);
    Long written = mirrorEnds.get(m.taskId());
    if (written != null && written == m.offset()) {
      // we wrote this file up to here ourselves: no gap to fill, no size to ask for
      ch.write(ByteBuffer.wrap(m.line()), m.offset());
      mirrorEnds.put(m.taskId(), m.offset() + m.line().length);
      staleLogs.add(m.taskId());
      return;
    }
    long size = ch.size();
    if (size < m.offset()) {
      fillMirror(m.taskId(), m.offset(), ch, size);
      size = ch.size();
    }
    if (size > m.offset()) {
      // Written already by a repair or another process: the same line if the chain is intact.
      ByteBuffer existing = ByteBuffer.allocate((int) Math.min(m.line().length, size - m.offset()));
      ch.readFully(existing, m.offset());
      if (existing.capacity() == m.line().length && Arrays.equals(existing.array(), m.line())) {
        return;
      }
      if (!startsWith(m.line(), existing.array())) {
        repairs.add(
            "left "
                + file
                + " alone: it diverges from the project log at byte "
                + m.offset()
                + " (run `aiflow log verify`)");
        return;
      }
      // a torn copy of this very line (a failed or interrupted write): write it whole
    }
    ch.write(ByteBuffer.wrap(m.line()), m.offset());
    mirrorEnds.put(m.taskId(), m.offset() + m.line().length);
    staleLogs.add(m.taskId());
  }

  private static boolean startsWith(byte[] line, byte[] prefix) {
    return prefix.length <= line.length
        && Arrays.equals(line, 0, prefix.length, prefix, 0, prefix.length);
  }

  /**
   * Completes a task file that lags behind the project log while the store runs (a copy that
   * failed, or another process's copy not written yet): copies the task's lines that end after
   * {@code size}, up to {@code upTo} bytes, from the project log.
   */
  private void fillMirror(String taskId, long upTo, LogChannel ch, long size) throws IOException {
    long written = 0;
    int added = 0;
    MessageDigest md = DurableFiles.sha256(); // `digest` belongs to the state lock; this is not
    try (InputStream in = events.inputFrom(0)) {
      LineReader lines = new LineReader(in);
      while (written < upTo && lines.next()) {
        if (!taskId.equals(taskIdOf(lines, md))) {
          continue;
        }
        long lineEnd = written + lines.len() + 1;
        if (lineEnd > size) {
          ByteBuffer buf = ByteBuffer.allocate(lines.len() + 1);
          buf.put(lines.buf(), lines.off(), lines.len()).put((byte) '\n').flip();
          ch.write(buf, written);
          added++;
        }
        written = lineEnd;
      }
    }
    if (added > 0) {
      mirrorEnds.remove(taskId);
      repairs.add(
          "completed "
              + layout.taskEvents(taskId)
              + " with "
              + added
              + " event(s) from the project log (they were durable there; the copy was"
              + " interrupted)");
      renderTaskLogLocked(taskId);
    }
  }

  private static String taskIdOf(LineReader lines, MessageDigest md) {
    try {
      return EventReader.taskIdOf(lines.buf(), lines.off(), lines.len(), md);
    } catch (EventReader.MalformedEventException e) {
      return null;
    }
  }

  /** Called holding the state lock: the task file holds everything the project log has. */
  private void ensureMirror(TaskState task) throws IOException {
    mirrorLock.lock();
    try {
      LogChannel ch = taskFile(layout.taskEvents(task.taskId), false);
      long size = ch.size();
      if (size < task.mirrorBytes) {
        fillMirror(task.taskId, task.mirrorBytes, ch, size);
      }
    } finally {
      mirrorLock.unlock();
    }
  }

  private LogChannel taskFile(Path file, boolean append) throws IOException {
    LogChannel ch = openTaskFiles.get(file);
    if (ch == null || !ch.isOpen()) {
      Files.createDirectories(file.getParent());
      ch =
          append
              ? LogChannel.open(file, faults, StandardOpenOption.CREATE, StandardOpenOption.APPEND)
              : LogChannel.open(
                  file,
                  faults,
                  StandardOpenOption.CREATE,
                  StandardOpenOption.READ,
                  StandardOpenOption.WRITE);
      openTaskFiles.put(file, ch);
    }
    return ch;
  }

  /** Regenerates {@code task_log.md} from the task's events. */
  void renderTaskLog(String taskId) throws IOException {
    mirrorLock.lock();
    try {
      renderTaskLogLocked(taskId);
    } finally {
      mirrorLock.unlock();
    }
  }

  private void renderTaskLogLocked(String taskId) throws IOException {
    staleLogs.remove(taskId);
    Path file = layout.taskEvents(taskId);
    if (!Files.exists(file)) {
      return;
    }
    StringBuilder text = new StringBuilder(TaskLogRenderer.header(taskId));
    try (InputStream in = Files.newInputStream(file)) {
      LineReader lines = new LineReader(in);
      while (lines.next()) {
        JsonNode event =
            CanonicalJson.STRICT_MAPPER.readTree(lines.buf(), lines.off(), lines.len());
        text.append(TaskLogRenderer.section(event));
      }
    }
    Path md = layout.taskLog(taskId);
    LogChannel open = openTaskFiles.remove(md);
    if (open != null) {
      open.close();
    }
    // derived from the task chain and rendered again on demand: atomic, but not worth an fsync
    try {
      AtomicFile.replace(md, text.toString().getBytes(StandardCharsets.UTF_8));
    } catch (UncheckedIOException e) {
      throw e.getCause();
    }
  }

  // ------------------------------------------------------------------ exclusive access

  interface IoAction<T> {
    T run() throws IOException;
  }

  /**
   * Runs the action holding the state lock and the file lock, after reading what other processes
   * appended: a consistent, current snapshot. Fails while the bytes of a failed append cannot be
   * removed, because the file then differs from what the store knows.
   */
  <T> T withFileLock(IoAction<T> action) {
    stateLock.lock();
    try (FileLock ignored = lockChannel.lock()) {
      restore();
      catchUp(null);
      return action.run();
    } catch (NoSuchFileException e) {
      throw new UncheckedIOException("missing file " + e.getFile(), e);
    } catch (IOException e) {
      throw new UncheckedIOException(e.getMessage(), e);
    } finally {
      stateLock.unlock();
    }
  }

  /** Head of every task chain, for export manifests. Call inside {@link #withFileLock}. */
  Map<String, String> taskHeads() {
    Map<String, String> heads = new HashMap<>();
    for (TaskState t : tasks.values()) {
      heads.put(t.taskId, t.head);
    }
    return heads;
  }

  /** Brings every task file up to date. Call inside {@link #withFileLock}. */
  void completeTaskFiles() throws IOException {
    for (TaskState t : tasks.values()) {
      ensureMirror(t);
    }
    mirrorLock.lock();
    try {
      renderStaleLogs(); // an archive carries current renderings
    } finally {
      mirrorLock.unlock();
    }
  }
}
