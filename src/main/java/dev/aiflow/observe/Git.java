package dev.aiflow.observe;

import dev.aiflow.files.StreamDrain;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The kernel's git, hardened: the kernel runs git on a work tree an agent has just had its hands
 * on, on the host, outside any sandbox. So no system or global configuration, no hooks, no
 * fsmonitor or other configured programs, no filter drivers (each one the repository configures is
 * switched off by name), no replace objects, no optional locks (it never rewrites the repository's
 * own index), and the git folder fixed at the first snapshot.
 */
final class Git {

  private static final long TIMEOUT_SEC = 600;
  private static final int STDERR_KEEP = 2000;

  /** The result of one git command. */
  record Result(int exit, byte[] out, String err) {
    String text() {
      return new String(out, StandardCharsets.UTF_8);
    }
  }

  private final String executable;
  private final Path workTree;
  private final Path gitDir;
  private final Map<String, String> env;
  private final List<String> config;

  private Git(
      String executable, Path workTree, Path gitDir, Map<String, String> env, List<String> config) {
    this.executable = executable;
    this.workTree = workTree;
    this.gitDir = gitDir;
    this.env = Map.copyOf(env);
    this.config = List.copyOf(config);
  }

  /** The git on PATH, if any. */
  static Optional<String> find() {
    return StreamDrain.onPath("git");
  }

  /** A git for discovery only (no git folder fixed yet): used to find the repository. */
  static Git discover(String executable, Path workTree) {
    return new Git(executable, workTree, null, baseEnv(), baseConfig(null));
  }

  /**
   * A git bound to {@code gitDir} and {@code workTree}, with every filter driver the repository
   * configures switched off and {@code excludes} as the excludes file.
   */
  static Git bound(String executable, Path workTree, Path gitDir, Path excludes) {
    Map<String, String> env = baseEnv();
    env.put("GIT_DIR", gitDir.toString());
    env.put("GIT_WORK_TREE", workTree.toString());
    Git probe = new Git(executable, workTree, gitDir, env, baseConfig(excludes));
    List<String> config = new ArrayList<>(baseConfig(excludes));
    Result filters = probe.run(List.of("config", "--name-only", "--get-regexp", "^filter\\."));
    if (filters.exit() == 0) {
      java.util.Set<String> drivers = new java.util.TreeSet<>();
      for (String key : filters.text().split("\n")) {
        int first = key.indexOf('.');
        int last = key.lastIndexOf('.');
        if (first > 0 && last > first) {
          drivers.add(key.substring(first + 1, last));
        }
      }
      for (String d : drivers) {
        config.addAll(
            List.of(
                "-c",
                "filter." + d + ".clean=",
                "-c",
                "filter." + d + ".smudge=",
                "-c",
                "filter." + d + ".process=",
                "-c",
                "filter." + d + ".required=false"));
      }
    }
    return new Git(executable, workTree, gitDir, env, config);
  }

  private static Map<String, String> baseEnv() {
    Map<String, String> env = new LinkedHashMap<>();
    String path = System.getenv("PATH");
    env.put("PATH", path == null ? "/usr/bin:/bin" : path);
    env.put("LC_ALL", "C");
    env.put("GIT_CONFIG_NOSYSTEM", "1");
    env.put("GIT_CONFIG_GLOBAL", "/dev/null");
    env.put("GIT_ATTR_NOSYSTEM", "1");
    env.put("GIT_OPTIONAL_LOCKS", "0");
    env.put("GIT_TERMINAL_PROMPT", "0");
    env.put("GIT_NO_REPLACE_OBJECTS", "1");
    env.put("GIT_PAGER", "cat");
    env.put("GIT_ADVICE", "0");
    return env;
  }

  private static List<String> baseConfig(Path excludes) {
    List<String> c = new ArrayList<>();
    for (String kv :
        List.of(
            "core.fsmonitor=false",
            "core.untrackedCache=false",
            "core.hooksPath=/dev/null",
            "core.splitIndex=false",
            "core.trustctime=true",
            "core.checkStat=default",
            "core.ignoreStat=false",
            "core.fileMode=true",
            "core.symlinks=true",
            "core.autocrlf=false",
            "core.safecrlf=false",
            "core.quotePath=false",
            "core.sparseCheckout=false",
            "diff.external=",
            "gc.auto=0",
            "maintenance.auto=false",
            "safe.directory=*")) {
      c.add("-c");
      c.add(kv);
    }
    if (excludes != null) {
      c.add("-c");
      c.add("core.excludesFile=" + excludes);
    }
    return c;
  }

  Path gitDir() {
    return gitDir;
  }

  Result run(List<String> args) {
    return run(args, Map.of(), null);
  }

  /** Runs git; a non-zero exit is the caller's to judge. */
  Result run(List<String> args, Map<String, String> extraEnv, Path stdoutFile) {
    List<String> argv = new ArrayList<>();
    argv.add(executable);
    argv.addAll(config);
    argv.addAll(args);
    ProcessBuilder pb =
        new ProcessBuilder(argv)
            .directory(workTree.toFile())
            .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
    pb.environment().clear();
    pb.environment().putAll(env);
    pb.environment().putAll(extraEnv);
    if (stdoutFile != null) {
      pb.redirectOutput(stdoutFile.toFile());
    }
    Process p;
    try {
      p = pb.start();
    } catch (IOException e) {
      throw new ObserveException(
          "GIT_FAILED", "cannot start git in " + workTree + ": " + e.getMessage(), e);
    }
    StreamDrain out =
        stdoutFile == null
            ? StreamDrain.start("kernel-git-drain", p.getInputStream(), Integer.MAX_VALUE)
            : null;
    StreamDrain err = StreamDrain.start("kernel-git-drain", p.getErrorStream(), STDERR_KEEP);
    try {
      if (!p.waitFor(TIMEOUT_SEC, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new ObserveException(
            "GIT_FAILED",
            "git " + args.get(0) + " did not finish within " + TIMEOUT_SEC + " s in " + workTree);
      }
      if (out != null) {
        out.join();
      }
      err.join();
    } catch (InterruptedException e) {
      p.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new ObserveException("GIT_FAILED", "interrupted while git ran in " + workTree, e);
    }
    return new Result(
        p.exitValue(),
        out == null ? new byte[0] : out.bytes(),
        new String(err.bytes(), StandardCharsets.UTF_8).strip());
  }

  /** Runs git and insists on exit 0. */
  Result ok(List<String> args, Map<String, String> extraEnv, Path stdoutFile) {
    Result r = run(args, extraEnv, stdoutFile);
    if (r.exit() != 0) {
      throw new ObserveException(
          "GIT_FAILED",
          "git "
              + args.get(0)
              + " exited "
              + r.exit()
              + " in "
              + workTree
              + (r.err().isEmpty() ? "" : ": " + firstLine(r.err())));
    }
    return r;
  }

  Result ok(List<String> args) {
    return ok(args, Map.of(), null);
  }

  private static String firstLine(String s) {
    int nl = s.indexOf('\n');
    String line = nl < 0 ? s : s.substring(0, nl);
    return line.length() > 300 ? line.substring(0, 300) + "..." : line;
  }
}
