package dev.aiflow.triage;

import dev.aiflow.files.AtomicFile;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
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

  public Path path() {
    return path;
  }

  public boolean exists() {
    return Files.isRegularFile(path);
  }

  public Instant now() {
    return clock.instant();
  }

  /** The queue as it is on disk. */
  public TaskQueue read() {
    String text;
    try {
      text = Files.readString(path, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      throw new QueueFormatException("", "no queue file at " + path);
    } catch (IOException e) {
      throw new UncheckedIOException("could not read the queue " + path + ": " + e.getMessage(), e);
    }
    try {
      return QueueCodec.parse(text, now());
    } catch (QueueFormatException e) {
      throw e.in(path);
    }
  }

  /** Writes a whole queue (creating the file); replaces what is there. */
  public void write(TaskQueue queue) {
    AtomicFile.withLock(
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
    return AtomicFile.withLock(
        path,
        () -> {
          TaskQueue before = read();
          TaskQueue after = change.apply(before);
          if (!after.equals(before)) {
            AtomicFile.write(path, QueueCodec.toBytes(after), faults);
          }
          return after;
        });
  }
}
