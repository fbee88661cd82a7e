package dev.aiflow.files;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import javax.sql.DataSource;

/**
 * The shared files of a cluster in PostgreSQL ({@code aiflow_shared_file}: one row per file, its
 * bytes and a version from a sequence). The database is the record; each node keeps copies at the
 * files' usual places. A locked section takes a transaction-scoped advisory lock of its file's key,
 * pulls what changed, runs, and upserts (or deletes) what it wrote, in the one transaction, so two
 * nodes take turns on a file exactly as two processes do on one machine.
 *
 * <p>A file under the node's data directory is keyed by its path relative to it ({@code
 * data:projects/p/progress/task_queue.json}), so nodes with data directories of their own share it;
 * any other file by its absolute path ({@code file:/srv/queues/task_queue.json}). The data
 * directory's {@code secrets/} are never shared, and a key that is not a normalized path is
 * ignored.
 */
public final class PostgresSharedFiles implements SharedFiles.Replica {

  /** The advisory lock that serialises creating the table ("aiflow" 3). */
  private static final long SCHEMA_LOCK = 0x6169666c6f770003L;

  private final DataSource dataSource;
  private final Path dataDir;
  private final Map<String, Long> known = new ConcurrentHashMap<>();

  public PostgresSharedFiles(DataSource dataSource, Path dataDir) {
    this.dataSource = dataSource;
    this.dataDir = dataDir.toAbsolutePath().normalize();
    createSchema();
  }

  private void createSchema() {
    try (Connection c = dataSource.getConnection()) {
      c.setAutoCommit(false);
      try (Statement s = c.createStatement()) {
        s.execute("SELECT pg_advisory_xact_lock(" + SCHEMA_LOCK + ")");
        s.execute(
            "CREATE TABLE IF NOT EXISTS aiflow_shared_file ("
                + " file_key varchar(2048) PRIMARY KEY,"
                + " content bytea NOT NULL,"
                + " version bigint NOT NULL)");
        s.execute("CREATE SEQUENCE IF NOT EXISTS aiflow_shared_file_version");
      }
      c.commit();
    } catch (SQLException e) {
      throw new IllegalStateException(
          "cannot create the shared-file table in PostgreSQL: " + e.getMessage(), e);
    }
  }

  @Override
  public <T> T locked(Path target, SharedFiles.Section<T> work) {
    String key = key(target);
    if (key == null) {
      return work.run(new LinkedHashSet<>()); // not a shared file (a secret): the local lock only
    }
    Set<Path> written = new LinkedHashSet<>();
    try (Connection c = dataSource.getConnection()) {
      c.setAutoCommit(false);
      try {
        try (PreparedStatement ps = c.prepareStatement("SELECT pg_advisory_xact_lock(?)")) {
          ps.setLong(1, lockOf(key));
          ps.execute();
        }
        pull(c);
        Map<String, Long> published = new HashMap<>(adopt(c, key, target));
        T result = work.run(written);
        published.putAll(publish(c, written));
        c.commit();
        published.forEach(
            (k, v) -> {
              if (v == null) {
                known.remove(k);
              } else {
                known.put(k, v);
              }
            });
        return result;
      } catch (RuntimeException | SQLException e) {
        c.rollback();
        // what the work wrote here is not the record: the next pull takes the record's copy
        for (Path p : written) {
          String k = key(p);
          if (k != null) {
            known.remove(k);
          }
        }
        throw e;
      }
    } catch (SQLException e) {
      throw new IllegalStateException(
          "the shared file " + target + " could not be updated in PostgreSQL: " + e.getMessage(),
          e);
    }
  }

  @Override
  public void pull() {
    try (Connection c = dataSource.getConnection()) {
      c.setAutoCommit(true);
      pull(c);
    } catch (SQLException e) {
      throw new IllegalStateException(
          "the shared files could not be read from PostgreSQL: " + e.getMessage(), e);
    }
  }

  /** Copies every file whose version differs from the one this node holds; drops deleted ones. */
  private void pull(Connection c) throws SQLException {
    Map<String, Long> versions = new HashMap<>();
    try (PreparedStatement ps =
            c.prepareStatement("SELECT file_key, version FROM aiflow_shared_file");
        ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        versions.put(rs.getString(1), rs.getLong(2));
      }
    }
    List<String> changed = new ArrayList<>();
    versions.forEach(
        (k, v) -> {
          if (!v.equals(known.get(k))) {
            changed.add(k);
          }
        });
    for (String gone : new ArrayList<>(known.keySet())) {
      if (!versions.containsKey(gone)) {
        Path p = path(gone);
        try {
          if (p != null) {
            Files.deleteIfExists(p);
          }
        } catch (IOException e) {
          throw new UncheckedIOException("cannot delete " + p + ": " + e.getMessage(), e);
        }
        known.remove(gone);
      }
    }
    if (changed.isEmpty()) {
      return;
    }
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT file_key, content, version FROM aiflow_shared_file WHERE file_key = ANY(?)")) {
      ps.setArray(1, c.createArrayOf("varchar", changed.toArray()));
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          String k = rs.getString(1);
          Path p = path(k);
          if (p != null) {
            // a copy of the record: atomic for readers, no fsync (the database is durable)
            AtomicFile.replace(p, rs.getBytes(2));
          }
          known.put(k, rs.getLong(3));
        }
      }
    }
  }

  /** A file that exists here but not yet in the record (a queue a user wrote) joins it. */
  private Map<String, Long> adopt(Connection c, String key, Path target) throws SQLException {
    if (known.containsKey(key) || !Files.isRegularFile(target)) {
      return Map.of();
    }
    return publish(c, Set.of(target.toAbsolutePath().normalize()));
  }

  /** Upserts each written file, deletes the rows of written files that no longer exist. */
  private Map<String, Long> publish(Connection c, Set<Path> written) throws SQLException {
    Map<String, Long> out = new HashMap<>();
    for (Path p : written) {
      String k = key(p);
      if (k == null) {
        continue;
      }
      if (!Files.isRegularFile(p)) {
        try (PreparedStatement ps =
            c.prepareStatement("DELETE FROM aiflow_shared_file WHERE file_key = ?")) {
          ps.setString(1, k);
          ps.executeUpdate();
        }
        out.put(k, null);
        continue;
      }
      byte[] content;
      try {
        content = Files.readAllBytes(p);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read " + p + ": " + e.getMessage(), e);
      }
      try (PreparedStatement ps =
          c.prepareStatement(
              "INSERT INTO aiflow_shared_file (file_key, content, version)"
                  + " VALUES (?, ?, nextval('aiflow_shared_file_version'))"
                  + " ON CONFLICT (file_key) DO UPDATE"
                  + " SET content = EXCLUDED.content, version = EXCLUDED.version"
                  + " RETURNING version")) {
        ps.setString(1, k);
        ps.setBytes(2, content);
        try (ResultSet rs = ps.executeQuery()) {
          rs.next();
          out.put(k, rs.getLong(1));
        }
      }
    }
    return out;
  }

  /** The file's key, or null for a file that is never shared. */
  String key(Path file) {
    Path abs = file.toAbsolutePath().normalize();
    if (abs.startsWith(dataDir)) {
      Path rel = dataDir.relativize(abs);
      if (rel.getNameCount() == 0 || rel.getName(0).toString().equals("secrets")) {
        return null;
      }
      return "data:" + rel.toString().replace('\\', '/');
    }
    return "file:" + abs;
  }

  /** Where this node keeps the copy of a key's file, or null for a key it refuses. */
  Path path(String key) {
    if (key.startsWith("data:")) {
      String rel = key.substring(5);
      Path p = dataDir.resolve(rel).normalize();
      if (rel.isEmpty() || rel.startsWith("/") || !p.startsWith(dataDir) || key(p) == null) {
        return null;
      }
      return p;
    }
    if (key.startsWith("file:")) {
      Path p = Path.of(key.substring(5));
      if (!p.isAbsolute() || !p.equals(p.normalize()) || key(p) == null || !key(p).equals(key)) {
        return null;
      }
      return p;
    }
    return null;
  }

  private static long lockOf(String key) {
    try {
      byte[] h = MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
      return ByteBuffer.wrap(h, 0, 8).getLong();
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
