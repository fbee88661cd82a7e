package dev.aiflow.gitwork;

import dev.aiflow.files.StreamDrain;
import java.io.File;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

/**
 * The real git binary, run the careful way: arguments as a list (no shell), bounded in time, stdin
 * closed, no system or global configuration, no hooks, no fsmonitor, no commit signing, every
 * filter driver the repository configures switched off by name (an agent had its hands on the work
 * tree, and a filter is a program), a fixed identity for the commits aiflow makes.
 */
final class GitCommand {

  static final Duration DEFAULT_TIMEOUT = Duration.ofMinutes(5);
  private static final int KEEP = 4000;

  /** One git run's exit code, output and (capped) error output. */
  record Result(int exit, String out, String err) {
    boolean ok() {
      return exit == 0;
    }
  }

  private final String executable;
  private final Duration timeout;
  private final List<String> config;

  private GitCommand(String executable, Duration timeout, List<String> config) {
    this.executable = executable;
    this.timeout = timeout;
    this.config = List.copyOf(config);
  }

  /** The git on PATH, if any. */
  static Optional<String> find() {
    return StreamDrain.onPath("git");
  }

  static GitCommand of(String executable, Duration timeout) {
    return new GitCommand(executable, timeout == null ? DEFAULT_TIMEOUT : timeout, base());
  }

  /** This command with every filter driver configured in the repository at {@code dir} off. */
  GitCommand withoutFilters(Path dir) {
    Result r = run(dir, List.of("config", "--name-only", "--get-regexp", "^filter\\."));
    Set<String> drivers = new TreeSet<>();
    if (r.ok()) {
      for (String key : r.out().split("\n")) {
        int first = key.indexOf('.');
        int last = key.lastIndexOf('.');
        if (first > 0 && last > first) {
          drivers.add(key.substring(first + 1, last));
        }
      }
    }
    if (drivers.isEmpty()) {
      return this;
    }
    List<String> c = new ArrayList<>(config);
    for (String d : drivers) {
      for (String kv : List.of(".clean=", ".smudge=", ".process=", ".required=false")) {
        c.add("-c");
        c.add("filter." + d + kv);
      }
    }
    return new GitCommand(executable, timeout, c);
  }

  private static List<String> base() {
    List<String> c = new ArrayList<>();
    for (String kv :
        List.of(
            "core.fsmonitor=false",
            "core.hooksPath=/dev/null",
            "core.autocrlf=false",
            "core.safecrlf=false",
            "core.quotePath=false",
            "core.symlinks=true",
            "commit.gpgSign=false",
            "tag.gpgSign=false",
            "diff.external=",
            "merge.renames=true",
            "gc.auto=0",
            "maintenance.auto=false",
            "advice.detachedHead=false",
            "safe.directory=*")) {
      c.add("-c");
      c.add(kv);
    }
    return c;
  }

  private static Map<String, String> env() {
    Map<String, String> env = new LinkedHashMap<>();
    String path = System.getenv("PATH");
    env.put("PATH", path == null ? "/usr/bin:/bin" : path);
    env.put("LC_ALL", "C");
    env.put("HOME", "/nonexistent");
    env.put("GIT_CONFIG_NOSYSTEM", "1");
    env.put("GIT_CONFIG_GLOBAL", "/dev/null");
    env.put("GIT_ATTR_NOSYSTEM", "1");
    env.put("GIT_TERMINAL_PROMPT", "0");
    env.put("GIT_NO_REPLACE_OBJECTS", "1");
    env.put("GIT_PAGER", "cat");
    env.put("GIT_AUTHOR_NAME", "aiflow");
    env.put("GIT_AUTHOR_EMAIL", "aiflow@localhost");
    env.put("GIT_COMMITTER_NAME", "aiflow");
    env.put("GIT_COMMITTER_EMAIL", "aiflow@localhost");
    return env;
  }

  /** Runs {@code git <args>} in {@code dir}; a non-zero exit is the caller's to judge. */
  Result run(Path dir, List<String> args) {
    return run(dir, args, List.of());
  }

  /** As above, with extra {@code -c name=value} settings for this run only. */
  Result run(Path dir, List<String> args, List<String> extraConfig) {
    List<String> argv = new ArrayList<>();
    argv.add(executable);
    argv.addAll(config);
    for (String kv : extraConfig) {
      argv.add("-c");
      argv.add(kv);
    }
    argv.addAll(args);
    ProcessBuilder pb =
        new ProcessBuilder(argv)
            .directory(dir.toFile())
            .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
    pb.environment().clear();
    pb.environment().putAll(env());
    Process p;
    try {
      p = pb.start();
    } catch (IOException e) {
      throw new GitWorkException(
          "GIT_FAILED", "cannot start git in " + dir + ": " + e.getMessage(), e);
    }
    StreamDrain out = StreamDrain.start("gitwork-drain", p.getInputStream(), 4 * 1024 * 1024);
    StreamDrain err = StreamDrain.start("gitwork-drain", p.getErrorStream(), KEEP);
    try {
      if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        p.destroyForcibly();
        throw new GitWorkException(
            "GIT_FAILED",
            "git "
                + args.get(0)
                + " did not finish within "
                + timeout.toSeconds()
                + " s in "
                + dir);
      }
      out.join();
      err.join();
    } catch (InterruptedException e) {
      p.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new GitWorkException("GIT_FAILED", "interrupted while git ran in " + dir, e);
    }
    return new Result(p.exitValue(), out.text(), err.text().strip());
  }

  /** Runs git and insists on exit 0; returns its output without the trailing newline. */
  String ok(Path dir, List<String> args) {
    Result r = run(dir, args);
    if (!r.ok()) {
      throw failed(dir, args, r);
    }
    return r.out().strip();
  }

  static GitWorkException failed(Path dir, List<String> args, Result r) {
    String e = r.err();
    int nl = e.indexOf('\n');
    String line = nl < 0 ? e : e.substring(0, nl);
    if (line.length() > 300) {
      line = line.substring(0, 300) + "...";
    }
    return new GitWorkException(
        "GIT_FAILED",
        "git "
            + args.get(0)
            + " exited "
            + r.exit()
            + " in "
            + dir
            + (line.isEmpty() ? "" : ": " + line));
  }
}
