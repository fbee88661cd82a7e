package dev.aiflow.logger;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;

/**
 * Where a project's chain is kept: the append path of {@link WorkflowLogger} (exact line bytes,
 * sequence, hashes, the per-task chains) and what is read back from it. Two implementations: the
 * project folder ({@link FileChainStore} over {@link ProjectStore}, the default) and PostgreSQL
 * ({@link PostgresChainStore}, for several nodes). Both write the same bytes for the same events;
 * the file layout stays the export format (docs/chain-format.md, "Stores").
 */
interface ChainStore {

  String projectId();

  /** The project folder of a file store; null for a store that has none. */
  Path projectDir();

  ChainEvent append(
      String taskId,
      String eventType,
      ObjectNode payload,
      String idempotencyKey,
      ProjectStore.Precondition precondition,
      List<ProjectStore.Attachment> attachments,
      Durability durability,
      Clock clock);

  /** Appends one event whose canonical members are built already (an attempt's fast path). */
  ChainEvent append(ProjectStore.Append a, Durability durability, Clock clock);

  /** Each element: the event, or the exception that refused or failed it, in order. */
  List<Object> appendAll(List<ProjectStore.Append> appends, Clock clock);

  TaskSnapshot snapshot(String taskId);

  List<ChainEvent> taskEvents(String taskId);

  List<String> taskIds();

  String head();

  List<String> drainRepairs();

  void renderTaskLog(String taskId);

  /** The project chain (task null) or one task chain, verified as docs/chain-format.md says. */
  VerificationReport verify(String taskId, String expectedHead);

  ExportResult export(Path archive, Clock clock, ExportExtras extras);

  void release();
}
