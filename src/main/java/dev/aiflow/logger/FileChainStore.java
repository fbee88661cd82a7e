package dev.aiflow.logger;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;

/** The project folder as a {@link ChainStore}: {@link ProjectStore}, unchanged, behind it. */
final class FileChainStore implements ChainStore {

  private final ProjectStore store;

  FileChainStore(ProjectStore store) {
    this.store = store;
  }

  @Override
  public String projectId() {
    return store.projectId();
  }

  @Override
  public Path projectDir() {
    return store.layout().dir;
  }

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
    return store.append(
        taskId, eventType, payload, idempotencyKey, precondition, attachments, durability, clock);
  }

  @Override
  public ChainEvent append(ProjectStore.Append a, Durability durability, Clock clock) {
    return store.append(a, durability, clock);
  }

  @Override
  public List<Object> appendAll(List<ProjectStore.Append> appends, Clock clock) {
    return store.appendAll(appends, clock);
  }

  @Override
  public TaskSnapshot snapshot(String taskId) {
    return store.snapshot(taskId);
  }

  @Override
  public List<ChainEvent> taskEvents(String taskId) {
    return store.taskEvents(taskId);
  }

  @Override
  public List<String> taskIds() {
    return store.taskIds();
  }

  @Override
  public String head() {
    return store.head();
  }

  @Override
  public List<String> drainRepairs() {
    return store.drainRepairs();
  }

  @Override
  public void renderTaskLog(String taskId) {
    store.withFileLock(
        () -> {
          store.renderTaskLog(taskId);
          return null;
        });
  }

  @Override
  public VerificationReport verify(String taskId, String expectedHead) {
    return WorkflowLogger.verify(
        store.layout().dir.getParent(), store.projectId(), taskId, expectedHead);
  }

  @Override
  public ExportResult export(Path archive, Clock clock, ExportExtras extras) {
    return extras == null
        ? ProjectArchive.export(store, archive, clock)
        : ProjectArchive.export(store, archive, clock, extras);
  }

  @Override
  public void release() {
    store.release();
  }
}
