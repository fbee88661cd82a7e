package dev.aiflow.gitwork;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.aiflow.gitwork.GitIsolation.Integration;
import dev.aiflow.gitwork.GitIsolation.Mode;
import dev.aiflow.gitwork.GitIsolation.Status;
import dev.aiflow.gitwork.GitIsolation.TaskWorktree;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Git isolation on real repositories the test creates, with the real git binary. */
class GitIsolationTest {

  @TempDir Path dir;
  Path repo;
  Path root;
  String initialHead;

  @BeforeEach
  void setUp() throws Exception {
    repo = Files.createDirectories(dir.resolve("repo"));
    root = dir.resolve("data/worktrees/p/c1");
    git(repo, "init", "-q", "-b", "main");
    write(repo, "src/shared.txt", "one\ntwo\nthree\n");
    write(repo, "README.md", "a project\n");
    git(repo, "add", "-A");
    git(repo, "commit", "-q", "-m", "base");
    initialHead = git(repo, "rev-parse", "HEAD");
  }

  GitIsolation iso() {
    return GitIsolation.open(repo, root, Duration.ofSeconds(60)).orElseThrow();
  }

  @Test
  void threeTasksOnDifferentFilesInParallelAllIntegrateAndNoWorktreeIsLeft() throws Exception {
    GitIsolation iso = iso();
    List<TaskWorktree> wts = new ArrayList<>();
    for (String t : List.of("A", "B", "C")) {
      wts.add(iso.prepare("aiflow-campaign/c1", t));
    }
    assertThat(wts).allSatisfy(w -> assertThat(w.baseCommit()).isEqualTo(initialHead));
    assertThat(wts.get(0).path()).startsWith(root.toRealPath());
    assertThat(Files.readString(wts.get(1).path().resolve("README.md"))).isEqualTo("a project\n");
    ExecutorService pool = Executors.newFixedThreadPool(3);
    try {
      List<Future<Integration>> results = new ArrayList<>();
      for (TaskWorktree w : wts) {
        // what an agent does: its file, and evidence that must not be committed
        write(w.path(), "src/" + w.taskKey() + ".txt", "status: done\n");
        write(w.path(), ".artifacts/RUN/" + w.taskKey() + "/log.txt", "evidence\n");
        write(w.path(), "src/__pycache__/x.pyc", "cache\n");
        results.add(
            pool.submit(
                () ->
                    iso.integrate(
                        w,
                        "aiflow-campaign/c1",
                        Mode.MERGE,
                        "Task " + w.taskKey(),
                        null,
                        checkout -> Optional.empty())));
      }
      for (Future<Integration> f : results) {
        Integration i = f.get();
        assertThat(i.status()).isEqualTo(Status.INTEGRATED);
        assertThat(i.files()).hasSize(1);
      }
    } finally {
      pool.shutdown();
    }
    for (TaskWorktree w : wts) {
      iso.remove(w, true);
    }
    String campaign = "aiflow-campaign/c1";
    assertThat(lsTree(campaign))
        .containsExactlyInAnyOrder(
            "README.md", "src/A.txt", "src/B.txt", "src/C.txt", "src/shared.txt");
    assertThat(git(repo, "log", "--merges", "--format=%s", campaign).lines())
        .containsExactlyInAnyOrder(
            "Merge aiflow/A into " + campaign,
            "Merge aiflow/B into " + campaign,
            "Merge aiflow/C into " + campaign);
    assertThat(iso.worktrees()).isEmpty();
    assertThat(iso.taskBranches()).isEmpty();
    assertThat(Files.list(root).toList()).isEmpty();
    // the user's checkout is as it was
    assertThat(git(repo, "rev-parse", "HEAD")).isEqualTo(initialHead);
    assertThat(git(repo, "symbolic-ref", "--short", "HEAD")).isEqualTo("main");
    assertThat(git(repo, "status", "--porcelain")).isEmpty();
  }

  @Test
  void twoTasksEditingTheSameLinesConflictAndTheSecondIsNamedNotMerged() throws Exception {
    GitIsolation iso = iso();
    TaskWorktree p = iso.prepare("camp", "P");
    TaskWorktree q = iso.prepare("camp", "Q");
    write(p.path(), "src/shared.txt", "one\nTWO by P\nthree\n");
    write(q.path(), "src/shared.txt", "one\nTWO by Q\nthree\n");

    Integration first = iso.integrate(p, "camp", Mode.MERGE, "P", null, c -> Optional.empty());
    String afterFirst = iso.head("camp").orElseThrow();
    Integration second = iso.integrate(q, "camp", Mode.MERGE, "Q", null, c -> Optional.empty());

    assertThat(first.status()).isEqualTo(Status.INTEGRATED);
    assertThat(second.status()).isEqualTo(Status.CONFLICT);
    assertThat(second.files()).containsExactly("src/shared.txt");
    assertThat(second.detail()).contains("src/shared.txt");
    assertThat(second.accepted()).isFalse();
    assertThat(iso.head("camp")).contains(afterFirst);
    assertThat(git(repo, "show", "camp:src/shared.txt")).isEqualTo("one\nTWO by P\nthree");
    // the task runs again from the campaign branch's head: a fresh worktree that holds P's change
    TaskWorktree again = iso.prepare("camp", "Q");
    assertThat(again.baseCommit()).isEqualTo(afterFirst);
    assertThat(Files.readString(again.path().resolve("src/shared.txt"))).contains("TWO by P");
    write(again.path(), "src/shared.txt", "one\nTWO by P and Q\nthree\n");
    assertThat(iso.integrate(again, "camp", Mode.MERGE, "Q", null, c -> Optional.empty()).status())
        .isEqualTo(Status.INTEGRATED);
    assertThat(git(repo, "show", "camp:src/shared.txt")).isEqualTo("one\nTWO by P and Q\nthree");
    iso.remove(p, true);
    iso.remove(again, true);
    assertThat(iso.worktrees()).isEmpty();
  }

  @Test
  void aMergedTreeThatFailsTheReVerificationIsRefusedAndTheBranchStays() throws Exception {
    GitIsolation iso = iso();
    TaskWorktree s = iso.prepare("camp", "S");
    TaskWorktree r = iso.prepare("camp", "R");
    write(s.path(), "src/S.txt", "S\n");
    write(r.path(), "src/R.txt", "R\n");
    assertThat(iso.integrate(s, "camp", Mode.MERGE, "S", null, c -> Optional.empty()).status())
        .isEqualTo(Status.INTEGRATED);
    String head = iso.head("camp").orElseThrow();
    List<Path> seen = new ArrayList<>();
    // R's proof: S.txt must not exist; true in R's worktree, false once merged with S
    Integration i =
        iso.integrate(
            r,
            "camp",
            Mode.MERGE,
            "R",
            null,
            checkout -> {
              seen.add(checkout);
              return Files.exists(checkout.resolve("src/S.txt"))
                  ? Optional.of("`test ! -e src/S.txt` exited 1")
                  : Optional.empty();
            });
    assertThat(i.status()).isEqualTo(Status.VERIFY_FAILED);
    assertThat(i.reverified()).isTrue();
    assertThat(i.detail()).contains("test ! -e src/S.txt");
    assertThat(iso.head("camp")).contains(head);
    assertThat(seen).hasSize(1);
    assertThat(seen.get(0)).doesNotExist(); // the re-verification checkout is gone
    iso.remove(s, true);
    iso.remove(r, false); // kept branch: for inspection
    assertThat(iso.worktrees()).isEmpty();
    assertThat(iso.taskBranches()).containsExactly("aiflow/R");
  }

  @Test
  void fastForwardWhenTheCampaignBranchHasNotMovedAndNothingToIntegrateWithoutAChange()
      throws Exception {
    GitIsolation iso = iso();
    TaskWorktree a = iso.prepare("camp", "A");
    write(a.path(), "src/A.txt", "A\n");
    Integration i = iso.integrate(a, "camp", Mode.FAST_FORWARD, "A", null, null);
    assertThat(i.status()).isEqualTo(Status.INTEGRATED);
    assertThat(i.fastForward()).isTrue();
    assertThat(i.commit()).isEqualTo(i.taskCommit());
    assertThat(git(repo, "rev-list", "--count", "camp")).isEqualTo("2");
    TaskWorktree b = iso.prepare("camp", "B");
    write(b.path(), ".artifacts/only-evidence.txt", "x\n");
    Integration nothing = iso.integrate(b, "camp", Mode.FAST_FORWARD, "B", null, null);
    assertThat(nothing.status()).isEqualTo(Status.NOTHING_TO_INTEGRATE);
    assertThat(nothing.accepted()).isTrue();
    assertThat(iso.head("camp")).contains(i.commit());
    iso.remove(a, true);
    iso.remove(b, true);
  }

  @Test
  void noIsolationOutsideTheTopLevelOfAWorkTreeOrWithoutACommit() throws Exception {
    Path sub = Files.createDirectories(repo.resolve("src"));
    assertThat(GitIsolation.open(sub, root, null)).isEmpty();
    Path plain = Files.createDirectories(dir.resolve("plain"));
    assertThat(GitIsolation.open(plain, root, null)).isEmpty();
    Path empty = Files.createDirectories(dir.resolve("empty"));
    git(empty, "init", "-q");
    assertThat(GitIsolation.open(empty, root, null)).isEmpty();
    assertThatThrownBy(() -> GitIsolation.open(repo, repo.resolve(".wt"), null))
        .isInstanceOf(GitWorkException.class)
        .hasMessageContaining("must not contain each other");
  }

  @Test
  void somethingAtTheWorktreePathThatIsNoWorktreeIsNeitherRemovedNorFollowed() throws Exception {
    GitIsolation iso = iso();
    Path outside = Files.createDirectories(dir.resolve("precious"));
    write(outside, "keep.txt", "keep\n");
    Files.createSymbolicLink(root.resolve("T"), outside);
    assertThatThrownBy(() -> iso.prepare("camp", "T"))
        .isInstanceOf(GitWorkException.class)
        .hasMessageContaining("is no worktree");
    assertThat(outside.resolve("keep.txt")).hasContent("keep");
    assertThatThrownBy(() -> iso.prepare("camp", "x.lock"))
        .isInstanceOf(GitWorkException.class)
        .extracting(e -> ((GitWorkException) e).code())
        .isEqualTo("BAD_BRANCH");
    assertThatThrownBy(() -> iso.prepare("--force", "A"))
        .isInstanceOf(GitWorkException.class)
        .hasMessageContaining("not a valid branch name");
  }

  @Test
  void aRerunReplacesTheWorktreeAnEarlierRunLeft() throws Exception {
    GitIsolation iso = iso();
    TaskWorktree first = iso.prepare("camp", "A");
    write(first.path(), "src/A.txt", "half done\n");
    TaskWorktree second = iso.prepare("camp", "A");
    assertThat(second.path()).isEqualTo(first.path());
    assertThat(second.path().resolve("src/A.txt")).doesNotExist();
    assertThat(iso.worktrees()).hasSize(1);
    iso.remove(second, true);
  }

  @Test
  void theKernelObservesAWorktreeAsAWorkTreeItsDotGitFileNoChange() throws Exception {
    GitIsolation iso = iso();
    TaskWorktree w = iso.prepare("camp", "A");
    assertThat(w.path().resolve(".git")).isRegularFile(); // a linked worktree's pointer
    for (dev.aiflow.observe.WorkspaceObserver observer :
        List.of(
            dev.aiflow.observe.WorkspaceObserver.withDefaults(),
            dev.aiflow.observe.WorkspaceObserver.manifestOnly(null))) {
      Path state = Files.createTempDirectory(dir, "observe");
      dev.aiflow.observe.WorkspaceSnapshot before = observer.snapshot(w.path(), state);
      write(w.path(), "src/A.txt", "status: done\n");
      write(w.path(), ".artifacts/RUN/log.txt", "evidence\n");
      dev.aiflow.observe.WorkspaceSnapshot after = observer.snapshotAfter(before);
      dev.aiflow.observe.ChangeSet changes = observer.compare(before, after);
      assertThat(changes.workspaceChanges())
          .as(before.mode())
          .extracting(dev.aiflow.observe.ObservedChange::path)
          .containsExactly("src/A.txt");
      assertThat(changes.gitMetadataChanges()).as(before.mode()).isEmpty();
      assertThat(changes.headMoved()).isFalse();
      Files.delete(w.path().resolve("src/A.txt"));
    }
    // another lane's worktree and integration leave this one's observation alone
    dev.aiflow.observe.WorkspaceObserver observer =
        dev.aiflow.observe.WorkspaceObserver.withDefaults();
    dev.aiflow.observe.WorkspaceSnapshot before =
        observer.snapshot(w.path(), Files.createTempDirectory(dir, "observe"));
    TaskWorktree b = iso.prepare("camp", "B");
    write(b.path(), "src/B.txt", "B\n");
    iso.integrate(b, "camp", Mode.MERGE, "B", null, null);
    iso.remove(b, true);
    dev.aiflow.observe.ChangeSet none = observer.compare(before, observer.snapshotAfter(before));
    assertThat(none.workspaceChanges()).isEmpty();
    assertThat(none.gitMetadataChanges()).isEmpty();
    iso.remove(w, true);
  }

  List<String> lsTree(String ref) throws Exception {
    return git(repo, "ls-tree", "-r", "--name-only", ref).lines().toList();
  }

  static void write(Path base, String rel, String text) throws IOException {
    Path p = base.resolve(rel);
    Files.createDirectories(p.getParent());
    Files.writeString(p, text, StandardCharsets.UTF_8);
  }

  static String git(Path dir, String... args) throws Exception {
    List<String> argv =
        new ArrayList<>(List.of("git", "-c", "user.name=t", "-c", "user.email=t@t"));
    argv.addAll(List.of(args));
    Process p = new ProcessBuilder(argv).directory(dir.toFile()).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (p.waitFor() != 0) {
      throw new IllegalStateException("git " + String.join(" ", args) + ": " + out);
    }
    return out.strip();
  }
}
