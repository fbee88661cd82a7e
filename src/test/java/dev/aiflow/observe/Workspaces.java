package dev.aiflow.observe;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Real workspaces for the observation tests: plain folders and git repositories. */
final class Workspaces {

  private Workspaces() {}

  static Path file(Path ws, String rel, String content) throws IOException {
    Path p = ws.resolve(rel);
    Files.createDirectories(p.getParent());
    Files.writeString(p, content);
    return p;
  }

  /** Runs git in {@code ws} (a test's own git, with its own identity); fails on a non-zero exit. */
  static String git(Path ws, String... args) throws IOException, InterruptedException {
    List<String> argv =
        new ArrayList<>(List.of("git", "-c", "user.name=t", "-c", "user.email=t@t"));
    argv.addAll(List.of(args));
    Process p = new ProcessBuilder(argv).directory(ws.toFile()).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes());
    if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new IllegalStateException("git " + String.join(" ", args) + " failed: " + out);
    }
    return out;
  }

  /** A repository with a commit of {@code src/a.txt}, {@code src/b.txt} and a .gitignore. */
  static Path repo(Path ws) throws IOException, InterruptedException {
    git(ws, "init", "-q", "-b", "main");
    file(ws, "src/a.txt", "alpha\n");
    file(ws, "src/b.txt", "beta\n");
    file(ws, ".gitignore", "*.log\nbuild/\n");
    git(ws, "add", "-A");
    git(ws, "commit", "-q", "-m", "init");
    return ws;
  }

  /** Waits until files written now are older than the observer's racy window. */
  static void settle() throws InterruptedException {
    Thread.sleep(2100);
  }
}
