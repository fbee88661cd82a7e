package dev.aiflow.logger;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A project chain kept in PostgreSQL, for several nodes appending to one project. Each append (or
 * batch) is one transaction that first locks the project's head row ({@code SELECT ... FOR
 * UPDATE}), reads the events other nodes committed since this node last looked, checks and encodes
 * the new events against that state exactly as {@link ProjectStore} does, inserts their lines and
 * moves the head, and commits: two nodes appending at once produce one linear chain. The table's
 * keys ({@code (project_id, seq)}, {@code (project_id, task_id, task_seq)}) refuse a fork even from
 * a writer that skipped the lock. The lines are the exact bytes the file store would write, so the
 * project exports to the same files ({@link PostgresChains#materialize}).
 */
final class PostgresChainStore implements ChainStore {

  private final PostgresChains chains;
  private final String projectId;
  private final ReentrantLock lock = new ReentrantLock();
  private final MessageDigest digest = DurableFiles.sha256();

  // the chain as this node last read it from the database
  private long seq;
  private String head = EventFields.GENESIS;
  private final Map<String, TaskState> tasks = new HashMap<>();
  private final Map<String, ChainEvent> keyed = new HashMap<>();

  // this node's copy in the file layout (null: none), and the lines not yet copied there
  private final Path mirrorRoot;
  private long mirrorSeq = -1; // -1: not checked since this store was created or a copy failed
  private final List<Line> uncopied = new ArrayList<>();
  private final List<String> notes = new ArrayList<>();

  /** A committed line: its place and its bytes (without the newline). */
  private record Line(long seq, String taskId, byte[] bytes, EventView.ContentRef contentRef) {}

  PostgresChainStore(PostgresChains chains, String projectId, Path mirrorRoot) {
    this.chains = chains;
    this.projectId = projectId;
    this.mirrorRoot = mirrorRoot;
  }

  @Override
  public String projectId() {
    return projectId;
  }

  @Override
  public Path projectDir() {
    return null;
  }

  // ------------------------------------------------------------------ appending

  private record Req(ProjectStore.Append append, Clock clock) {}

  /** A pending row of the batch. */
  private record Row(ChainEvent event, String idempotencyKey, byte[] text) {}

  @Override
  public ChainEvent append(
      String taskId,
      String eventType,
      ObjectNode payload,
      String idempotencyKey,
      ProjectStore.Precondition precondition,
      List<ProjectStore.Attachment> attachments,
      Durability durability,
      Clock clock) {
    // a commit is durable once it returns (synchronous_commit): both durabilities are met
    Object result =
        write(
                List.of(
                    new Req(
                        new ProjectStore.Append(
                            taskId,
                            eventType,
                            EventEncoder.members(payload),
                            ProjectStore.Facts.of(payload),
                            idempotencyKey,
                            precondition,
                            attachments),
                        clock)))
            .get(0);
    if (result instanceof RuntimeException e) {
      throw e;
    }
    return (ChainEvent) result;
  }

  @Override
  public ChainEvent append(ProjectStore.Append a, Durability durability, Clock clock) {
    Object result = write(List.of(new Req(a, clock))).get(0);
    if (result instanceof RuntimeException e) {
      throw e;
    }
    return (ChainEvent) result;
  }

  @Override
  public List<Object> appendAll(List<ProjectStore.Append> appends, Clock clock) {
    List<Req> reqs = new ArrayList<>(appends.size());
    for (ProjectStore.Append a : appends) {
      reqs.add(new Req(a, clock));
    }
    return write(reqs);
  }

  /** What a batch is encoded against: the committed state plus its own changes, in copies. */
  private final class Draft {
    long seq = PostgresChainStore.this.seq;
    String head = PostgresChainStore.this.head;
    final Map<String, TaskState> touched = new HashMap<>();
    final Map<String, ChainEvent> keys = new HashMap<>();

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
      keyed.putAll(keys);
      PostgresChainStore.this.seq = seq;
      PostgresChainStore.this.head = head;
    }
  }

  private List<Object> write(List<Req> reqs) {
    Object[] results = new Object[reqs.size()];
    boolean[] fresh = new boolean[reqs.size()];
    lock.lock();
    try (Connection c = chains.connection()) {
      c.setAutoCommit(false);
      try {
        lockHead(c);
        catchUp(c);
        Draft draft = new Draft();
        List<Row> rows = new ArrayList<>();
        List<ProjectStore.Attachment> files = new ArrayList<>();
        for (int i = 0; i < reqs.size(); i++) {
          try {
            results[i] = encodeOne(reqs.get(i), draft, rows, files, fresh, i);
          } catch (RuntimeException e) {
            results[i] = e; // refused: nothing of it is written
          }
        }
        if (!rows.isEmpty()) {
          insert(c, rows, files, draft);
        }
        c.commit();
        draft.commit();
        for (Row row : rows) {
          remember(row.text());
        }
        copyOut(c);
      } catch (SQLException | RuntimeException e) {
        rollback(c, e);
        uncopied.clear(); // lines read before the failure are read again by the next catch-up
        mirrorSeq = -1;
        RuntimeException failure =
            e instanceof RuntimeException r
                ? r
                : new IllegalStateException(
                    "append to the chain of "
                        + projectId
                        + " in PostgreSQL failed ("
                        + e.getMessage()
                        + "); nothing of it was committed",
                    e);
        for (int i = 0; i < results.length; i++) {
          if (results[i] == null || fresh[i]) {
            results[i] = failure;
          }
        }
      }
    } catch (SQLException e) {
      RuntimeException failure = unavailable(e);
      for (int i = 0; i < results.length; i++) {
        results[i] = failure;
      }
    } finally {
      lock.unlock();
    }
    return List.of(results);
  }

  private void lockHead(Connection c) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT seq FROM aiflow_chain_project WHERE project_id = ? FOR UPDATE")) {
      ps.setString(1, projectId);
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next()) {
          throw new LogRefusedException(
              "NOT_INITIALISED", "project '" + projectId + "' is not initialised in PostgreSQL");
        }
      }
    }
  }

  private Object encodeOne(
      Req req,
      Draft draft,
      List<Row> rows,
      List<ProjectStore.Attachment> files,
      boolean[] fresh,
      int index) {
    ProjectStore.Append r = req.append();
    TaskState task = r.taskId() == null ? null : draft.peek(r.taskId());
    if (r.idempotencyKey() != null) {
      String key = indexKey(r.taskId(), r.idempotencyKey());
      ChainEvent inBatch = draft.keys.get(key);
      if (inBatch != null) {
        fresh[index] = true;
        return replayed(inBatch);
      }
      ChainEvent stored = keyed.get(key);
      if (stored != null) {
        return replayed(stored);
      }
    }
    if (r.precondition() != null) {
      r.precondition().check(task == null ? new TaskState(r.taskId()) : task);
    }
    String recordedAt = req.clock().instant().truncatedTo(ChronoUnit.MILLIS).toString();
    long taskSeq = task == null ? 1 : task.count + 1;
    Map<String, Object> envelope = new HashMap<>();
    envelope.put(EventFields.SCHEMA_VERSION, EventFields.SCHEMA);
    envelope.put(EventFields.PROJECT_ID, projectId);
    envelope.put(EventFields.SEQ, draft.seq + 1);
    envelope.put(EventFields.EVENT_TYPE, r.eventType());
    envelope.put(EventFields.RECORDED_AT, recordedAt);
    envelope.put(EventFields.PROJECT_PREV_EVENT_HASH, draft.head);
    String prev =
        r.taskId() == null ? draft.head : (task == null ? EventFields.GENESIS : task.head);
    envelope.put(EventFields.PREV_EVENT_HASH, prev);
    if (r.taskId() != null) {
      envelope.put(EventFields.TASK_ID, r.taskId());
      envelope.put(EventFields.TASK_SEQ, taskSeq);
    }
    EventEncoder.Encoded encoded =
        EventEncoder.encode(EventEncoder.scalars(envelope), r.payload(), digest);
    ChainEvent event = apply(encoded.text(), draft);
    rows.add(new Row(event, r.idempotencyKey(), encoded.text()));
    files.addAll(r.attachments());
    fresh[index] = true;
    return event;
  }

  private void insert(
      Connection c, List<Row> rows, List<ProjectStore.Attachment> files, Draft draft)
      throws SQLException {
    if (!files.isEmpty()) {
      try (PreparedStatement ps =
          c.prepareStatement(
              "INSERT INTO aiflow_chain_attachment (project_id, task_id, path, content)"
                  + " VALUES (?, ?, ?, ?) ON CONFLICT (project_id, task_id, path)"
                  + " DO UPDATE SET content = EXCLUDED.content")) {
        for (ProjectStore.Attachment a : files) {
          ps.setString(1, projectId);
          ps.setString(2, a.taskId());
          ps.setString(3, a.relativePath());
          ps.setBytes(4, a.content());
          ps.addBatch();
        }
        ps.executeBatch();
      }
    }
    try (PreparedStatement ps =
        c.prepareStatement(
            "INSERT INTO aiflow_chain_event (project_id, seq, task_id, task_seq, event_type,"
                + " event_hash, idempotency_key, line) VALUES (?, ?, ?, ?, ?, ?, ?, ?)")) {
      for (Row row : rows) {
        ChainEvent e = row.event();
        ps.setString(1, projectId);
        ps.setLong(2, e.seq());
        ps.setString(3, e.taskId());
        if (e.taskId() == null) {
          ps.setNull(4, java.sql.Types.BIGINT);
        } else {
          ps.setLong(4, e.taskSeq());
        }
        ps.setString(5, e.eventType());
        ps.setString(6, e.eventHash());
        ps.setString(7, row.idempotencyKey());
        ps.setBytes(8, row.text());
        ps.addBatch();
      }
      ps.executeBatch();
    }
    try (PreparedStatement ps =
        c.prepareStatement(
            "UPDATE aiflow_chain_project SET seq = ?, head = ? WHERE project_id = ?")) {
      ps.setLong(1, draft.seq);
      ps.setString(2, draft.head);
      ps.setString(3, projectId);
      ps.executeUpdate();
    }
  }

  // ------------------------------------------------------------------ state from the database

  /** Reads the events committed since this node last looked; they are verified as they come. */
  private void catchUp(Connection c) throws SQLException {
    Draft draft = new Draft();
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT line FROM aiflow_chain_event WHERE project_id = ? AND seq > ? ORDER BY seq")) {
      ps.setString(1, projectId);
      ps.setLong(2, seq);
      ps.setFetchSize(1000);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          byte[] line = rs.getBytes(1);
          apply(line, draft);
          remember(line);
        }
      }
    } finally {
      draft.commit(); // every row read so far is committed in the database and verified
    }
  }

  /** Checks a line against the draft and applies it there; the same rules as the file store's. */
  private ChainEvent apply(byte[] line, Draft draft) {
    long lineNo = draft.seq + 1;
    EventView e;
    try {
      e = EventReader.read(line, 0, line.length, digest);
    } catch (EventReader.MalformedEventException ex) {
      throw broken(lineNo, ex.getMessage());
    }
    if (!e.hashMatches()) {
      throw broken(lineNo, "event_hash mismatch");
    }
    if (!e.canonicalStored()) {
      throw broken(lineNo, "the event is not stored in its canonical form");
    }
    if (e.seq() != lineNo) {
      throw broken(lineNo, "seq " + e.seq() + " where " + lineNo + " was expected");
    }
    if (!draft.head.equals(e.projectPrevHash())) {
      throw broken(lineNo, "project_prev_event_hash does not match the head " + draft.head);
    }
    if (e.isTaskEvent()) {
      TaskState before = draft.peek(e.taskId());
      long count = before == null ? 0 : before.count;
      String taskHead = before == null ? EventFields.GENESIS : before.head;
      if (e.taskSeq() != count + 1 || !taskHead.equals(e.prevHash())) {
        throw broken(lineNo, "task chain of " + e.taskId() + " does not continue here");
      }
      TaskState task = draft.edit(e.taskId());
      task.count++;
      task.head = e.eventHash();
      task.mirrorBytes += line.length + 1L;
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
          // other task events do not move the R/S pointer
        }
      }
    } else if (!draft.head.equals(e.prevHash())) {
      throw broken(lineNo, "prev_event_hash of a project event must equal the project head");
    }
    ChainEvent event =
        new ChainEvent(
            e.seq(),
            e.taskId(),
            Math.max(0, e.taskSeq()),
            e.eventType(),
            e.eventHash(),
            new String(line, StandardCharsets.UTF_8),
            false);
    if (e.isTaskEvent() && e.idempotencyKey() != null) {
      draft.keys.put(indexKey(e.taskId(), e.idempotencyKey()), event);
    }
    draft.seq = e.seq();
    draft.head = e.eventHash();
    return event;
  }

  private LogRefusedException broken(long seq, String why) {
    return new LogRefusedException(
        "CHAIN_BROKEN",
        "the chain of "
            + projectId
            + " in PostgreSQL, event "
            + seq
            + ": "
            + why
            + "; nothing was appended (export it and run `aiflow log verify`)");
  }

  private static String indexKey(String taskId, String key) {
    return (taskId == null ? "" : taskId) + '\u0000' + key;
  }

  private static ChainEvent replayed(ChainEvent e) {
    return new ChainEvent(
        e.seq(), e.taskId(), e.taskSeq(), e.eventType(), e.eventHash(), e.json(), true);
  }

  // ------------------------------------------------------------------ reading

  private interface Read<T> {
    T run(Connection c) throws SQLException;
  }

  /** Runs the read on the current chain: what other nodes committed is read first. */
  private <T> T current(Read<T> read) {
    lock.lock();
    try (Connection c = chains.connection()) {
      c.setAutoCommit(false); // a cursor (fetch size) needs a transaction
      try {
        catchUp(c);
        T out = read.run(c);
        c.commit();
        copyOut(c);
        return out;
      } catch (SQLException | RuntimeException e) {
        rollback(c, e);
        throw e;
      }
    } catch (SQLException e) {
      throw unavailable(e);
    } finally {
      lock.unlock();
    }
  }

  // ------------------------------------------------------------------ the node's copy

  private void remember(byte[] line) {
    if (mirrorRoot == null) {
      return;
    }
    try {
      EventView v = EventReader.read(line, 0, line.length, digest);
      uncopied.add(new Line(v.seq(), v.taskId(), line, v.contentRef()));
    } catch (EventReader.MalformedEventException e) {
      throw broken(seq, e.getMessage()); // apply() read it first: cannot happen
    }
  }

  /**
   * Brings this node's copy of the chain in the file layout ({@code <mirror root>/<project>}) up to
   * what this store has read or written: the readers that work on files (signed checkpoints,
   * reconciliation, Cockpit's audit view) see the one chain of the database. The copy is a cache,
   * never the record: it is not fsync'd, and a copy that does not match the database (another
   * database, a gap after a failure) is written out again from it. A failure here never fails an
   * append, which is committed already.
   */
  private void copyOut(Connection c) {
    if (mirrorRoot == null) {
      return;
    }
    ProjectLayout layout = new ProjectLayout(mirrorRoot, projectId);
    try {
      if (mirrorSeq < 0) {
        mirrorSeq = checkCopy(c, layout);
      }
      for (Line line : uncopied) {
        if (line.seq() <= mirrorSeq) {
          continue;
        }
        if (line.seq() != mirrorSeq + 1) {
          mirrorSeq = rewriteCopy(layout); // a gap: write it out afresh
          continue;
        }
        appendTo(layout.events(), line.bytes());
        if (line.taskId() != null) {
          if (line.contentRef() != null) {
            Path target = layout.taskDir(line.taskId()).resolve(line.contentRef().path());
            if (!java.nio.file.Files.exists(target)) {
              byte[] content =
                  chains.attachment(c, projectId, line.taskId(), line.contentRef().path());
              if (content != null) {
                java.nio.file.Files.createDirectories(target.getParent());
                java.nio.file.Files.write(target, content);
              }
            }
          }
          appendTo(layout.taskEvents(line.taskId()), line.bytes());
        }
        mirrorSeq = line.seq();
      }
    } catch (IOException | SQLException | RuntimeException e) {
      mirrorSeq = -1;
      notes.add("the local copy of " + projectId + " could not be updated: " + e.getMessage());
    } finally {
      uncopied.clear();
    }
  }

  /** The number of events the copy holds, once it is known to match the database. */
  private long checkCopy(Connection c, ProjectLayout layout) throws IOException, SQLException {
    if (!java.nio.file.Files.isRegularFile(layout.manifest())
        || !java.nio.file.Files.isRegularFile(layout.events())) {
      return rewriteCopy(layout);
    }
    List<ChainEvent> copied = WorkflowLogger.readProjectEvents(mirrorRoot, projectId);
    long n = copied.size();
    String stored = n == 0 ? null : chains.hashAt(c, projectId, n);
    // once per node and project: the copy must verify and end where the database has that event
    if (n == 0
        || stored == null
        || !WorkflowLogger.verify(mirrorRoot, projectId, null, stored).ok()) {
      return rewriteCopy(layout);
    }
    return n;
  }

  private long rewriteCopy(ProjectLayout layout) throws IOException {
    PostgresChains.deleteTree(layout.dir);
    chains.materialize(projectId, mirrorRoot);
    return WorkflowLogger.readProjectEvents(mirrorRoot, projectId).size();
  }

  private static void appendTo(Path file, byte[] line) throws IOException {
    java.nio.file.Files.createDirectories(file.getParent());
    byte[] withNewline = java.util.Arrays.copyOf(line, line.length + 1);
    withNewline[line.length] = '\n';
    java.nio.file.Files.write(
        file,
        withNewline,
        java.nio.file.StandardOpenOption.CREATE,
        java.nio.file.StandardOpenOption.APPEND);
  }

  @Override
  public TaskSnapshot snapshot(String taskId) {
    return current(
        c -> {
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

  @Override
  public List<ChainEvent> taskEvents(String taskId) {
    return current(
        c -> {
          List<ChainEvent> out = new ArrayList<>();
          try (PreparedStatement ps =
              c.prepareStatement(
                  "SELECT seq, task_seq, event_type, event_hash, line FROM aiflow_chain_event"
                      + " WHERE project_id = ? AND task_id = ? ORDER BY seq")) {
            ps.setString(1, projectId);
            ps.setString(2, taskId);
            try (ResultSet rs = ps.executeQuery()) {
              while (rs.next()) {
                out.add(
                    new ChainEvent(
                        rs.getLong(1),
                        taskId,
                        rs.getLong(2),
                        rs.getString(3),
                        rs.getString(4),
                        new String(rs.getBytes(5), StandardCharsets.UTF_8),
                        false));
              }
            }
          }
          return out;
        });
  }

  @Override
  public List<String> taskIds() {
    return current(c -> List.copyOf(tasks.keySet()));
  }

  @Override
  public String head() {
    return current(c -> head);
  }

  @Override
  public List<String> drainRepairs() {
    // a transaction is whole or absent: nothing to repair; only notes about the local copy
    lock.lock();
    try {
      List<String> out = List.copyOf(notes);
      notes.clear();
      return out;
    } finally {
      lock.unlock();
    }
  }

  @Override
  public void renderTaskLog(String taskId) {
    // task_log.md is rendered when the project is written out as files (export, verify)
  }

  @Override
  public VerificationReport verify(String taskId, String expectedHead) {
    return chains.inFiles(
        projectId, root -> WorkflowLogger.verify(root, projectId, taskId, expectedHead));
  }

  @Override
  public ExportResult export(Path archive, Clock clock, ExportExtras extras) {
    return chains.inFiles(
        projectId,
        root -> {
          try (WorkflowLogger files =
              WorkflowLogger.open(root, projectId, LoggerOptions.defaults().withClock(clock))) {
            return extras == null ? files.export(archive) : files.export(archive, extras);
          }
        });
  }

  @Override
  public void release() {
    // connections come from the pool per call; the cached state stays with PostgresChains
  }

  private static void rollback(Connection c, Exception cause) {
    try {
      c.rollback();
    } catch (SQLException e) {
      cause.addSuppressed(e);
    }
  }

  private RuntimeException unavailable(SQLException e) {
    return new UncheckedIOException(
        "the chain of "
            + projectId
            + " in PostgreSQL is not reachable ("
            + e.getMessage()
            + "); nothing was appended",
        new IOException(e));
  }
}
