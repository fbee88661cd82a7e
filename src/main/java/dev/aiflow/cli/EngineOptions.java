package dev.aiflow.cli;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import picocli.CommandLine.Option;

/** The options of every command that runs the loop on an embedded engine (a picocli mixin). */
final class EngineOptions {

  @Option(
      names = "--workspace",
      description =
          "The agents' folder. Default: the project's, <data-dir>/projects/<project-id>/workspace.")
  Path workspace;

  @Option(
      names = "--shim",
      description = "The shim (default: $AIFLOW_SHIM or builtin, aiflow's own).")
  String shim;

  @Option(names = "--data-dir", description = "Default: $AIFLOW_DATA_DIR or ./data.")
  Path dataDir;

  /** Starts the engine on the data directory with the shim and the given settings. */
  EngineContext start(Map<String, String> extra) {
    Map<String, String> settings = new HashMap<>(extra);
    if (shim != null) {
      settings.put("aiflow.worker.shim", shim);
    }
    return EngineContext.start(EngineContext.dataDir(dataDir), settings);
  }
}
