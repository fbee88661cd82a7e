package dev.aiflow.logger;

import java.io.IOException;
import java.nio.file.Path;

/**
 * The points at which the store touches the disk, and a hook called at each: production passes
 * {@link #NONE}; fault-injection tests throw from {@link #at} to make an open, a write, an fsync, a
 * truncation or an attachment fail there while the process lives on (as {@link
 * dev.aiflow.files.AtomicFile.Faults} does for whole-file writes).
 */
@FunctionalInterface
interface IoFaults {

  /** Where an operation can fail. */
  enum Point {
    /** Before a file is opened (the project log, a task file, a reader). */
    OPEN,
    /** Before a write; nothing of it is on disk yet. */
    WRITE,
    /** In the middle of a write: its first half is in the file, the rest is not. */
    WRITE_PARTIAL,
    /** Before an fsync (after the write it should make durable). */
    FORCE,
    /** Before a file is cut to a size (removing bytes that were never acknowledged). */
    TRUNCATE,
    /** An attachment is durable in its temporary file, not yet renamed into place. */
    ATTACHMENT,
    /** An attachment was renamed into place; its directory is not yet fsync'd. */
    ATTACHMENT_RENAMED
  }

  IoFaults NONE = (point, file) -> {};

  void at(Point point, Path file) throws IOException;
}
