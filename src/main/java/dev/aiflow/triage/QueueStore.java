package dev.aiflow.triage;

import dev.aiflow.files.AtomicFile;
import dev.aiflow.files.PathPolicy;
import dev.aiflow.files.PathRefusedException;
import dev.aiflow.files.SharedFiles;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.function.Function;

/**
 * {@code progress/task_queue.json} on disk. Every change is a read-modify-write under the queue's
 * lock ({@link AtomicFile#withLock}), written atomically, so concurrent campaigns take turns and a
 * crash leaves the old queue or the new one. A queue that does not parse is reported with the
 * offending member and never overwritten.
 */
public final class QueueStore {

  private final Path path;
  private final Clock clock;
  private final AtomicFile.Faults faults;

  public QueueStore(Path path) {
    this(path, Clock.systemUTC(), AtomicFile.Faults.NONE);
  }

  QueueStore(Path path, Clock clock, AtomicFile.Faults faults) {
    this.path = path.toAbsolutePath().normalize();
    this.clock = clock;
    this.faults = faults;
  }

  /** The largest queue file read: 16 MiB (tens of thousands of tasks). */
  public static final long MAX_BYTES = 16L * 1024 * 1024;

  public Path path() {
    return path;
  }

  public boolean exists() {
    return Files.isRegularFile(path);
  }

  public Instant now() {
    return clock.instant();
  }

  /**
   * The queue as it is on disk: a regular file (a link, FIFO or device is refused, not followed or
   * waited on) of at most {@link #MAX_BYTES}.
   */
  public TaskQueue read() {
    SharedFiles.refresh();
    byte[] bytes;
    if (!Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
      throw new QueueFormatException("", "no queue file at " + path);
    }
    try {
      bytes = PathPolicy.readBounded("queuePath", path.toString(), path, MAX_BYTES);
    } catch (PathRefusedException e) {
      throw new QueueFormatException("", e.getMessage());
    }
    try {
      return QueueCodec.parse(bytes, now());
    } catch (QueueFormatException e) {
      throw e.in(path);
    }
  }

  /** Writes a whole queue (creating the file); replaces what is there. */
  public void write(TaskQueue queue) {
    SharedFiles.withLock(
        path,
        () -> {
          AtomicFile.write(path, QueueCodec.toBytes(queue), faults);
          return null;
        });
  }

  /**
   * Applies {@code change} to the current queue and writes the result when it differs.
   *
   * @return the queue after the change
   */
  public TaskQueue update(Function<TaskQueue, TaskQueue> change) {
    return SharedFiles.withLock(
        path,
        () -> {
          TaskQueue before = read();
          TaskQueue after = change.apply(before);
          if (!after.equals(before)) {
            byte[] bytes = QueueCodec.toBytes(after);
            AtomicFile.write(path, bytes, faults);
            // the next read of these bytes (the campaign's next step) need not parse them
            QueueCodec.remember(bytes, after);
          }
          return after;
        });
  }
}
