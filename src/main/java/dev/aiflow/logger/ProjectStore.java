package dev.aiflow.logger;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.temporal.ChronoUnit;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
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
 * behind the project log, and lagging lines are filled in from it.
 *
 * <p>Appends are queued (lock-free). Whoever finds no leader becomes one: it takes the state lock
 * and the OS file lock on {@code .lock}, reads whatever another process appended since, encodes the
 * whole queued batch, writes it with one write and one fsync, and unparks the callers. Callers
 * queue up while the leader waits for the disk, which is what makes group commit batch. In {@link
 * Durability#SYNC} a batch holds one event.
 *
 * <p>Locks, always taken in this order: {@code stateLock} (what the store knows about the chain,
 * and the project file), the OS file lock, {@code mirrorLock} (task files and their renderings).
 */
final class ProjectStore {

  private static final Map<Path, ProjectStore> OPEN = new HashMap<>();
  private static final int MIRROR_CHECK_WINDOW = 256;
  private static final int MAX_OPEN_TASK_FILES = 64;
  private static final int MAX_BATCH = 4096;

  /**
   * How long a group-commit leader waits for the queue to refill to the size of its previous batch
   * before it writes (PostgreSQL's commit_delay): about one fsync on a local disk. Without it,
   * batches alternate between one event and everyone else.
   */
  private static final long GATHER_NANOS = 200_000;

  private final ProjectLayout layout;
  private final ConcurrentLinkedQueue<Request> queue = new ConcurrentLinkedQueue<>();
  private final AtomicInteger queued = new AtomicInteger();
  private final AtomicBoolean leading = new AtomicBoolean();
  private final ReentrantLock stateLock = new ReentrantLock();
  private final ReentrantLock mirrorLock = new ReentrantLock();
  private int lastBatch;

  private final List<String> repairs = new ArrayList<>();
  private final Map<String, TaskState> tasks = new HashMap<>();
  private final Map<String, long[]> idempotencyIndex = new HashMap<>();
  private final ArrayDeque<String> recentTaskIds = new ArrayDeque<>();
  private final Map<Path, FileChannel> openTaskFiles =
      new LinkedHashMap<>(16, 0.75f, true) {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(Map.Entry<Path, FileChannel> eldest) {
          if (size() > MAX_OPEN_TASK_FILES) {
            closeQuietly(eldest.getValue());
            return true;
          }
          return false;
        }
      };
  private final MessageDigest digest = DurableFiles.sha256();
  private final Map<String, Long> mirrorEnds = new HashMap<>(); // task file bytes we wrote

  private int refs;
  private FileChannel lockChannel;
  private FileChannel events;
  private String projectId;
  private long knownSize;
  private long seq;
  private String head = EventFields.GENESIS;
  private IOException failed; // after a failed write or fsync nothing more is trusted

  /** One queued append. Its outcome is set by the leader before {@code done}. */
  private static final class Request {
    final String taskId;
    final String eventType;
    final EventEncoder.Members payload;
    final ObjectNode payloadTree;
    final String idempotencyKey;
    final Precondition precondition;
    final List<Attachment> attachments;
    final Clock clock;
    final Thread waiter = Thread.currentThread();
    volatile boolean done;
    ChainEvent result;
    RuntimeException failure;

    Request(
        String taskId,
        String eventType,
        ObjectNode payload,
        String idempotencyKey,
        Precondition precondition,
        List<Attachment> attachments,
        Clock clock) {
      this.taskId = taskId;
      this.eventType = eventType;
      this.payloadTree = payload;
      this.payload = EventEncoder.members(payload); // canonicalised before any lock
      this.idempotencyKey = idempotencyKey;
      this.precondition = precondition;
      this.attachments = attachments;
      this.clock = clock;
    }
  }

  /** A task line to copy once its project line is durable. */
  private record PendingMirror(
      String taskId,
      byte[] line,
      long offset,
      long taskSeq,
      String eventType,
      String recordedAt,
      String hash,
      ObjectNode payload) {}

  private ProjectStore(ProjectLayout layout) {
    this.layout = layout;
  }

  // ------------------------------------------------------------------ lifecycle

  static ProjectStore acquire(ProjectLayout layout) {
    synchronized (OPEN) {
      ProjectStore store = OPEN.get(layout.dir);
      if (store == null) {
        store = new ProjectStore(layout);
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
          for (FileChannel ch : openTaskFiles.values()) {
            closeQuietly(ch);
          }
          openTaskFiles.clear();
          closeQuietly(events);
          closeQuietly(lockChannel);
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
      JsonNode manifest = CanonicalJson.STRICT_MAPPER.readTree(layout.manifest().toFile());
      projectId = manifest.path("project_id").asText();
      lockChannel =
          FileChannel.open(layout.lockFile(), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
      events =
          FileChannel.open(
              layout.events(),
              StandardOpenOption.CREATE,
              StandardOpenOption.READ,
              StandardOpenOption.WRITE);
      try (FileLock ignored = lockChannel.lock()) {
        catchUp();
        repairRecentMirrors();
      }
    } catch (IOException e) {
      closeQuietly(events);
      closeQuietly(lockChannel);
      throw new UncheckedIOException("cannot open project " + layout.dir, e);
    } catch (RuntimeException e) {
      closeQuietly(events);
      closeQuietly(lockChannel);
      throw e;
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
        new Request(taskId, eventType, payload, idempotencyKey, precondition, attachments, clock);
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
      ObjectNode payload,
      String idempotencyKey,
      Precondition precondition,
      List<Attachment> attachments) {}

  /**
   * Appends several events, written together and made durable by one fsync. Each is checked on its
   * own; the result list holds the event, or the exception that refused it, in order.
   */
  List<Object> appendAll(List<Append> appends, Clock clock) {
    List<Request> requests = new ArrayList<>(appends.size());
    for (Append a : appends) {
      requests.add(
          new Request(
              a.taskId(),
              a.eventType(),
              a.payload(),
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
          lead(maxBatch);
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

  /** Writes batches until the queue is empty; the caller is the only leader meanwhile. */
  private void lead(int maxBatch) {
    while (true) {
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
      List<PendingMirror> mirrors = writeBatch(batch);
      for (Request done : batch) {
        done.done = true; // durable (or refused): its caller may return now
        LockSupport.unpark(done.waiter);
      }
      writeMirrors(mirrors);
    }
  }

  /** Encodes and writes one batch with one write and one fsync. */
  private List<PendingMirror> writeBatch(List<Request> batch) {
    List<PendingMirror> mirrors = new ArrayList<>(batch.size());
    stateLock.lock();
    try (FileLock ignored = lockChannel.lock()) {
      if (failed != null) {
        throw new UncheckedIOException(
            "an earlier write to " + layout.events() + " failed; reopen the project", failed);
      }
      catchUp();
      long start = knownSize;
      ByteArrayOutputStream out = new ByteArrayOutputStream(batch.size() * 512);
      Map<String, ChainEvent> batchKeys = new HashMap<>();
      for (Request r : batch) {
        try {
          r.result = encodeOne(r, start + out.size(), out, mirrors, batchKeys);
        } catch (RuntimeException e) {
          r.failure = e; // refused: nothing of it is written
        }
      }
      if (out.size() > 0) {
        try {
          DurableFiles.writeFully(events, ByteBuffer.wrap(out.toByteArray()), start);
          events.force(false);
        } catch (IOException e) {
          failed = e;
          throw e;
        }
        knownSize = start + out.size();
      }
      return mirrors;
    } catch (IOException | UncheckedIOException e) {
      UncheckedIOException failure =
          e instanceof UncheckedIOException u
              ? u
              : new UncheckedIOException(
                  "append to " + layout.events() + " failed", (IOException) e);
      for (Request r : batch) {
        if (r.failure == null) {
          r.failure = failure;
          r.result = null;
        }
      }
      return List.of();
    } finally {
      stateLock.unlock();
    }
  }

  private ChainEvent encodeOne(
      Request r,
      long offset,
      ByteArrayOutputStream out,
      List<PendingMirror> mirrors,
      Map<String, ChainEvent> batchKeys)
      throws IOException {
    TaskState task = r.taskId == null ? null : tasks.get(r.taskId);
    if (r.idempotencyKey != null) {
      String key = indexKey(r.taskId, r.idempotencyKey);
      ChainEvent inBatch = batchKeys.get(key);
      if (inBatch != null) {
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
      DurableFiles.writeAtomically(
          layout.taskDir(a.taskId()).resolve(a.relativePath()), a.content());
    }
    String recordedAt = r.clock.instant().truncatedTo(ChronoUnit.MILLIS).toString();
    long taskSeq = task == null ? 1 : task.count + 1;
    Map<String, Object> envelope = new HashMap<>();
    envelope.put(EventFields.SCHEMA_VERSION, EventFields.SCHEMA);
    envelope.put(EventFields.PROJECT_ID, projectId);
    envelope.put(EventFields.SEQ, seq + 1);
    envelope.put(EventFields.EVENT_TYPE, r.eventType);
    envelope.put(EventFields.RECORDED_AT, recordedAt);
    envelope.put(EventFields.PROJECT_PREV_EVENT_HASH, head);
    String prev = r.taskId == null ? head : (task == null ? EventFields.GENESIS : task.head);
    envelope.put(EventFields.PREV_EVENT_HASH, prev);
    if (r.taskId != null) {
      envelope.put(EventFields.TASK_ID, r.taskId);
      envelope.put(EventFields.TASK_SEQ, taskSeq);
    }
    EventEncoder.Encoded encoded =
        EventEncoder.encode(EventEncoder.scalars(envelope), r.payload, digest);
    JsonNode p = r.payloadTree;
    EventView view =
        new EventView(
            EventFields.SCHEMA,
            projectId,
            seq + 1,
            r.eventType,
            r.taskId,
            r.taskId == null ? -1 : taskSeq,
            prev,
            head,
            encoded.hash(),
            encoded.hash(),
            true,
            p.path(EventFields.R).asInt(-1),
            p.path(EventFields.S).asInt(-1),
            r.idempotencyKey,
            textOrNull(p, EventFields.REVISION_KEY),
            textOrNull(p, EventFields.FINAL_STATUS),
            textOrNull(p, EventFields.FROM_PROJECT_ID),
            null);
    TaskState after = apply(view, offset, encoded.text().length);
    out.write(encoded.line());
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
      batchKeys.put(indexKey(r.taskId, r.idempotencyKey), event);
    }
    if (after != null) {
      mirrors.add(
          new PendingMirror(
              r.taskId,
              encoded.line(),
              after.mirrorBytes - encoded.line().length,
              taskSeq,
              r.eventType,
              recordedAt,
              encoded.hash(),
              r.payloadTree));
    }
    return event;
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

  /** Reads lines appended since {@link #knownSize} (by us at open, or by another process). */
  private void catchUp() throws IOException {
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
    try (FileChannel reader = FileChannel.open(layout.events(), StandardOpenOption.READ)) {
      reader.position(knownSize);
      EventLines chain = new EventLines(Channels.newInputStream(reader), digest);
      LineReader lines = chain.lines();
      long base = knownSize;
      while (chain.next()) {
        EventView view;
        try {
          view = chain.event();
        } catch (EventReader.MalformedEventException e) {
          throw broken(seq + 1, e.getMessage());
        }
        apply(view, base + lines.lineOffset(), lines.len());
        knownSize = base + lines.completeBytes();
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
  }

  private TaskState apply(EventView e, long offset, int length) {
    long lineNo = seq + 1;
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
    if (!head.equals(e.projectPrevHash())) {
      throw broken(
          lineNo,
          "project_prev_event_hash " + e.projectPrevHash() + " does not match the head " + head);
    }
    TaskState task = null;
    if (e.isTaskEvent()) {
      task = tasks.computeIfAbsent(e.taskId(), TaskState::new);
      if (e.taskSeq() != task.count + 1 || !task.head.equals(e.prevHash())) {
        throw broken(lineNo, "task chain of " + e.taskId() + " does not continue here");
      }
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
        idempotencyIndex.put(indexKey(e.taskId(), e.idempotencyKey()), new long[] {offset, length});
      }
    } else if (!head.equals(e.prevHash())) {
      throw broken(lineNo, "prev_event_hash of a project event must equal the project head");
    }
    seq = e.seq();
    head = e.eventHash();
    recentTaskIds.addLast(e.isTaskEvent() ? e.taskId() : "");
    if (recentTaskIds.size() > MIRROR_CHECK_WINDOW) {
      recentTaskIds.removeFirst();
    }
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
    DurableFiles.readFully(events, buf, offset);
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
        Long written = mirrorEnds.get(first.taskId());
        if (j - i > 1 && written != null && written == first.offset()) {
          writeRun(mirrors.subList(i, j), end);
        } else {
          for (int k = i; k < j; k++) {
            writeMirror(mirrors.get(k));
          }
        }
        i = j;
      }
    } catch (IOException e) {
      // The events are durable in the project log; the copy is completed on the next open.
      repairs.add("could not copy an event to its task file (" + e.getMessage() + ")");
    } finally {
      mirrorLock.unlock();
    }
  }

  /** Several contiguous lines of one task file that we wrote up to their start ourselves. */
  private void writeRun(List<PendingMirror> run, long end) throws IOException {
    PendingMirror first = run.get(0);
    ByteBuffer lines = ByteBuffer.allocate((int) (end - first.offset()));
    StringBuilder sections = new StringBuilder(run.size() * 512);
    for (PendingMirror m : run) {
      lines.put(m.line());
      sections.append(section(m));
    }
    lines.flip();
    DurableFiles.writeFully(
        taskFile(layout.taskEvents(first.taskId()), false), lines, first.offset());
    mirrorEnds.put(first.taskId(), end);
    DurableFiles.writeFully(
        taskFile(layout.taskLog(first.taskId()), true),
        ByteBuffer.wrap(sections.toString().getBytes(StandardCharsets.UTF_8)));
  }

  private void writeMirror(PendingMirror m) throws IOException {
    Path file = layout.taskEvents(m.taskId());
    FileChannel ch = taskFile(file, false);
    Long written = mirrorEnds.get(m.taskId());
    if (written != null && written == m.offset()) {
      // we wrote this file up to here ourselves: no gap to fill, no size to ask for
      DurableFiles.writeFully(ch, ByteBuffer.wrap(m.line()), m.offset());
      mirrorEnds.put(m.taskId(), m.offset() + m.line().length);
      appendSection(m);
      return;
    }
    long size = ch.size();
    if (size < m.offset()) {
      fillMirror(m.taskId(), m.offset(), ch, size);
      size = ch.size();
    }
    if (size > m.offset()) {
      // Written already by a repair or another process: the same line if the chain is intact.
      ByteBuffer existing = ByteBuffer.allocate(m.line().length);
      ch.read(existing, m.offset());
      if (!Arrays.equals(existing.array(), m.line())) {
        repairs.add(
            "left "
                + file
                + " alone: it diverges from the project log at byte "
                + m.offset()
                + " (run `aiflow log verify`)");
      }
      return;
    }
    DurableFiles.writeFully(ch, ByteBuffer.wrap(m.line()), m.offset());
    mirrorEnds.put(m.taskId(), m.offset() + m.line().length);
    appendSection(m);
  }

  private void appendSection(PendingMirror m) throws IOException {
    FileChannel md = taskFile(layout.taskLog(m.taskId()), true);
    DurableFiles.writeFully(md, ByteBuffer.wrap(section(m).getBytes(StandardCharsets.UTF_8)));
  }

  private static String section(PendingMirror m) {
    return (m.taskSeq() == 1 ? TaskLogRenderer.header(m.taskId()) : "")
        + TaskLogRenderer.section(
            m.payload(), m.eventType(), m.taskSeq(), m.recordedAt(), m.hash());
  }

  /**
   * Completes a task file that lags behind the project log: copies the task's lines that end after
   * {@code size}, up to {@code upTo} bytes, from the project log.
   */
  private void fillMirror(String taskId, long upTo, FileChannel ch, long size) throws IOException {
    long written = 0;
    int added = 0;
    try (InputStream in = Files.newInputStream(layout.events())) {
      LineReader lines = new LineReader(in);
      MessageDigest md = DurableFiles.sha256();
      while (written < upTo && lines.next()) {
        if (!lineBelongsTo(lines, taskId, md)) {
          continue;
        }
        long lineEnd = written + lines.len() + 1;
        if (lineEnd > size) {
          ByteBuffer buf = ByteBuffer.allocate(lines.len() + 1);
          buf.put(lines.buf(), lines.off(), lines.len()).put((byte) '\n').flip();
          DurableFiles.writeFully(ch, buf, written);
          added++;
        }
        written = lineEnd;
      }
    }
    if (added > 0) {
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

  private static boolean lineBelongsTo(LineReader lines, String taskId, MessageDigest md) {
    try {
      return taskId.equals(EventReader.read(lines.buf(), lines.off(), lines.len(), md).taskId());
    } catch (EventReader.MalformedEventException e) {
      return false;
    }
  }

  /** Called holding the state lock: the task file holds everything the project log has. */
  private void ensureMirror(TaskState task) throws IOException {
    mirrorLock.lock();
    try {
      FileChannel ch = taskFile(layout.taskEvents(task.taskId), false);
      long size = ch.size();
      if (size < task.mirrorBytes) {
        fillMirror(task.taskId, task.mirrorBytes, ch, size);
      }
    } finally {
      mirrorLock.unlock();
    }
  }

  /** At open: the only task files that can lag are those of the newest events. */
  private void repairRecentMirrors() throws IOException {
    Set<String> recent = new LinkedHashSet<>(recentTaskIds);
    recent.remove("");
    for (String id : recent) {
      ensureMirror(tasks.get(id));
    }
  }

  private FileChannel taskFile(Path file, boolean append) throws IOException {
    FileChannel ch = openTaskFiles.get(file);
    if (ch == null || !ch.isOpen()) {
      Files.createDirectories(file.getParent());
      ch =
          append
              ? FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.APPEND)
              : FileChannel.open(
                  file,
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
    closeQuietly(openTaskFiles.remove(md));
    DurableFiles.writeAtomically(md, text.toString().getBytes(StandardCharsets.UTF_8));
  }

  // ------------------------------------------------------------------ exclusive access

  interface IoAction<T> {
    T run() throws IOException;
  }

  /**
   * Runs the action holding the state lock and the file lock, after reading what other processes
   * appended: a consistent, current snapshot.
   */
  <T> T withFileLock(IoAction<T> action) {
    stateLock.lock();
    try (FileLock ignored = lockChannel.lock()) {
      catchUp();
      return action.run();
    } catch (NoSuchFileException e) {
      throw new UncheckedIOException("missing file " + e.getFile(), e);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
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
  }

  private static void closeQuietly(FileChannel ch) {
    if (ch != null) {
      try {
        ch.close();
      } catch (IOException e) {
        // closing a channel we only read or already forced loses nothing
      }
    }
  }
}
