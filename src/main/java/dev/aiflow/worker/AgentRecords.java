package dev.aiflow.worker;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.aiflow.files.AtomicFile;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * A record of each supervised command that is running, one file per run in a folder the caller
 * gives (the server uses {@code <data-dir>/run/agents/}). A server killed with SIGKILL cannot stop
 * its agents (Java has no parent-death signal; bwrap's {@code --die-with-parent} covers only
 * sandboxed runs), so on start {@link #reapLeftovers} finds what a previous process left and stops
 * it. A pid alone is not trusted: a record names a process by pid <em>and</em> start time (from
 * {@code /proc}), its session and group, and its environment mark, and only processes that still
 * match are stopped.
 */
public final class AgentRecords {

  /**
   * One running command.
   *
   * @param mark the run's environment mark ({@link Launch#MARK_VARIABLE})
   * @param startTicks the process's start time in clock ticks after boot ({@code /proc/<pid>/stat})
   * @param bootId the boot the pids belong to
   * @param ownerPid the JVM that started it, with {@code ownerStartTicks}: a live owner keeps its
   *     records
   */
  public record Entry(
      String mark,
      long pid,
      long startTicks,
      long group,
      long session,
      String bootId,
      long ownerPid,
      long ownerStartTicks,
      String workspace,
      String label,
      String startedAt) {}

  /** What {@link #reapLeftovers} found for one record and what it could not stop. */
  public record Leftover(Entry entry, List<Long> found, List<Long> survivors) {}

  private static final ObjectMapper JSON =
      JsonMapper.builder()
          .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
          .enable(SerializationFeature.INDENT_OUTPUT)
          .build();
  private static final Pattern MARK = Pattern.compile("[A-Za-z0-9-]{8,64}");

  private final Path dir;

  public AgentRecords(Path dir) {
    this.dir = dir.toAbsolutePath().normalize();
  }

  public Path dir() {
    return dir;
  }

  /** A record that is deleted when the run ends. */
  public final class Registration implements AutoCloseable {
    private final Path file;

    private Registration(Path file) {
      this.file = file;
    }

    @Override
    public void close() {
      try {
        Files.deleteIfExists(file);
      } catch (IOException e) {
        // a record left behind is harmless: its process is gone, reapLeftovers drops it
      }
    }
  }

  /** Writes the record of a run that has just started. */
  Registration register(long pid, String mark, Path workDir, String label) {
    if (!MARK.matcher(mark).matches()) {
      throw new IllegalArgumentException("not a run mark: " + mark);
    }
    ProcessTree.Stat stat = ProcessTree.stat(pid);
    ProcessTree.Stat owner = ProcessTree.stat(ProcessHandle.current().pid());
    Entry entry =
        new Entry(
            mark,
            pid,
            stat == null ? -1 : stat.startTicks(),
            stat == null ? -1 : stat.group(),
            stat == null ? -1 : stat.session(),
            ProcessTree.bootId(),
            ProcessHandle.current().pid(),
            owner == null ? -1 : owner.startTicks(),
            workDir == null ? null : workDir.toAbsolutePath().toString(),
            label,
            Instant.now().toString());
    Path file = dir.resolve(mark + ".json");
    try {
      AtomicFile.write(file, JSON.writeValueAsBytes(entry));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot record the run in " + dir, e);
    }
    return new Registration(file);
  }

  /** The records in the folder (unreadable ones are skipped). */
  public List<Entry> list() {
    List<Entry> entries = new ArrayList<>();
    for (Path file : files()) {
      Entry e = read(file);
      if (e != null) {
        entries.add(e);
      }
    }
    return entries;
  }

  /**
   * Stops every process left by runs of a process that is gone (a server killed before its agents
   * ended) and deletes their records. Records of a live owner (this JVM, or another server on the
   * same folder) are kept. Safe to call at any time; meant for start-up.
   *
   * @param grace between SIGTERM and SIGKILL
   */
  public List<Leftover> reapLeftovers(Duration grace) {
    List<Leftover> reaped = new ArrayList<>();
    String boot = ProcessTree.bootId();
    for (Path file : files()) {
      Entry e = read(file);
      if (e == null) {
        delete(file); // not a record we can act on; it names nothing we could verify
        continue;
      }
      if (ownerAlive(e)) {
        continue;
      }
      Set<Long> found = new TreeSet<>();
      if (boot.isEmpty() || boot.equals(e.bootId())) {
        found.addAll(leftovers(e));
      }
      Set<Long> survivors =
          found.isEmpty() ? Set.of() : ProcessTree.stop(found, Set.of(), Set.of(), e.mark(), grace);
      reaped.add(new Leftover(e, List.copyOf(found), List.copyOf(new TreeSet<>(survivors))));
      if (survivors.isEmpty()) {
        delete(file);
      }
    }
    return reaped;
  }

  /** A pid is reused (a container's server is often pid 1 after every restart): check its start. */
  private static boolean ownerAlive(Entry e) {
    ProcessTree.Stat owner = ProcessTree.stat(e.ownerPid());
    return owner != null && owner.startTicks() == e.ownerStartTicks();
  }

  /** The live processes that provably belong to the recorded run. */
  private static Set<Long> leftovers(Entry e) {
    Set<Long> found = new HashSet<>(ProcessTree.marked(Launch.MARK_VARIABLE, e.mark()));
    ProcessTree.Stat root = ProcessTree.stat(e.pid());
    boolean rootIsOurs = root != null && root.startTicks() == e.startTicks();
    if (rootIsOurs) {
      found.add(e.pid());
    }
    // a session or group id is its leader's pid; if that pid now names another process, the id
    // may have been reused and its members are someone else's
    boolean idsOurs = rootIsOurs || root == null;
    if (idsOurs && e.session() > 1 && e.session() == e.pid()) {
      for (long pid :
          ProcessTree.members(e.group() > 1 ? Set.of(e.group()) : Set.of(), Set.of(e.session()))) {
        ProcessTree.Stat s = ProcessTree.stat(pid);
        if (s != null && s.startTicks() >= e.startTicks()) {
          found.add(pid);
        }
      }
    }
    found.remove(ProcessHandle.current().pid());
    return found;
  }

  private List<Path> files() {
    List<Path> files = new ArrayList<>();
    if (!Files.isDirectory(dir)) {
      return files;
    }
    try (DirectoryStream<Path> s = Files.newDirectoryStream(dir, "*.json")) {
      s.forEach(files::add);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + dir, e);
    }
    files.sort(null);
    return files;
  }

  private static Entry read(Path file) {
    try {
      Entry e = JSON.readValue(Files.readAllBytes(file), Entry.class);
      return e.mark() != null && MARK.matcher(e.mark()).matches() && e.pid() > 1 ? e : null;
    } catch (IOException | RuntimeException ex) {
      return null;
    }
  }

  private static void delete(Path file) {
    try {
      Files.deleteIfExists(file);
    } catch (IOException e) {
      // tried; the next start tries again
    }
  }
}
