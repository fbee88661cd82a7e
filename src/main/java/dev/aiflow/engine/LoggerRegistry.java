package dev.aiflow.engine;

import dev.aiflow.config.AiflowProperties;
import dev.aiflow.files.PostgresSharedFiles;
import dev.aiflow.files.SharedFiles;
import dev.aiflow.logger.ChainEvent;
import dev.aiflow.logger.LoggerOptions;
import dev.aiflow.logger.PostgresChains;
import dev.aiflow.logger.WorkflowLogger;
import jakarta.annotation.PreDestroy;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import javax.sql.DataSource;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

/**
 * One open workflow logger per project, closed on shutdown. Where the chains live is {@code
 * aiflow.store}: {@code files} (the default) under {@code <data-dir>/workflow}, one node; {@code
 * postgres} in the application's PostgreSQL database ({@link PostgresChains}), so that every node
 * of a cluster appends to one linear chain per project (docs/operations.md, "One chain per project
 * across nodes").
 */
@Component
public class LoggerRegistry {

  private final Path root;
  private final PostgresChains postgres;
  private PostgresSharedFiles shared;
  private final ConcurrentHashMap<String, WorkflowLogger> open = new ConcurrentHashMap<>();

  public LoggerRegistry(
      AiflowProperties properties,
      ObjectProvider<DataSource> dataSource,
      @Value("${aiflow.store:files}") String store) {
    this.root = properties.workflowRoot();
    String kind = store == null ? "files" : store.trim().toLowerCase(Locale.ROOT);
    switch (kind) {
      case "files" -> this.postgres = null;
      case "postgres" -> {
        DataSource ds = dataSource.getIfAvailable();
        if (ds == null) {
          throw new IllegalStateException("aiflow.store=postgres needs a datasource");
        }
        // the node's copy in <data-dir>/workflow keeps the file readers (signed checkpoints,
        // reconciliation, Cockpit) on the one chain of the database
        this.postgres = new PostgresChains(ds, root);
        // the queue, scoreboard, freeze files, session log and checkpoint log: in the database
        // too, each node keeping its copies where the files always are (docs/operations.md)
        this.shared = new PostgresSharedFiles(ds, properties.dataDir());
        SharedFiles.use(shared);
      }
      default ->
          throw new IllegalStateException(
              "aiflow.store must be files or postgres, not '" + store + "'");
    }
  }

  public WorkflowLogger logger(String projectId) {
    return open.computeIfAbsent(
        projectId,
        id ->
            postgres != null
                ? postgres.openOrInit(id, LoggerOptions.defaults())
                : WorkflowLogger.openOrInit(root, id, LoggerOptions.defaults()));
  }

  /** The file store's folder (also where a PostgreSQL store's exports are written out). */
  public Path root() {
    return root;
  }

  /** The PostgreSQL store, when {@code aiflow.store=postgres}. */
  public Optional<PostgresChains> postgres() {
    return Optional.ofNullable(postgres);
  }

  /** Whether the project has a chain in this node's store. */
  public boolean exists(String projectId) {
    return postgres != null ? postgres.exists(projectId) : WorkflowLogger.exists(root, projectId);
  }

  /**
   * Brings this node's copy of a PostgreSQL chain up to date (the file readers then see what other
   * nodes appended); nothing to do for the file store.
   */
  public void refresh(String projectId) {
    if (postgres != null && postgres.exists(projectId)) {
      logger(projectId).head();
    }
  }

  /** Every event of the project chain, read-only, from this node's store. */
  public List<ChainEvent> readProjectEvents(String projectId) {
    return readProjectEvents(projectId, false);
  }

  /**
   * As {@link #readProjectEvents(String)}; with {@code recomputed} each event's hash is recomputed
   * from its bytes (from the database itself in cluster mode, never from this node's file copy).
   */
  public List<ChainEvent> readProjectEvents(String projectId, boolean recomputed) {
    return postgres != null
        ? postgres.readProjectEvents(projectId, recomputed)
        : WorkflowLogger.readProjectEvents(root, projectId, recomputed);
  }

  @PreDestroy
  void closeAll() {
    if (shared != null) {
      SharedFiles.useLocal(shared);
    }
    open.values().forEach(WorkflowLogger::close);
    open.clear();
  }
}
