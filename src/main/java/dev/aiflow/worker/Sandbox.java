package dev.aiflow.worker;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Where supervised commands run: under bubblewrap ({@code bwrap}) or directly on the host
 * (docs/sandbox.md). Under bwrap a command gets a PID namespace of its own (when it exits,
 * everything it started dies, {@code setsid} or not), dies with its parent (the JVM), sees the host
 * read-only except the workspace, a private {@code /tmp}, and none of the hidden folders (the data
 * directory, the workflow chain), and has no network unless asked. Without bwrap the supervisor
 * still tracks every descendant by session, process group and environment mark ({@link
 * ProcessTree}).
 *
 * <p>{@code aiflow.worker.sandbox.mode}: {@code auto} uses bwrap when a probe run works and falls
 * back to none with a {@link #warning()}; {@code bwrap} insists (the probe must work); {@code none}
 * never sandboxes.
 */
public final class Sandbox {

  /** The configured choice. */
  public enum Mode {
    AUTO,
    BWRAP,
    NONE;

    /** Reads {@code auto}, {@code bwrap} or {@code none} (any case); null or blank is auto. */
    public static Mode parse(String value) {
      if (value == null || value.isBlank()) {
        return AUTO;
      }
      try {
        return valueOf(value.strip().toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(
            "aiflow.worker.sandbox.mode is '" + value + "'; expected auto, bwrap or none");
      }
    }
  }

  public static final String DEFAULT_BWRAP = "/usr/bin/bwrap";

  private static final String INTERRUPTED = "the bubblewrap probe was interrupted";
  private static final Map<Path, String> PROBES = new ConcurrentHashMap<>();
  private static final Sandbox NONE = new Sandbox(null, null);

  private final Path bwrap;
  private final String warning;

  private Sandbox(Path bwrap, String warning) {
    this.bwrap = bwrap;
    this.warning = warning;
  }

  /** No sandbox: commands run on the host, tracked by the supervisor. */
  public static Sandbox none() {
    return NONE;
  }

  /**
   * The sandbox for a mode.
   *
   * @param bwrapPath the bwrap executable; null or blank is {@value #DEFAULT_BWRAP}, else looked up
   *     on PATH
   * @throws IllegalStateException for {@code bwrap} when bwrap is missing or its probe run fails
   */
  public static Sandbox resolve(Mode mode, String bwrapPath) {
    if (mode == Mode.NONE) {
      return NONE;
    }
    String name = bwrapPath == null || bwrapPath.isBlank() ? DEFAULT_BWRAP : bwrapPath;
    Optional<Path> exe = ProcessTree.findExecutable(name);
    String problem =
        exe.isEmpty()
            ? "bubblewrap is not installed (no executable '" + name + "')"
            : probe(exe.get().toAbsolutePath());
    if (problem == null) {
      return new Sandbox(exe.get().toAbsolutePath(), null);
    }
    if (mode == Mode.BWRAP) {
      throw new IllegalStateException("aiflow.worker.sandbox.mode=bwrap, but " + problem);
    }
    return new Sandbox(
        null,
        "agents and verification runs are NOT sandboxed: "
            + problem
            + " (aiflow.worker.sandbox.mode=auto fell back to none; see docs/sandbox.md)");
  }

  public static Sandbox resolve(String mode, String bwrapPath) {
    return resolve(Mode.parse(mode), bwrapPath);
  }

  /** Whether commands run under bwrap. */
  public boolean isolated() {
    return bwrap != null;
  }

  /** {@code bwrap} or {@code none}. */
  public String name() {
    return bwrap != null ? "bwrap" : "none";
  }

  /** Why {@code auto} fell back to none, for start-up logs and preflight. */
  public Optional<String> warning() {
    return Optional.ofNullable(warning);
  }

  /**
   * The command line that runs {@code command} in the sandbox; the command itself when there is
   * none.
   *
   * @param workspace the one folder the command may write (besides its private /tmp)
   * @param network whether it keeps the host's network
   * @param hidden folders it must not see (empty in the sandbox); ones that do not exist are
   *     skipped
   */
  public List<String> wrap(
      List<String> command, Path workspace, boolean network, List<Path> hidden) {
    return wrap(command, workspace, network, hidden, List.of());
  }

  /**
   * As {@link #wrap(List, Path, boolean, List)}, keeping {@code readable} folders visible,
   * read-only, even inside a hidden one (the agent CLIs and logins of a named built-in shim that
   * live in the data directory, such as the demo's).
   */
  public List<String> wrap(
      List<String> command,
      Path workspace,
      boolean network,
      List<Path> hidden,
      List<Path> readable) {
    if (bwrap == null) {
      return List.copyOf(command);
    }
    Path ws = real(workspace);
    List<String> argv = new ArrayList<>();
    argv.add(bwrap.toString());
    argv.add("--die-with-parent");
    argv.add("--unshare-pid");
    // run as root, bwrap would keep every capability (and could remount the host writable)
    argv.add("--cap-drop");
    argv.add("ALL");
    if (!network) {
      argv.add("--unshare-net");
    }
    argv.addAll(List.of("--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc"));
    argv.addAll(List.of("--tmpfs", "/tmp"));
    List<Path> hiddenInside = new ArrayList<>();
    List<Path> covered = new ArrayList<>(List.of(Path.of("/tmp")));
    for (Path h : hidden) {
      Path dir = real(h);
      if (!Files.isDirectory(dir) || dir.equals(ws) || dir.getNameCount() == 0) {
        continue;
      }
      covered.add(dir);
      if (dir.startsWith(ws)) {
        hiddenInside.add(dir);
      } else {
        argv.addAll(List.of("--tmpfs", dir.toString()));
      }
    }
    argv.addAll(List.of("--bind", ws.toString(), ws.toString()));
    for (Path dir : hiddenInside) {
      argv.addAll(List.of("--tmpfs", dir.toString()));
    }
    for (Path r : readable) {
      Path path = real(r);
      if (Files.exists(path) && reexposable(path, ws, covered)) {
        argv.addAll(List.of("--ro-bind", path.toString(), path.toString()));
      }
    }
    // the program itself must stay reachable when it lives in a hidden folder (an external shim
    // in the data directory; a test's in /tmp): its folder, or only the program when the folder
    // is a hidden one itself (the shim right in /tmp or in the data directory)
    Path program = Path.of(command.get(0));
    if (program.isAbsolute()) {
      Path file = real(program);
      Path dir = file.getParent();
      Path keep = dir != null && reexposable(dir, ws, covered) ? dir : file;
      if (reexposable(keep, ws, covered)) {
        argv.addAll(List.of("--ro-bind", keep.toString(), keep.toString()));
      }
    }
    argv.addAll(List.of("--chdir", ws.toString(), "--"));
    argv.addAll(command);
    return argv;
  }

  /**
   * Whether {@code path} may be bound back, read-only, over the hiding: it lies inside a hidden
   * folder (else it is visible anyway) but is not a hidden folder itself nor holds one, and is not
   * in the workspace. A jar's or a shim's folder may be {@code /tmp} or the data directory: binding
   * that would undo the hiding.
   */
  private static boolean reexposable(Path path, Path ws, List<Path> covered) {
    return !path.startsWith(ws)
        && covered.stream().anyMatch(c -> path.startsWith(c) && !path.equals(c))
        && covered.stream().noneMatch(c -> c.startsWith(path));
  }

  private static Path real(Path p) {
    Path abs = p.toAbsolutePath().normalize();
    try {
      return abs.toRealPath();
    } catch (IOException e) {
      return abs;
    }
  }

  /** Null when a sandboxed no-op run works, else what went wrong. Cached per executable. */
  static String probe(Path bwrap) {
    String cached = PROBES.computeIfAbsent(bwrap, Sandbox::runProbe);
    if (cached.equals(INTERRUPTED)) {
      PROBES.remove(bwrap); // not an answer: ask again next time
    }
    return cached.isEmpty() ? null : cached;
  }

  private static String runProbe(Path bwrap) {
    List<String> argv =
        List.of(
            bwrap.toString(),
            "--die-with-parent",
            "--unshare-pid",
            "--unshare-net",
            "--cap-drop",
            "ALL",
            "--ro-bind",
            "/",
            "/",
            "--dev",
            "/dev",
            "--proc",
            "/proc",
            "--tmpfs",
            "/tmp",
            "--",
            "/bin/sh",
            "-c",
            "exit 0");
    try {
      Process p =
          new ProcessBuilder(argv)
              .redirectErrorStream(true)
              .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
              .start();
      byte[] out = p.getInputStream().readNBytes(4096);
      if (!p.waitFor(10, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        return "the bubblewrap probe did not finish within 10 s";
      }
      if (p.exitValue() != 0) {
        String said = new String(out, java.nio.charset.StandardCharsets.UTF_8).strip();
        return "the bubblewrap probe failed (exit "
            + p.exitValue()
            + (said.isEmpty() ? "" : ": " + said.lines().findFirst().orElse(""))
            + "); user namespaces may be disabled";
      }
      return "";
    } catch (IOException e) {
      return "bubblewrap could not be started: " + e.getMessage();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return INTERRUPTED;
    }
  }
}
