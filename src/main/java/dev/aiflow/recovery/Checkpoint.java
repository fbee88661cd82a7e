package dev.aiflow.recovery;

import java.nio.file.Path;
import java.time.Instant;
import java.util.List;

/**
 * A checkpoint's manifest ({@code manifest.json}, docs/recovery.md).
 *
 * @param patterns globs whose matches were taken; at rollback, a file matching one that the
 *     checkpoint does not list was created since, and is deleted
 */
public record Checkpoint(
    String id,
    String taskKey,
    String runId,
    Path workspace,
    Instant createdAt,
    List<String> patterns,
    List<Entry> entries) {

  public Checkpoint {
    patterns = List.copyOf(patterns);
    entries = List.copyOf(entries);
  }

  /** One file: its workspace-relative path, whether it existed, and if so its SHA-256 and size. */
  public record Entry(String path, boolean existed, String sha256, long size, boolean executable) {}
}
