package dev.aiflow.files;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * The files every node of a cluster shares: the triage queue and its owner, the scoreboard and
 * trends, the freeze files, the session log and the checkpoint log. On one node (the default) they
 * are plain files under {@link AtomicFile}'s locks and this class adds nothing. In cluster mode
 * ({@code aiflow.store=postgres}) a {@link Replica} keeps them in the database: a read-modify-write
 * takes the cluster-wide lock of its file, brings this node's copies up to date first, and
 * publishes every file it wrote before the lock is released; a read outside a lock brings the
 * copies up to date first. The files stay the format (docs/operations.md, "Shared state").
 *
 * <p>A store opts in by taking its lock through {@link #withLock} and calling {@link #refresh}
 * before a read; writes through {@link AtomicFile} inside the lock are published by themselves, an
 * append through a channel is named with {@link #written}.
 */
public final class SharedFiles {

  /** Where the shared files are the record; {@link #LOCAL} when they are plain files. */
  public interface Replica {
    /**
     * Runs {@code work} holding the cluster-wide lock of {@code target}, after bringing this node's
     * copies up to date; publishes the files {@code work} wrote (named in the set it returns
     * through {@link Section}) before the lock is released. When {@code work} fails nothing is
     * published and the copies it wrote are taken from the record again on the next pull.
     */
    <T> T locked(Path target, Section<T> work);

    /** Brings this node's copies up to date with the record. */
    void pull();
  }

  /** The work of a locked section and what it wrote. */
  @FunctionalInterface
  public interface Section<T> {
    T run(Set<Path> written);
  }

  /** Plain files: the lock is {@link AtomicFile#withLock}, nothing to pull or publish. */
  public static final Replica LOCAL =
      new Replica() {
        @Override
        public <T> T locked(Path target, Section<T> work) {
          return work.run(new LinkedHashSet<>());
        }

        @Override
        public void pull() {}
      };

  private static volatile Replica replica = LOCAL;
  private static final ThreadLocal<Replica> THREAD = new ThreadLocal<>();
  private static final ThreadLocal<Set<Path>> SECTION = new ThreadLocal<>();

  private SharedFiles() {}

  /** Makes {@code r} the replica of this process (the server does it in cluster mode). */
  public static void use(Replica r) {
    replica = r == null ? LOCAL : r;
  }

  /** Back to plain files (a server context that used a replica closes). */
  public static void useLocal(Replica expected) {
    if (replica == expected) {
      replica = LOCAL;
    }
  }

  /**
   * Runs {@code work} with {@code r} as this thread's replica (tests that play two nodes in one
   * JVM).
   */
  public static <T> T on(Replica r, java.util.function.Supplier<T> work) {
    Replica before = THREAD.get();
    THREAD.set(r);
    try {
      return work.get();
    } finally {
      if (before == null) {
        THREAD.remove();
      } else {
        THREAD.set(before);
      }
    }
  }

  static Replica current() {
    Replica r = THREAD.get();
    return r != null ? r : replica;
  }

  /**
   * {@link AtomicFile#withLock} across the cluster: the local lock inside the replica's lock, the
   * copies up to date before {@code work}, what it wrote published after. Reentrant within a thread
   * (an inner section joins the outer one).
   */
  public static <T> T withLock(Path target, AtomicFile.Locked<T> work) {
    Replica r = current();
    if (r == LOCAL || SECTION.get() != null) {
      return AtomicFile.withLock(target, work);
    }
    return r.locked(
        target,
        written -> {
          SECTION.set(written);
          try {
            return AtomicFile.withLock(target, work);
          } finally {
            SECTION.remove();
          }
        });
  }

  /**
   * As {@link #withLock}, for a store that takes its own local lock inside {@code work} (a lock
   * file next to it would not belong there): only the cluster-wide lock and the copies.
   */
  public static <T> T around(Path target, AtomicFile.Locked<T> work) throws IOException {
    Replica r = current();
    if (r == LOCAL || SECTION.get() != null) {
      return work.run();
    }
    try {
      return r.locked(
          target,
          written -> {
            SECTION.set(written);
            try {
              return work.run();
            } catch (IOException e) {
              throw new UncheckedIOException(e.getMessage(), e);
            } finally {
              SECTION.remove();
            }
          });
    } catch (UncheckedIOException e) {
      throw e.getCause();
    }
  }

  /** Brings the copies up to date before a read outside a lock; nothing to do on one node. */
  public static void refresh() {
    Replica r = current();
    if (r != LOCAL && SECTION.get() == null) {
      r.pull();
    }
  }

  /** Names a file written inside {@link #withLock} (AtomicFile's writes name themselves). */
  public static void written(Path file) {
    Set<Path> s = SECTION.get();
    if (s != null) {
      s.add(file.toAbsolutePath().normalize());
    }
  }
}
