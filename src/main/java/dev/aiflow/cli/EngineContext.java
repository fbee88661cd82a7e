package dev.aiflow.cli;

import dev.aiflow.AiflowApplication;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.Map;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The engine, without a web server, on a data directory: the same database as the server, so what a
 * CLI command runs is in Cockpit's history when the server starts.
 */
final class EngineContext implements AutoCloseable {

  private final ConfigurableApplicationContext context;

  private EngineContext(ConfigurableApplicationContext context) {
    this.context = context;
  }

  /**
   * The data directory a command uses ({@code --data-dir}, else {@code $AIFLOW_DATA_DIR}, else
   * {@code ./data}), created or tightened to owner-only before anything is written into it.
   */
  static Path dataDir(Path option) {
    return dev.aiflow.config.DataDirectoryPreparer.prepare(
        option != null ? option : defaultDataDir());
  }

  static Path defaultDataDir() {
    String env = System.getenv("AIFLOW_DATA_DIR");
    return Path.of(env != null && !env.isBlank() ? env : "data");
  }

  static EngineContext start(Path dataDir, Map<String, String> settings) {
    if (!settings.containsKey("spring.datasource.url") && heldByAnotherProcess(dataDir)) {
      throw inUse(dataDir);
    }
    Map<String, Object> properties = new HashMap<>();
    properties.put("aiflow.data-dir", dataDir.toAbsolutePath().toString());
    properties.put("spring.main.banner-mode", "off");
    properties.put("logging.level.root", "WARN");
    properties.put("logging.level.org.camunda", "WARN");
    // the command line's user names their own files: the engine they run may use any folder
    // they can reach, but never the data directory's private files (docs/security.md)
    properties.putAll(settings);
    properties.put("aiflow.restrict-paths", "false");
    // as command-line arguments: they must outrank application.yaml and the environment
    String[] args =
        properties.entrySet().stream()
            .map(e -> "--" + e.getKey() + "=" + e.getValue())
            .toArray(String[]::new);
    try {
      return new EngineContext(
          new SpringApplicationBuilder(AiflowApplication.class)
              .profiles("engine")
              .logStartupInfo(false)
              .run(args));
    } catch (RuntimeException e) {
      for (Throwable t = e; t != null; t = t.getCause()) {
        String m = String.valueOf(t.getMessage());
        if (m.contains("Database may be already in use") || m.contains("file is locked")) {
          throw inUse(dataDir);
        }
      }
      throw e;
    }
  }

  private static CliException inUse(Path dataDir) {
    return new CliException(
        ExitCodes.USAGE,
        "the data directory "
            + dataDir.toAbsolutePath()
            + " is in use by another aiflow process (a running server?): stop it, or"
            + " use its REST API");
  }

  /**
   * Whether another process holds the data directory's H2 database (the default engine database,
   * {@code <data-dir>/h2/aiflow}): H2 keeps an OS file lock on it while it is open. Asked before
   * Spring starts, so a command refuses in one line, without a start-up failure's log and without
   * touching anything. The lock is only tried, never kept. PostgreSQL (a URL in the settings or the
   * environment) has no such lock: several nodes share it by design.
   */
  static boolean heldByAnotherProcess(Path dataDir) {
    if (System.getenv("AIFLOW_DB_URL") != null || System.getenv("SPRING_DATASOURCE_URL") != null) {
      return false;
    }
    Path file = dataDir.resolve("h2").resolve("aiflow.mv.db");
    if (!Files.isRegularFile(file)) {
      return false;
    }
    try (FileChannel channel =
        FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
      FileLock lock = channel.tryLock();
      if (lock == null) {
        return true;
      }
      lock.release();
      return false;
    } catch (OverlappingFileLockException e) {
      return false; // this JVM holds it: H2 shares an open database within one process
    } catch (IOException e) {
      return false; // cannot tell: the engine's own start says what is wrong
    }
  }

  <T> T bean(Class<T> type) {
    return context.getBean(type);
  }

  @Override
  public void close() {
    context.close();
  }
}
