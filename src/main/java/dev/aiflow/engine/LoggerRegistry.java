package dev.aiflow.engine;

import dev.aiflow.config.AiflowProperties;
import dev.aiflow.logger.LoggerOptions;
import dev.aiflow.logger.WorkflowLogger;
import jakarta.annotation.PreDestroy;
import java.nio.file.Path;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.stereotype.Component;

/** One open workflow logger per project under {@code <data-dir>/workflow}, closed on shutdown. */
@Component
public class LoggerRegistry {

  private final Path root;
  private final ConcurrentHashMap<String, WorkflowLogger> open = new ConcurrentHashMap<>();

  public LoggerRegistry(AiflowProperties properties) {
    this.root = properties.workflowRoot();
  }

  public WorkflowLogger logger(String projectId) {
    return open.computeIfAbsent(
        projectId, id -> WorkflowLogger.openOrInit(root, id, LoggerOptions.defaults()));
  }

  public Path root() {
    return root;
  }

  @PreDestroy
  void closeAll() {
    open.values().forEach(WorkflowLogger::close);
    open.clear();
  }
}
