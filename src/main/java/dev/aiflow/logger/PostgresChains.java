package dev.aiflow.logger;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.stream.Stream;
import javax.sql.DataSource;

/**
 * Project chains kept in PostgreSQL (cluster mode, {@code aiflow.store=postgres}): the same events,
 * byte for byte, as the file store writes, in three tables ({@code aiflow_chain_project}: one head
 * row per project, the row every append locks; {@code aiflow_chain_event}: the lines; {@code
 * aiflow_chain_attachment}: code content over the inline limit). A logger opened here behaves as
 * one opened on a folder (docs/chain-format.md, "Stores"); {@link #materialize} writes a project
 * out in the file layout, which is how it is verified and exported.
 */
public final class PostgresChains {

  /** The advisory lock that serialises creating the tables ("aiflow" 2). */
  static final long SCHEMA_LOCK = 0x6169666c6f7702L;

  private final DataSource dataSource;
  private final Path mirrorRoot;
  private final ConcurrentHashMap<String, PostgresChainStore> stores = new ConcurrentHashMap<>();

  /** Creates the tables when they are missing (nodes starting together take turns). */
  public PostgresChains(DataSource dataSource) {
    this(dataSource, null);
  }

  /**
   * As {@link #PostgresChains(DataSource)}, keeping this node's copy of every chain it opens in the
   * file layout under {@code mirrorRoot} (a cache for the readers that work on files; the database
   * is the record).
   */
  public PostgresChains(DataSource dataSource, Path mirrorRoot) {
    this.dataSource = dataSource;
    this.mirrorRoot = mirrorRoot;
    createSchema();
  }

  Connection connection() throws SQLException {
    return dataSource.getConnection();
  }

  private void createSchema() {
    try (Connection c = connection()) {
      c.setAutoCommit(false);
      try (Statement s = c.createStatement()) {
        s.execute("SELECT pg_advisory_xact_lock(" + SCHEMA_LOCK + ")");
        s.execute(
            "CREATE TABLE IF NOT EXISTS aiflow_chain_project ("
                + " project_id varchar(128) PRIMARY KEY,"
                + " seq bigint NOT NULL,"
                + " head char(64) NOT NULL,"
                + " project_manifest bytea NOT NULL,"
                + " schema_version bytea NOT NULL)");
        s.execute(
            "CREATE TABLE IF NOT EXISTS aiflow_chain_event ("
                + " project_id varchar(128) NOT NULL REFERENCES aiflow_chain_project,"
                + " seq bigint NOT NULL,"
                + " task_id varchar(128),"
                + " task_seq bigint,"
                + " event_type varchar(64) NOT NULL,"
                + " event_hash char(64) NOT NULL,"
                + " idempotency_key text,"
                + " line bytea NOT NULL,"
                + " PRIMARY KEY (project_id, seq))");
        // one task chain per task: no two events may take the same place in it
        s.execute(
            "CREATE UNIQUE INDEX IF NOT EXISTS aiflow_chain_event_task"
                + " ON aiflow_chain_event (project_id, task_id, task_seq)"
                + " WHERE task_id IS NOT NULL");
        s.execute(
            "CREATE TABLE IF NOT EXISTS aiflow_chain_attachment ("
                + " project_id varchar(128) NOT NULL REFERENCES aiflow_chain_project,"
                + " task_id varchar(128) NOT NULL,"
                + " path varchar(1024) NOT NULL,"
                + " content bytea NOT NULL,"
                + " PRIMARY KEY (project_id, task_id, path))");
      }
      c.commit();
    } catch (SQLException e) {
      throw new IllegalStateException(
          "cannot create the chain tables in PostgreSQL: " + e.getMessage(), e);
    }
  }

  // ------------------------------------------------------------------ projects

  /**
   * Creates the project with its first event ({@code project_initialized}), as {@link
   * WorkflowLogger#init} does in a folder. False when it existed (nothing is written); two nodes
   * initialising at once create it once.
   */
  public boolean init(String projectId, LoggerOptions options) {
    ProjectLayout.checkId("project id", projectId);
    String now = options.clock().instant().truncatedTo(ChronoUnit.MILLIS).toString();
    try {
      ObjectNode schema = CanonicalJson.STRICT_MAPPER.createObjectNode();
      schema.put("schema_version", EventFields.SCHEMA);
      schema.put("hash_algorithm", "SHA-256");
      schema.put("canonicalization", "RFC 8785");
      schema.put("genesis", EventFields.GENESIS);
      ObjectNode first = CanonicalJson.STRICT_MAPPER.createObjectNode();
      first.put(EventFields.SCHEMA_VERSION, EventFields.SCHEMA);
      first.put(EventFields.PROJECT_ID, projectId);
      first.put(EventFields.SEQ, 1);
      first.put(EventFields.EVENT_TYPE, EventFields.TYPE_PROJECT_INITIALIZED);
      first.put(EventFields.RECORDED_AT, now);
      first.put(EventFields.PROJECT_PREV_EVENT_HASH, EventFields.GENESIS);
      first.put(EventFields.PREV_EVENT_HASH, EventFields.GENESIS);
      EventEncoder.Encoded encoded = ProjectStore.encode(first, DurableFiles.sha256());
      ObjectNode manifest = CanonicalJson.STRICT_MAPPER.createObjectNode();
      manifest.put("format", "aiflow-workflow-log");
      manifest.put("project_id", projectId);
      manifest.put("created_at", now);
      manifest.putArray("lineage");
      try (Connection c = connection()) {
        c.setAutoCommit(false);
        try {
          int created;
          try (PreparedStatement ps =
              c.prepareStatement(
                  "INSERT INTO aiflow_chain_project (project_id, seq, head, project_manifest,"
                      + " schema_version) VALUES (?, 1, ?, ?, ?) ON CONFLICT DO NOTHING")) {
            ps.setString(1, projectId);
            ps.setString(2, encoded.hash());
            ps.setBytes(3, pretty(manifest));
            ps.setBytes(4, pretty(schema));
            created = ps.executeUpdate();
          }
          if (created == 1) {
            try (PreparedStatement ps =
                c.prepareStatement(
                    "INSERT INTO aiflow_chain_event (project_id, seq, event_type, event_hash, line)"
                        + " VALUES (?, 1, ?, ?, ?)")) {
              ps.setString(1, projectId);
              ps.setString(2, EventFields.TYPE_PROJECT_INITIALIZED);
              ps.setString(3, encoded.hash());
              ps.setBytes(4, encoded.text());
              ps.executeUpdate();
            }
          }
          c.commit();
          return created == 1;
        } catch (SQLException | RuntimeException e) {
          c.rollback();
          throw e;
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (SQLException e) {
      throw new IllegalStateException(
          "cannot initialise project " + projectId + " in PostgreSQL: " + e.getMessage(), e);
    }
  }

  public boolean exists(String projectId) {
    try (Connection c = connection();
        PreparedStatement ps =
            c.prepareStatement("SELECT 1 FROM aiflow_chain_project WHERE project_id = ?")) {
      ps.setString(1, projectId);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next();
      }
    } catch (SQLException e) {
      throw new IllegalStateException("cannot read the chain tables: " + e.getMessage(), e);
    }
  }

  public List<String> projectIds() {
    List<String> ids = new ArrayList<>();
    try (Connection c = connection();
        PreparedStatement ps =
            c.prepareStatement("SELECT project_id FROM aiflow_chain_project ORDER BY project_id");
        ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        ids.add(rs.getString(1));
      }
      return ids;
    } catch (SQLException e) {
      throw new IllegalStateException("cannot read the chain tables: " + e.getMessage(), e);
    }
  }

  /** A logger on an initialised project (refused with {@code NOT_INITIALISED} otherwise). */
  public WorkflowLogger open(String projectId, LoggerOptions options) {
    ProjectLayout.checkId("project id", projectId);
    if (!exists(projectId)) {
      throw new LogRefusedException(
          "NOT_INITIALISED", "project '" + projectId + "' is not initialised in PostgreSQL");
    }
    PostgresChainStore store =
        stores.computeIfAbsent(projectId, id -> new PostgresChainStore(this, id, mirrorRoot));
    store.head(); // reads the chain, and writes this node's copy out
    return new WorkflowLogger(store, options);
  }

  public WorkflowLogger openOrInit(String projectId, LoggerOptions options) {
    init(projectId, options);
    return open(projectId, options);
  }

  /** Every event of the project chain, in order, as read now. */
  public List<ChainEvent> readProjectEvents(String projectId) {
    return readProjectEvents(projectId, false);
  }

  /**
   * As {@link #readProjectEvents(String)}; with {@code recomputed}, each event's hash is the
   * SHA-256 of its stored bytes, not the hash the row states (reconciliation compares it with the
   * anchors in the engine's history, so a rewritten row whose stated hash was kept matches
   * nothing).
   */
  public List<ChainEvent> readProjectEvents(String projectId, boolean recomputed) {
    java.security.MessageDigest digest = DurableFiles.sha256();
    List<ChainEvent> out = new ArrayList<>();
    try (Connection c = connection()) {
      c.setAutoCommit(false);
      try (PreparedStatement ps =
          c.prepareStatement(
              "SELECT seq, task_id, task_seq, event_type, event_hash, line"
                  + " FROM aiflow_chain_event WHERE project_id = ? ORDER BY seq")) {
        ps.setString(1, projectId);
        ps.setFetchSize(1000);
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            byte[] line = rs.getBytes(6);
            String hash = rs.getString(5);
            if (recomputed) {
              try {
                hash = EventReader.read(line, 0, line.length, digest).computedHash();
              } catch (EventReader.MalformedEventException e) {
                continue; // as in the file reader: verification names it
              }
            }
            out.add(
                new ChainEvent(
                    rs.getLong(1),
                    rs.getString(2),
                    rs.getLong(3),
                    rs.getString(4),
                    hash,
                    new String(line, StandardCharsets.UTF_8),
                    false));
          }
        }
      } finally {
        c.rollback();
      }
    } catch (SQLException e) {
      throw new IllegalStateException(
          "cannot read the chain of " + projectId + ": " + e.getMessage(), e);
    }
    return out;
  }

  // ------------------------------------------------------------------ the file layout

  /**
   * Writes the project out under {@code root/<projectId>} in the file store's layout, from one
   * snapshot of the database: both manifests, {@code events.jsonl} line by line, the attachments,
   * then the task chains and {@code task_log.md} (completed from the project chain by opening it as
   * a file project). {@code aiflow log verify}, {@code export} and {@code verify-bundle} then work
   * on it unchanged. The folder must not exist.
   */
  public Path materialize(String projectId, Path root) {
    ProjectLayout layout = new ProjectLayout(root, projectId);
    if (Files.exists(layout.dir)) {
      throw new IllegalArgumentException(layout.dir + " exists already");
    }
    try (Connection c = connection()) {
      c.setAutoCommit(false);
      c.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ); // one snapshot
      try {
        Files.createDirectories(layout.dir.resolve(ProjectLayout.TASKS));
        try (PreparedStatement ps =
            c.prepareStatement(
                "SELECT project_manifest, schema_version FROM aiflow_chain_project"
                    + " WHERE project_id = ?")) {
          ps.setString(1, projectId);
          try (ResultSet rs = ps.executeQuery()) {
            if (!rs.next()) {
              throw new LogRefusedException(
                  "NOT_INITIALISED",
                  "project '" + projectId + "' is not initialised in PostgreSQL");
            }
            DurableFiles.writeAtomically(layout.schemaVersion(), rs.getBytes(2));
            DurableFiles.writeAtomically(layout.manifest(), rs.getBytes(1));
          }
        }
        try (PreparedStatement ps =
                c.prepareStatement(
                    "SELECT line FROM aiflow_chain_event WHERE project_id = ? ORDER BY seq");
            OutputStream out =
                Files.newOutputStream(
                    layout.events(), StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
          ps.setString(1, projectId);
          ps.setFetchSize(1000);
          try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
              out.write(rs.getBytes(1));
              out.write('\n');
            }
          }
        }
        try (PreparedStatement ps =
            c.prepareStatement(
                "SELECT task_id, path, content FROM aiflow_chain_attachment WHERE project_id = ?")) {
          ps.setString(1, projectId);
          try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
              Path target = layout.taskDir(rs.getString(1)).resolve(rs.getString(2)).normalize();
              if (!target.startsWith(layout.taskDir(rs.getString(1)))) {
                throw new IllegalStateException("an attachment path leaves its task folder");
              }
              Files.createDirectories(target.getParent());
              Files.write(target, rs.getBytes(3));
            }
          }
        }
      } finally {
        c.rollback();
      }
    } catch (SQLException e) {
      throw new IllegalStateException(
          "cannot read the chain of " + projectId + " from PostgreSQL: " + e.getMessage(), e);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + layout.dir + ": " + e.getMessage(), e);
    }
    // opening as a file project writes the task chains and their task_log.md from events.jsonl
    try (WorkflowLogger files = WorkflowLogger.open(root, projectId)) {
      files.repairs();
    }
    return layout.dir;
  }

  /** Runs {@code action} on the project written out in a temporary folder, then removes it. */
  <T> T inFiles(String projectId, Function<Path, T> action) {
    Path root;
    try {
      root = Files.createTempDirectory("aiflow-chain-");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    try {
      materialize(projectId, root);
      return action.apply(root);
    } finally {
      deleteTree(root);
    }
  }

  /** The stored hash of event {@code seq}, or null. */
  String hashAt(Connection c, String projectId, long seq) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT event_hash FROM aiflow_chain_event WHERE project_id = ? AND seq = ?")) {
      ps.setString(1, projectId);
      ps.setLong(2, seq);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? rs.getString(1) : null;
      }
    }
  }

  /** An attachment's content, or null. */
  byte[] attachment(Connection c, String projectId, String taskId, String path)
      throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT content FROM aiflow_chain_attachment WHERE project_id = ? AND task_id = ?"
                + " AND path = ?")) {
      ps.setString(1, projectId);
      ps.setString(2, taskId);
      ps.setString(3, path);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? rs.getBytes(1) : null;
      }
    }
  }

  static void deleteTree(Path root) {
    if (!Files.exists(root)) {
      return;
    }
    try (Stream<Path> all = Files.walk(root)) {
      for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    } catch (IOException e) {
      // a temporary folder; the system cleans it
    }
  }

  private static byte[] pretty(ObjectNode node) throws IOException {
    return CanonicalJson.STRICT_MAPPER.writerWithDefaultPrettyPrinter().writeValueAsBytes(node);
  }
}
