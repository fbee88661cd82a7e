package dev.aiflow.worker;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * The process tree of an agent run, seen through {@code /proc} (Linux). An agent is started in a
 * session and process group of its own ({@code setsid}), so stopping it can reach every process it
 * started: its descendants, processes that were re-parented (double-forked) but stayed in its group
 * or its session, and processes that carry its environment mark ({@link Launch#MARK_VARIABLE}). A
 * process that starts its own session and clears its environment escapes this; under bubblewrap
 * ({@link Sandbox}) the PID namespace closes that too. See docs/sandbox.md.
 */
final class ProcessTree {

  private static final Path PROC = Path.of("/proc");
  private static final Path SETSID = findExecutable("setsid").orElse(null);

  private ProcessTree() {}

  /** Whether commands are started as leaders of their own process group (pgid = pid). */
  static boolean isolates() {
    return SETSID != null;
  }

  /** The command, wrapped so it leads a new session and process group when possible. */
  static List<String> isolated(List<String> command) {
    if (SETSID == null) {
      return command;
    }
    List<String> wrapped = new ArrayList<>();
    wrapped.add(SETSID.toString());
    wrapped.add("--wait"); // if setsid must fork, it still reports the program's exit code
    wrapped.addAll(command);
    return wrapped;
  }

  static boolean procAvailable() {
    return Files.isDirectory(PROC.resolve("self"));
  }

  /** Resolves a command name the way a shell does: a path, or the first match on PATH. */
  static Optional<Path> findExecutable(String name) {
    if (name.contains("/")) {
      Path p = Path.of(name);
      return Files.isRegularFile(p) && Files.isExecutable(p) ? Optional.of(p) : Optional.empty();
    }
    String path = System.getenv("PATH");
    if (path == null) {
      return Optional.empty();
    }
    for (String dir : path.split(java.io.File.pathSeparator)) {
      if (dir.isEmpty()) {
        continue;
      }
      Path p = Path.of(dir, name);
      if (Files.isRegularFile(p) && Files.isExecutable(p)) {
        return Optional.of(p);
      }
    }
    return Optional.empty();
  }

  /** The root and every live descendant, as pids. */
  static Set<Long> treePids(ProcessHandle root) {
    Set<Long> pids = new HashSet<>();
    if (root.isAlive()) {
      pids.add(root.pid());
    }
    root.descendants().forEach(h -> pids.add(h.pid()));
    return pids;
  }

  /** Resident memory of the given processes, summed, in bytes (0 where unreadable). */
  static long residentBytes(Set<Long> pids) {
    long total = 0;
    for (long pid : pids) {
      total += residentBytes(pid);
    }
    return total;
  }

  static long residentBytes(long pid) {
    try {
      for (String line :
          Files.readAllLines(PROC.resolve(pid + "/status"), StandardCharsets.UTF_8)) {
        if (line.startsWith("VmRSS:")) {
          String[] parts = line.substring(6).trim().split("\\s+");
          return Long.parseLong(parts[0]) * 1024L;
        }
      }
    } catch (IOException | RuntimeException e) {
      // the process ended between listing and reading: it uses no memory now
    }
    return 0;
  }

  /** The process group of a pid, or -1 when it is gone. */
  static long processGroup(long pid) {
    try {
      String stat = Files.readString(PROC.resolve(pid + "/stat"), StandardCharsets.UTF_8);
      // the command name (field 2) may contain spaces and parentheses: parse after its last ')'
      String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      return Long.parseLong(fields[2]);
    } catch (IOException | RuntimeException e) {
      return -1;
    }
  }

  /** Every live process whose process group is one of {@code groups}. */
  static Set<Long> membersOf(Set<Long> groups) {
    return members(groups, Set.of());
  }

  /**
   * What {@code /proc/<pid>/stat} says about a process.
   *
   * @param startTicks when it started, in clock ticks after boot: with the pid, it names one
   *     process (a pid is reused, a (pid, start) pair is not until the next boot)
   */
  record Stat(long pid, char state, long ppid, long group, long session, long startTicks) {}

  /** The stat of a live process, or null when it is gone or unreadable. */
  static Stat stat(long pid) {
    try {
      String stat = Files.readString(PROC.resolve(pid + "/stat"), StandardCharsets.UTF_8);
      // the command name (field 2) may contain spaces and parentheses: parse after its last ')'
      String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      return new Stat(
          pid,
          f[0].charAt(0),
          Long.parseLong(f[1]),
          Long.parseLong(f[2]),
          Long.parseLong(f[3]),
          Long.parseLong(f[19]));
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }

  /** Every pid in {@code /proc}. */
  static Set<Long> allPids() {
    Set<Long> pids = new HashSet<>();
    if (!procAvailable()) {
      return pids;
    }
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(PROC)) {
      for (Path entry : entries) {
        String name = entry.getFileName().toString();
        if (!name.isEmpty() && name.chars().allMatch(Character::isDigit)) {
          pids.add(Long.parseLong(name));
        }
      }
    } catch (IOException e) {
      // /proc went away: nothing more to find
    }
    return pids;
  }

  /**
   * Every live process in one of the process {@code groups} or {@code sessions}, in one pass over
   * {@code /proc}. A grandchild that double-forks into a new process group stays in its session, so
   * the session finds it; only {@code setsid} leaves both.
   */
  static Set<Long> members(Set<Long> groups, Set<Long> sessions) {
    Set<Long> members = new HashSet<>();
    if (groups.isEmpty() && sessions.isEmpty()) {
      return members;
    }
    for (long pid : allPids()) {
      Stat s = stat(pid);
      if (s != null
          && s.state() != 'Z'
          && (groups.contains(s.group()) || sessions.contains(s.session()))) {
        members.add(pid);
      }
    }
    return members;
  }

  /**
   * Every live process whose initial environment carries {@code variable=value}: a supervised
   * command gets a mark of its own, and every process it starts inherits it, even one that left its
   * session with {@code setsid}. Only a process that also clears its environment escapes this.
   */
  static Set<Long> marked(String variable, String value) {
    Set<Long> found = new HashSet<>();
    if (value == null || value.isEmpty()) {
      return found;
    }
    byte[] needle = (variable + "=" + value).getBytes(StandardCharsets.UTF_8);
    long self = ProcessHandle.current().pid();
    for (long pid : allPids()) {
      if (pid == self) {
        continue;
      }
      try {
        byte[] env = Files.readAllBytes(PROC.resolve(pid + "/environ"));
        if (containsEntry(env, needle)) {
          found.add(pid);
        }
      } catch (IOException | RuntimeException e) {
        // gone, or another user's process: not ours
      }
    }
    return found;
  }

  /** Whether the NUL-separated environment holds exactly the entry {@code needle}. */
  static boolean containsEntry(byte[] env, byte[] needle) {
    int start = 0;
    while (start < env.length) {
      int end = start;
      while (end < env.length && env[end] != 0) {
        end++;
      }
      if (end - start == needle.length
          && java.util.Arrays.equals(env, start, end, needle, 0, needle.length)) {
        return true;
      }
      start = end + 1;
    }
    return false;
  }

  /** The kernel's boot id: a (pid, start ticks) pair names one process only within one boot. */
  static String bootId() {
    try {
      return Files.readString(PROC.resolve("sys/kernel/random/boot_id"), StandardCharsets.UTF_8)
          .strip();
    } catch (IOException | RuntimeException e) {
      return "";
    }
  }

  /**
   * Stops every process in {@code known}, their descendants and their process groups (never the
   * JVM's own group): SIGTERM first, SIGKILL after {@code grace}. Returns the pids still alive
   * afterwards, which should be none.
   */
  static Set<Long> stop(Set<Long> known, Set<Long> knownGroups, Duration grace) {
    return stop(known, knownGroups, Set.of(), null, grace);
  }

  /**
   * As {@link #stop(Set, Set, Duration)}, and also every member of {@code knownSessions} (never the
   * JVM's own session) and every process carrying the environment mark {@code mark} (see {@link
   * #marked}), looked for again before SIGKILL.
   */
  static Set<Long> stop(
      Set<Long> known,
      Set<Long> knownGroups,
      Set<Long> knownSessions,
      String mark,
      Duration grace) {
    Stat own = stat(ProcessHandle.current().pid());
    Set<Long> sessions = new HashSet<>();
    for (long session : knownSessions) {
      if (session > 1 && (own == null || session != own.session())) {
        sessions.add(session);
      }
    }
    Set<Long> all = new HashSet<>(known);
    all.addAll(members(Set.of(), sessions));
    all.addAll(marked(Launch.MARK_VARIABLE, mark));
    return stopGroups(all, knownGroups, grace, sessions, mark);
  }

  private static Set<Long> stopGroups(
      Set<Long> known, Set<Long> knownGroups, Duration grace, Set<Long> sessions, String mark) {
    long ownGroup = processGroup(ProcessHandle.current().pid());
    Set<Long> pids = new HashSet<>(known);
    for (long pid : known) {
      ProcessHandle.of(pid).ifPresent(h -> h.descendants().forEach(d -> pids.add(d.pid())));
    }
    Set<Long> groups = new HashSet<>();
    for (long group : knownGroups) {
      if (group > 1 && group != ownGroup) {
        groups.add(group);
      }
    }
    for (long pid : pids) {
      long group = processGroup(pid);
      if (group > 1 && group != ownGroup) {
        groups.add(group);
      }
    }
    pids.addAll(membersOf(groups));
    pids.remove(ProcessHandle.current().pid());

    signal(pids, groups, false);
    if (awaitGone(pids, grace)) {
      return Set.of();
    }
    pids.addAll(members(groups, sessions));
    pids.addAll(marked(Launch.MARK_VARIABLE, mark));
    pids.remove(ProcessHandle.current().pid());
    signal(pids, groups, true);
    awaitGone(pids, Duration.ofSeconds(5));
    Set<Long> alive = new HashSet<>();
    for (long pid : pids) {
      if (ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
        alive.add(pid);
      }
    }
    return alive;
  }

  private static void signal(Set<Long> pids, Set<Long> groups, boolean kill) {
    for (long group : groups) {
      runKill(kill ? "-KILL" : "-TERM", "-" + group);
    }
    for (long pid : pids) {
      ProcessHandle.of(pid)
          .ifPresent(
              h -> {
                if (kill) {
                  h.destroyForcibly();
                } else {
                  h.destroy();
                }
              });
    }
  }

  private static void runKill(String signal, String target) {
    try {
      Process p =
          new ProcessBuilder("kill", signal, "--", target)
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.DISCARD)
              .start();
      p.waitFor(2, TimeUnit.SECONDS);
    } catch (IOException e) {
      // no kill(1): the per-process signals above still reach every known process
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static boolean awaitGone(Set<Long> pids, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      boolean anyAlive = false;
      for (long pid : pids) {
        if (ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false) && !isZombie(pid)) {
          anyAlive = true;
          break;
        }
      }
      if (!anyAlive) {
        return true;
      }
      if (System.nanoTime() > deadline) {
        return false;
      }
      try {
        Thread.sleep(25);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      }
    }
  }

  /** A zombie has exited and only waits for its parent to reap it. */
  static boolean isZombie(long pid) {
    try {
      String stat = Files.readString(PROC.resolve(pid + "/stat"), StandardCharsets.UTF_8);
      return stat.substring(stat.lastIndexOf(')') + 2).startsWith("Z");
    } catch (IOException | RuntimeException e) {
      return false;
    }
  }
}
