package dev.aiflow.cli;

import dev.aiflow.config.AiflowProperties;
import dev.aiflow.files.PathPolicy;
import java.nio.file.Path;

/**
 * The CLI's rule for the paths its flags name: anywhere its user can reach, but never the data
 * directory's private files (docs/security.md); links are resolved, and only regular files of a
 * bounded size are read.
 */
final class CliPaths {

  private CliPaths() {}

  static PathPolicy policy(Path dataDir) {
    return AiflowProperties.forDataDir(dataDir != null ? dataDir : EngineContext.defaultDataDir())
        .cliPathPolicy();
  }
}
