package dev.aiflow.gitwork;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.regex.Pattern;

/**
 * A campaign's git isolation in one repository (docs/triage.md, "Isolation in git"): each task's
 * agent works in its own worktree on its own branch {@code aiflow/<task>}, created from the
 * campaign branch's head; a task that passed is committed on its branch and integrated into the
 * campaign branch (a merge commit, or a fast-forward when the campaign branch has not moved); a
 * merge that conflicts or whose merged tree fails the task's re-verification is refused and named.
 * The repository's own checkout, index and HEAD are never touched: aiflow moves only its branches.
 *
 * <p>The worktrees live under a folder outside the repository's work tree (the server uses {@code
 * <data-dir>/worktrees/<project>/<campaign>/}), so they are never inside an agent's allowed paths.
 */
public final class GitIsolation {

  /** How a task's branch goes into the campaign branch. */
  public enum Mode {
    /** Always a merge commit: the campaign branch's history shows each task. */
    MERGE,
    /** A fast-forward when the campaign branch has not moved since the task began, else a merge. */
    FAST_FORWARD;

    /** {@code merge} or {@code fast-forward} (null: merge). */
    public static Mode parse(String text) {
      if (text == null || text.isBlank() || text.strip().equalsIgnoreCase("merge")) {
        return MERGE;
      }
      String t = text.strip().toLowerCase(Locale.ROOT).replace('_', '-');
      if (t.equals("fast-forward") || t.equals("ff")) {
        return FAST_FORWARD;
      }
      throw new IllegalArgumentException("must be merge or fast-forward");
    }
  }

  /** A task's worktree: where its agent works, its branch and the commit it started from. */
  public record TaskWorktree(String taskKey, Path path, String branch, String baseCommit) {}

  /** What integrating a task's branch did. */
  public enum Status {
    /** The campaign branch now holds the task's change (commit). */
    INTEGRATED,
    /** The task changed nothing: the campaign branch is as it was. */
    NOTHING_TO_INTEGRATE,
    /** The task's change conflicts with the campaign branch in {@code files}. */
    CONFLICT,
    /** The merged tree fails the task's re-verification ({@code detail}). */
    VERIFY_FAILED
  }

  /**
   * @param commit the campaign branch's new head (INTEGRATED), else its head as it stays
   * @param taskCommit the commit of the task's change on its branch (null: no change)
   * @param files the conflicting files (CONFLICT), else the files the task changed
   * @param fastForward the campaign branch moved by fast-forward
   * @param reverified the merged tree was re-verified (the campaign branch had moved)
   */
  public record Integration(
      Status status,
      String commit,
      String taskCommit,
      List<String> files,
      boolean fastForward,
      boolean reverified,
      String detail) {

    public boolean accepted() {
      return status == Status.INTEGRATED || status == Status.NOTHING_TO_INTEGRATE;
    }
  }

  /** Re-runs a task's proofs in a checkout of the merged tree. */
  @FunctionalInterface
  public interface ReVerifier {
    /**
     * @return empty when the proofs pass, else what failed (a command and its exit)
     */
    Optional<String> failure(Path checkout);
  }

  /** The prefix of every task branch. */
  public static final String TASK_BRANCH_PREFIX = "aiflow/";

  /** The prefix of the default campaign branch {@code aiflow-campaign/<campaign id>}. */
  public static final String CAMPAIGN_BRANCH_PREFIX = "aiflow-campaign/";

  /** Left out of a task's commit: the evidence folder and the kernel's default ignore list. */
  public static final List<String> DEFAULT_EXCLUDES =
      List.of(
          ".artifacts/",
          "__pycache__/",
          "*.pyc",
          ".pytest_cache/",
          ".mypy_cache/",
          ".ruff_cache/",
          ".DS_Store");

  private static final Pattern TASK = Pattern.compile("^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$");
  private static final int INTEGRATE_TRIES = 5;

  /** Per repository (its common git folder): worktree bookkeeping and integration, in turn. */
  private static final Map<String, ReentrantLock> ADMIN = new ConcurrentHashMap<>();

  private static final Map<String, ReentrantLock> INTEGRATE = new ConcurrentHashMap<>();

  private final GitCommand git;
  private final Path repo;
  private final String commonDir;
  private final Path worktreesRoot;

  private GitIsolation(GitCommand git, Path repo, String commonDir, Path worktreesRoot) {
    this.git = git;
    this.repo = repo;
    this.commonDir = commonDir;
    this.worktreesRoot = worktreesRoot;
  }

  /**
   * The isolation for {@code workspace}, when it is the top level of a git work tree with at least
   * one commit and git is installed; empty otherwise (the campaign shares the workspace).
   *
   * @param worktreesRoot where the task worktrees go: created; must lie outside the work tree
   * @param timeout per git command (null: 5 minutes)
   * @throws GitWorkException WORKTREE_REFUSED when {@code worktreesRoot} lies inside the work tree
   */
  public static Optional<GitIsolation> open(Path workspace, Path worktreesRoot, Duration timeout) {
    Optional<String> exe = GitCommand.find();
    if (exe.isEmpty() || workspace == null || !Files.isDirectory(workspace)) {
      return Optional.empty();
    }
    Path ws = real(workspace);
    GitCommand probe = GitCommand.of(exe.get(), timeout);
    GitCommand.Result top = probe.run(ws, List.of("rev-parse", "--show-toplevel"));
    if (!top.ok() || !real(Path.of(top.out().strip())).equals(ws)) {
      return Optional.empty();
    }
    if (!probe.run(ws, List.of("rev-parse", "--verify", "--quiet", "HEAD^{commit}")).ok()) {
      return Optional.empty(); // no commit yet: nothing to branch from
    }
    String common =
        real(ws.resolve(probe.ok(ws, List.of("rev-parse", "--git-common-dir")))).toString();
    Path root = worktreesRoot.toAbsolutePath().normalize();
    try {
      Files.createDirectories(root);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create the worktree folder " + root, e);
    }
    root = real(root);
    if (root.startsWith(ws) || ws.startsWith(root)) {
      throw new GitWorkException(
          "WORKTREE_REFUSED",
          "the worktree folder "
              + root
              + " and the workspace "
              + ws
              + " must not contain each other");
    }
    return Optional.of(new GitIsolation(probe.withoutFilters(ws), ws, common, root));
  }

  /** The repository's top level (the campaign's workspace). */
  public Path repository() {
    return repo;
  }

  public Path worktreesRoot() {
    return worktreesRoot;
  }

  /** {@code aiflow/<task>}. */
  public static String taskBranch(String taskKey) {
    return TASK_BRANCH_PREFIX + requireTask(taskKey);
  }

  /** {@code aiflow-campaign/<campaign id>}. */
  public static String defaultCampaignBranch(String campaignId) {
    return CAMPAIGN_BRANCH_PREFIX + campaignId;
  }

  /** The commit a branch points at, or empty. */
  public Optional<String> head(String branch) {
    GitCommand.Result r =
        git.run(
            repo,
            List.of("rev-parse", "--verify", "--quiet", ref(checkBranch(branch)) + "^{commit}"));
    return r.ok() ? Optional.of(r.out().strip()) : Optional.empty();
  }

  /**
   * Creates the campaign branch at the repository's HEAD unless it exists (safe when lanes race:
   * the first creates, the others find it).
   *
   * @return the branch's head
   */
  public String ensureCampaignBranch(String branch) {
    checkBranch(branch);
    Optional<String> existing = head(branch);
    if (existing.isPresent()) {
      return existing.get();
    }
    String base = git.ok(repo, List.of("rev-parse", "--verify", "HEAD^{commit}"));
    // create only: an all-zero old value refuses when another lane created it meanwhile
    git.run(repo, List.of("update-ref", ref(branch), base, "0".repeat(base.length())));
    return head(branch)
        .orElseThrow(
            () ->
                new GitWorkException(
                    "GIT_FAILED", "cannot create the campaign branch " + branch + " in " + repo));
  }

  /**
   * A fresh worktree for {@code taskKey} on {@code aiflow/<task>} at the campaign branch's head: a
   * worktree left by an earlier run of the task is removed first.
   */
  public TaskWorktree prepare(String campaignBranch, String taskKey) {
    String branch = taskBranch(taskKey);
    String base = ensureCampaignBranch(campaignBranch);
    Path path = worktreesRoot.resolve(taskKey);
    ReentrantLock lock = ADMIN.computeIfAbsent(commonDir, k -> new ReentrantLock());
    lock.lock();
    try {
      clear(path);
      git.ok(repo, List.of("worktree", "add", "--force", "-B", branch, path.toString(), base));
    } finally {
      lock.unlock();
    }
    return new TaskWorktree(taskKey, real(path), branch, base);
  }

  /**
   * Commits what the task changed on its branch and integrates the branch into the campaign branch:
   * a conflict or a failing re-verification of the merged tree leaves the campaign branch as it was
   * and says why. Integrations into one repository happen one at a time, and the branch moves only
   * from the head the merge was made on (compare-and-swap), so none is lost.
   *
   * @param reVerifier runs the task's proofs on a checkout of a merged tree the task did not see
   *     (the campaign branch moved since it began); null: no re-verification
   */
  public Integration integrate(
      TaskWorktree wt,
      String campaignBranch,
      Mode mode,
      String message,
      List<String> excludes,
      ReVerifier reVerifier) {
    checkBranch(campaignBranch);
    String taskCommit = commitTask(wt, message, excludes == null ? DEFAULT_EXCLUDES : excludes);
    ReentrantLock lock = INTEGRATE.computeIfAbsent(commonDir, k -> new ReentrantLock());
    lock.lock();
    try {
      for (int i = 0; i < INTEGRATE_TRIES; i++) {
        String head = ensureCampaignBranch(campaignBranch);
        if (taskCommit == null) {
          return new Integration(
              Status.NOTHING_TO_INTEGRATE, head, null, List.of(), false, false, "no change");
        }
        List<String> changed = changedFiles(wt.baseCommit(), taskCommit);
        if (ancestor(taskCommit, head)) {
          return new Integration(
              Status.NOTHING_TO_INTEGRATE, head, taskCommit, changed, false, false, "already in");
        }
        String merged;
        boolean ff = false;
        boolean reverified = false;
        if (ancestor(head, taskCommit)) {
          // the campaign branch has not moved: the tree is the one the kernel verified
          if (mode == Mode.FAST_FORWARD) {
            merged = taskCommit;
            ff = true;
          } else {
            merged = mergeCommit(tree(taskCommit), head, taskCommit, wt.branch(), campaignBranch);
          }
        } else {
          GitCommand.Result r =
              git.run(
                  repo,
                  List.of(
                      "merge-tree",
                      "--write-tree",
                      "--name-only",
                      "--no-messages",
                      head,
                      taskCommit));
          if (r.exit() == 1) {
            List<String> files = new ArrayList<>();
            String[] lines = r.out().split("\n");
            for (int l = 1; l < lines.length; l++) {
              if (!lines[l].isBlank() && !files.contains(lines[l])) {
                files.add(lines[l]);
              }
            }
            return new Integration(
                Status.CONFLICT,
                head,
                taskCommit,
                List.copyOf(files),
                false,
                false,
                "conflicts with " + campaignBranch + " in " + String.join(", ", files));
          }
          if (!r.ok()) {
            throw GitCommand.failed(repo, List.of("merge-tree"), r);
          }
          String tree = r.out().split("\n", 2)[0].strip();
          merged = mergeCommit(tree, head, taskCommit, wt.branch(), campaignBranch);
          if (reVerifier != null) {
            Optional<String> failure = reVerify(wt.taskKey(), merged, reVerifier);
            reverified = true;
            if (failure.isPresent()) {
              return new Integration(
                  Status.VERIFY_FAILED,
                  head,
                  taskCommit,
                  changed,
                  false,
                  true,
                  "merged with "
                      + campaignBranch
                      + ", the re-verification failed: "
                      + failure.get());
            }
          }
        }
        GitCommand.Result moved =
            git.run(repo, List.of("update-ref", ref(campaignBranch), merged, head));
        if (moved.ok()) {
          return new Integration(
              Status.INTEGRATED, merged, taskCommit, changed, ff, reverified, null);
        }
        // moved under us (another process): merge again on the new head
      }
      throw new GitWorkException(
          "GIT_FAILED",
          "the campaign branch "
              + campaignBranch
              + " kept moving; "
              + wt.branch()
              + " not integrated");
    } finally {
      lock.unlock();
    }
  }

  /**
   * Removes the task's worktree and, when {@code deleteBranch}, its branch. A path that is not a
   * worktree of this repository is left alone.
   */
  public void remove(TaskWorktree wt, boolean deleteBranch) {
    ReentrantLock lock = ADMIN.computeIfAbsent(commonDir, k -> new ReentrantLock());
    lock.lock();
    try {
      clear(wt.path());
      if (deleteBranch) {
        git.run(repo, List.of("update-ref", "-d", ref(wt.branch())));
      }
    } finally {
      lock.unlock();
    }
  }

  /** The linked worktrees the repository knows (its own checkout left out). */
  public List<Path> worktrees() {
    List<Path> out = new ArrayList<>();
    String list = git.ok(repo, List.of("worktree", "list", "--porcelain"));
    boolean first = true;
    for (String line : list.split("\n")) {
      if (line.startsWith("worktree ")) {
        if (!first) {
          out.add(Path.of(line.substring("worktree ".length())));
        }
        first = false;
      }
    }
    return out;
  }

  /** The branches under {@code aiflow/}. */
  public List<String> taskBranches() {
    String out =
        git.ok(
            repo,
            List.of(
                "for-each-ref", "--format=%(refname:short)", "refs/heads/" + TASK_BRANCH_PREFIX));
    return out.isEmpty() ? List.of() : List.of(out.split("\n"));
  }

  // ------------------------------------------------------------------ internals

  /** Stages every change but the excluded ones and commits it on the task branch; null: none. */
  private String commitTask(TaskWorktree wt, String message, List<String> excludes) {
    Path dir = wt.path();
    if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
      throw new GitWorkException("WORKTREE_REFUSED", "the worktree " + dir + " is gone");
    }
    Path excludeFile = worktreesRoot.resolve("." + wt.taskKey() + ".exclude");
    try {
      Files.writeString(excludeFile, String.join("\n", excludes) + "\n", StandardCharsets.UTF_8);
      List<String> add = List.of("add", "-A");
      GitCommand.Result r = git.run(dir, add, List.of("core.excludesFile=" + excludeFile));
      if (!r.ok()) {
        throw GitCommand.failed(dir, add, r);
      }
      // evidence the repository happens to track stays as it was
      git.run(dir, List.of("reset", "-q", "HEAD", "--", ".artifacts"));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + excludeFile, e);
    } finally {
      try {
        Files.deleteIfExists(excludeFile);
      } catch (IOException e) {
        // a small file in aiflow's own folder
      }
    }
    String tree = git.ok(dir, List.of("write-tree"));
    String parent = git.ok(dir, List.of("rev-parse", "--verify", "HEAD^{commit}"));
    if (tree.equals(tree(parent))) {
      // nothing new; a repeated integration finds the commit an earlier one made
      return parent.equals(wt.baseCommit()) ? null : parent;
    }
    String commit = git.ok(dir, List.of("commit-tree", tree, "-p", parent, "-m", message));
    git.ok(dir, List.of("update-ref", ref(wt.branch()), commit, parent));
    return commit;
  }

  private String mergeCommit(
      String tree, String head, String taskCommit, String taskBranch, String campaignBranch) {
    return git.ok(
        repo,
        List.of(
            "commit-tree",
            tree,
            "-p",
            head,
            "-p",
            taskCommit,
            "-m",
            "Merge " + taskBranch + " into " + campaignBranch));
  }

  private Optional<String> reVerify(String taskKey, String commit, ReVerifier verifier) {
    Path path = worktreesRoot.resolve(taskKey + ".verify");
    ReentrantLock lock = ADMIN.computeIfAbsent(commonDir, k -> new ReentrantLock());
    lock.lock();
    try {
      clear(path);
      git.ok(repo, List.of("worktree", "add", "--force", "--detach", path.toString(), commit));
    } finally {
      lock.unlock();
    }
    try {
      return verifier.failure(real(path));
    } finally {
      lock.lock();
      try {
        clear(path);
      } finally {
        lock.unlock();
      }
    }
  }

  /** Removes a worktree of this repository at {@code path}; refuses anything else there. */
  private void clear(Path path) {
    boolean registered = worktrees().stream().anyMatch(p -> real(p).equals(real(path)));
    if (registered) {
      git.ok(repo, List.of("worktree", "remove", "--force", "--force", path.toString()));
    } else if (Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
      throw new GitWorkException(
          "WORKTREE_REFUSED",
          path + " exists and is no worktree of " + repo + ": aiflow does not remove it");
    }
    git.run(repo, List.of("worktree", "prune"));
  }

  private List<String> changedFiles(String from, String to) {
    String out =
        git.ok(repo, List.of("diff-tree", "-r", "--name-only", "--no-commit-id", from, to));
    return out.isEmpty() ? List.of() : List.of(out.split("\n"));
  }

  private boolean ancestor(String a, String b) {
    GitCommand.Result r = git.run(repo, List.of("merge-base", "--is-ancestor", a, b));
    if (r.exit() > 1) {
      throw GitCommand.failed(repo, List.of("merge-base"), r);
    }
    return r.ok();
  }

  private String tree(String commit) {
    return git.ok(repo, List.of("rev-parse", "--verify", commit + "^{tree}"));
  }

  private String checkBranch(String branch) {
    if (branch == null
        || branch.startsWith("-")
        || !git.run(repo, List.of("check-ref-format", "--branch", branch)).ok()) {
      throw new GitWorkException("BAD_BRANCH", "'" + branch + "' is not a valid branch name");
    }
    return branch;
  }

  private static String requireTask(String taskKey) {
    if (taskKey == null
        || !TASK.matcher(taskKey).matches()
        || taskKey.contains("..")
        || taskKey.endsWith(".lock")
        || taskKey.endsWith(".")) {
      throw new GitWorkException(
          "BAD_BRANCH", "the task key cannot name a branch aiflow/<task> or a worktree folder");
    }
    return taskKey;
  }

  private static String ref(String branch) {
    return "refs/heads/" + branch;
  }

  private static Path real(Path p) {
    Path abs = p.toAbsolutePath().normalize();
    try {
      return abs.toRealPath();
    } catch (IOException e) {
      return abs;
    }
  }
}
