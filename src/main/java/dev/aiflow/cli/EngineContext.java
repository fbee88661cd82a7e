package dev.aiflow.cli;

import dev.aiflow.AiflowApplication;
import java.nio.file.Path;
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
          throw new CliException(
              ExitCodes.USAGE,
              "the data directory "
                  + dataDir.toAbsolutePath()
                  + " is in use by another aiflow process (a running server?): stop it, or"
                  + " use its REST API");
        }
      }
      throw e;
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
