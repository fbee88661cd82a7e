package dev.aiflow.files;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Whole-file replacement that a crash cannot tear, and a lock around read-modify-write cycles. The
 * queue, the scoreboard, freeze metadata and checkpoints are written this way: a temporary sibling
 * is written and fsynced, renamed over the target, and the directory is fsynced. A reader sees the
 * old file or the new one, never a mixture. Leftover temporaries of an interrupted write are named
 * {@code .<name>.tmp-*} and are removed by the next write.
 */
public final class AtomicFile {

  /** The points at which a write can be interrupted; fault-injection tests stop at each. */
  public enum Stage {
    /** Half of the new content is in the temporary file. */
    TEMP_PARTIAL,
    /** All of it is written, not yet fsynced. */
    TEMP_WRITTEN,
    /** The temporary file is durable; the target is still the old file. */
    TEMP_SYNCED,
    /** The target is the new file; the directory entry is not yet fsynced. */
    RENAMED
  }

  /** Called at each {@link Stage}; a test throws to simulate a crash there. */
  @FunctionalInterface
  public interface Faults {
    Faults NONE = (stage, tmp) -> {};

    void at(Stage stage, Path tmp) throws IOException;
  }

  /** Work done while holding a file's lock. */
  @FunctionalInterface
  public interface Locked<T> {
    T run() throws IOException;
  }

  private static final ConcurrentHashMap<Path, ReentrantLock> JVM_LOCKS = new ConcurrentHashMap<>();

  private AtomicFile() {}

  public static void write(Path target, byte[] content) {
    write(target, content, Faults.NONE);
  }

  /**
   * Replaces {@code target} atomically (a reader sees the old or the new file) but without fsync:
   * for files derived from durable ones, which the next write renders again. After a power loss
   * such a file may be empty; never half old, half new.
   */
  public static void replace(Path target, byte[] content) {
    Path dir = target.toAbsolutePath().getParent();
    Path tmp = dir.resolve("." + target.getFileName() + ".tmp-" + UUID.randomUUID());
    try {
      Files.createDirectories(dir);
      Files.write(tmp, content, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
      try {
        Files.move(
            tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
      }
      SharedFiles.written(target);
    } catch (IOException e) {
      try {
        Files.deleteIfExists(tmp);
      } catch (IOException ignored) {
        // the next write sweeps it
      }
      throw new UncheckedIOException("could not write " + target + ": " + e.getMessage(), e);
    }
  }

  public static void write(Path target, byte[] content, Faults faults) {
    Path dir = target.toAbsolutePath().getParent();
    String name = target.getFileName().toString();
    Path tmp = dir.resolve("." + name + ".tmp-" + UUID.randomUUID());
    try {
      Files.createDirectories(dir);
      removeTemporaries(target);
      try (FileChannel ch =
          FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
        int half = content.length / 2;
        writeFully(ch, ByteBuffer.wrap(content, 0, half));
        faults.at(Stage.TEMP_PARTIAL, tmp);
        writeFully(ch, ByteBuffer.wrap(content, half, content.length - half));
        faults.at(Stage.TEMP_WRITTEN, tmp);
        ch.force(true);
      }
      faults.at(Stage.TEMP_SYNCED, tmp);
      try {
        Files.move(
            tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
      }
      faults.at(Stage.RENAMED, tmp);
      fsyncDirectory(dir);
      SharedFiles.written(target);
    } catch (IOException e) {
      throw new UncheckedIOException("could not write " + target + ": " + e.getMessage(), e);
    }
  }

  /**
   * Runs {@code work} holding the lock of {@code target}: a lock within this JVM and an OS lock on
   * the sibling {@code .<name>.lock}, so two processes sharing a progress directory take turns.
   * Reentrant within a thread.
   */
  public static <T> T withLock(Path target, Locked<T> work) {
    Path abs = target.toAbsolutePath().normalize();
    ReentrantLock lock = JVM_LOCKS.computeIfAbsent(abs, p -> new ReentrantLock());
    lock.lock();
    try {
      if (lock.getHoldCount() > 1) {
        return work.run(); // this thread holds the OS lock already
      }
      Files.createDirectories(abs.getParent());
      Path lockFile = abs.getParent().resolve("." + abs.getFileName() + ".lock");
      try (FileChannel ch =
              FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
          FileLock ignored = ch.lock()) {
        return work.run();
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e.getMessage(), e);
    } finally {
      lock.unlock();
    }
  }

  /** Deletes temporaries an interrupted write left next to {@code target}. */
  public static void removeTemporaries(Path target) throws IOException {
    Path dir = target.toAbsolutePath().getParent();
    if (!Files.isDirectory(dir)) {
      return;
    }
    String glob = "." + target.getFileName() + ".tmp-*";
    try (DirectoryStream<Path> stale = Files.newDirectoryStream(dir, glob)) {
      for (Path p : stale) {
        Files.deleteIfExists(p);
      }
    }
  }

  /** Makes a directory entry (a new or renamed file) durable. A no-op where unsupported. */
  public static void fsyncDirectory(Path dir) {
    try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
      ch.force(true);
    } catch (IOException | UnsupportedOperationException e) {
      // Some platforms cannot open directories; the rename itself is still atomic there.
    }
  }

  private static void writeFully(FileChannel ch, ByteBuffer buf) throws IOException {
    while (buf.hasRemaining()) {
      ch.write(buf);
    }
  }
}
