package dev.aiflow.logger;

import java.nio.file.Path;

/** The contract on the file store: every node opens the same project folder. */
class FileChainStoreTest extends ChainStoreContract {

  @Override
  Node node() {
    Path root = tmp.resolve("workflow");
    return projectId -> WorkflowLogger.openOrInit(root, projectId, LoggerOptions.defaults());
  }

  @Override
  Path writeOut(String projectId, Path root) {
    return tmp.resolve("workflow").resolve(projectId); // the folder is the file layout
  }
}
