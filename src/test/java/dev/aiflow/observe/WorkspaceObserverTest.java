package dev.aiflow.observe;

import static dev.aiflow.observe.Workspaces.file;
import static dev.aiflow.observe.Workspaces.git;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Snapshots and change sets of real folders and real git repositories. */
class WorkspaceObserverTest {

  @TempDir Path ws;
  @TempDir Path state;
  @TempDir Path outside;

  final WorkspaceObserver observer = WorkspaceObserver.withDefaults();

  static Map<String, ObservedChange> byPath(ChangeSet c) {
    return c.changes().stream()
        .collect(Collectors.toMap(ObservedChange::path, Function.identity()));
  }

  WorkspaceObserver observer(String mode) {
    return mode.equals("git") ? observer : WorkspaceObserver.manifestOnly(null);
  }

  void prepare(String mode) throws Exception {
    if (mode.equals("git")) {
      Workspaces.repo(ws);
    } else {
      file(ws, "src/a.txt", "alpha\n");
      file(ws, "src/b.txt", "beta\n");
    }
  }

  /** Every kind of change is seen, in a git work tree and in a plain folder alike. */
  @ParameterizedTest
  @ValueSource(strings = {"git", "manifest"})
  void everyKindOfChangeIsObserved(String mode) throws Exception {
    prepare(mode);
    file(ws, "src/tool.sh", "#!/bin/sh\n");
    file(ws, "src/swap", "a file\n");
    WorkspaceObserver o = observer(mode);
    WorkspaceSnapshot before = o.snapshot(ws, state);
    assertThat(before.mode()).isEqualTo(mode);

    file(ws, "src/a.txt", "alpha changed\n");
    Files.delete(ws.resolve("src/b.txt"));
    file(ws, "src/new.txt", "new\n");
    Files.setPosixFilePermissions(
        ws.resolve("src/tool.sh"), PosixFilePermissions.fromString("rwxr-xr-x"));
    Files.delete(ws.resolve("src/swap"));
    Files.createSymbolicLink(ws.resolve("src/swap"), Path.of("a.txt"));
    Files.createSymbolicLink(ws.resolve("src/out"), Path.of("../../etc/passwd"));
    Files.createSymbolicLink(ws.resolve("abs"), outside.resolve("x"));
    Files.write(ws.resolve("src/bin.dat"), new byte[] {0, 1, 2, (byte) 255});
    file(ws, ".artifacts/R/T/S/log.txt", "evidence is not a change\n");
    file(ws, "src/__pycache__/m.pyc", "cache\n");

    WorkspaceSnapshot after = o.snapshotAfter(before);
    ChangeSet changes = o.compare(before, after);
    Map<String, ObservedChange> c = byPath(changes);
    assertThat(c.keySet())
        .containsExactlyInAnyOrder(
            "src/a.txt",
            "src/b.txt",
            "src/new.txt",
            "src/tool.sh",
            "src/swap",
            "src/out",
            "abs",
            "src/bin.dat");
    assertThat(c.get("src/a.txt").kind()).isEqualTo(ChangeKind.MODIFIED);
    assertThat(c.get("src/b.txt").kind()).isEqualTo(ChangeKind.DELETED);
    assertThat(c.get("src/new.txt").kind()).isEqualTo(ChangeKind.ADDED);
    assertThat(c.get("src/tool.sh").kind()).isEqualTo(ChangeKind.MODE_CHANGED);
    assertThat(c.get("src/swap").kind()).isEqualTo(ChangeKind.TYPE_CHANGED);
    assertThat(c.get("src/swap").linkEscapes()).isFalse();
    assertThat(c.get("src/out").newType()).isEqualTo("link");
    assertThat(c.get("src/out").linkTarget()).isEqualTo("../../etc/passwd");
    assertThat(c.get("src/out").linkEscapes()).isTrue();
    assertThat(c.get("abs").linkEscapes()).isTrue();
    assertThat(changes.linksOutside())
        .extracting(ObservedChange::path)
        .containsExactly("abs", "src/out");
    assertThat(changes.gitMetadataChanges()).isEmpty();

    Path patch = outside.resolve("patch");
    o.writePatch(before, after, changes, patch, outside.resolve("meta.jsonl"));
    String text = Files.readString(patch);
    if (mode.equals("git")) {
      assertThat(text).contains("diff --git a/src/a.txt b/src/a.txt", "+alpha changed");
      assertThat(text).contains("GIT binary patch").contains("new file mode 120000");
      assertThat(text).doesNotContain(".artifacts");
      // the repository's own index and objects were never written: git status is as the agent left
      // it
      assertThat(git(ws, "status", "--porcelain"))
          .contains(" D src/b.txt")
          .contains("?? src/new.txt");
    } else {
      assertThat(text.lines().findFirst().orElseThrow()).contains("aiflow.observed_patch.v1");
      assertThat(text)
          .contains("\"path\":\"src/bin.dat\"")
          .contains("\"content_base64\":\"AAEC/w==\"");
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"git", "manifest"})
  void gitHooksAndConfigAreSeenAsGitFolderChanges(String mode) throws Exception {
    prepare(mode);
    if (mode.equals("manifest")) {
      git(ws, "init", "-q");
    }
    WorkspaceObserver o = observer(mode);
    WorkspaceSnapshot before = o.snapshot(ws, state);
    file(ws, ".git/hooks/pre-commit", "#!/bin/sh\ncurl evil\n");
    Files.writeString(
        ws.resolve(".git/config"),
        "\n[core]\n\tfsmonitor = /tmp/x\n",
        java.nio.file.StandardOpenOption.APPEND);
    ChangeSet c = o.compare(before, o.snapshotAfter(before));
    assertThat(c.gitMetadataChanges())
        .extracting(ObservedChange::path, ObservedChange::kind)
        .containsExactlyInAnyOrder(
            org.assertj.core.groups.Tuple.tuple(".git/config", ChangeKind.MODIFIED),
            org.assertj.core.groups.Tuple.tuple(".git/hooks/pre-commit", ChangeKind.ADDED));
    assertThat(c.workspaceChanges()).isEmpty();
  }

  @Test
  void aCommitMovesHeadAndTheContentStillCounts() throws Exception {
    Workspaces.repo(ws);
    WorkspaceSnapshot before = observer.snapshot(ws, state);
    file(ws, "src/a.txt", "committed away\n");
    git(ws, "commit", "-q", "-am", "hide it");
    ChangeSet c = observer.compare(before, observer.snapshotAfter(before));
    assertThat(c.headMoved()).isTrue();
    assertThat(byPath(c)).containsKey("src/a.txt");
  }

  @Test
  void assumeUnchangedInTheRepositoryIndexHidesNothing() throws Exception {
    Workspaces.repo(ws);
    WorkspaceSnapshot before = observer.snapshot(ws, state);
    git(ws, "update-index", "--assume-unchanged", "src/a.txt");
    file(ws, "src/a.txt", "changed behind git's back\n");
    ChangeSet c = observer.compare(before, observer.snapshotAfter(before));
    assertThat(byPath(c)).containsKey("src/a.txt");
  }

  @Test
  void aDirtyWorkTreeBeforeTheAgentIsTheBaselineNotAChange() throws Exception {
    Workspaces.repo(ws);
    file(ws, "src/a.txt", "dirty before\n");
    file(ws, "notes.txt", "untracked before\n");
    file(ws, "debug.log", "ignored\n");
    WorkspaceSnapshot before = observer.snapshot(ws, state);
    file(ws, "notes.txt", "untracked, then edited by the agent\n");
    file(ws, "more.log", "ignored by .gitignore\n");
    ChangeSet c = observer.compare(before, observer.snapshotAfter(before));
    assertThat(byPath(c).keySet()).containsExactly("notes.txt");
    assertThat(c.idKind()).isEqualTo("git-sha1");
  }

  @Test
  void aManifestCatchesAnEditWhoseMtimeWasPutBack() throws Exception {
    file(ws, "src/a.txt", "aaaa\n");
    FileTime old = FileTime.fromMillis(System.currentTimeMillis() - 60_000);
    Files.setLastModifiedTime(ws.resolve("src/a.txt"), old);
    Workspaces.settle();
    WorkspaceObserver o = WorkspaceObserver.manifestOnly(null);
    WorkspaceSnapshot before = o.snapshot(ws, state);
    Files.writeString(ws.resolve("src/a.txt"), "bbbb\n"); // same size
    Files.setLastModifiedTime(ws.resolve("src/a.txt"), old);
    ChangeSet c = o.compare(before, o.snapshotAfter(before));
    assertThat(byPath(c)).containsKey("src/a.txt");
  }

  @Test
  void aSnapshotSurvivesAsJson() throws Exception {
    Workspaces.repo(ws);
    WorkspaceSnapshot before = observer.snapshot(ws, state);
    Path file = state.resolve("before.json");
    before.write(file);
    WorkspaceSnapshot read = WorkspaceSnapshot.read(file);
    assertThat(read).isEqualTo(before);
    file(ws, "src/a.txt", "x\n");
    assertThat(byPath(observer.compare(read, observer.snapshotAfter(read))))
        .containsKey("src/a.txt");

    Files.writeString(file, "{\"schema\":\"other\"}");
    assertThatThrownBy(() -> WorkspaceSnapshot.read(file))
        .isInstanceOf(ObserveException.class)
        .hasMessageContaining("not a workspace snapshot");
    assertThatThrownBy(() -> WorkspaceSnapshot.read(state.resolve("none.json")))
        .hasMessageContaining("no workspace snapshot at");
  }

  @Test
  void aFolderInsideARepositoryIsObservedByManifest() throws Exception {
    Workspaces.repo(ws);
    Path sub = ws.resolve("src");
    WorkspaceSnapshot s = observer.snapshot(sub, state);
    assertThat(s.mode()).isEqualTo("manifest");
    assertThat(s.entries()).extracting(ManifestEntry::path).containsExactly("a.txt", "b.txt");
  }

  @Test
  void aDeletedGitFolderIsReportedNotACrash() throws Exception {
    Workspaces.repo(ws);
    WorkspaceSnapshot before = observer.snapshot(ws, state);
    KernelEvidence.deleteTree(ws.resolve(".git"));
    ChangeSet c = observer.compare(before, observer.snapshotAfter(before));
    assertThat(c.incomplete()).contains("is gone");
    assertThat(c.gitMetadataChanges()).extracting(ObservedChange::path).contains(".git/config");
  }

  @Test
  void headSnapshotComparesAgainstTheLastCommit() throws Exception {
    Workspaces.repo(ws);
    file(ws, "src/a.txt", "changed since HEAD\n");
    WorkspaceSnapshot head = observer.headSnapshot(ws, state);
    ChangeSet c = observer.compare(head, observer.snapshotAfter(head));
    assertThat(byPath(c).keySet()).containsExactly("src/a.txt");
    assertThatThrownBy(() -> observer.headSnapshot(outside, state))
        .hasMessageContaining("is not the top of a git work tree");
  }

  @Test
  void ignoreRulesFollowASmallGitignoreDialect() {
    IgnoreRules r = new IgnoreRules(List.of("__pycache__/", "*.pyc", "build/gen/**", "/top.txt"));
    assertThat(r.ignored("a/b/__pycache__", true)).isTrue();
    assertThat(r.ignored("a/__pycache__", false)).isFalse();
    assertThat(r.ignored("x/y.pyc", false)).isTrue();
    assertThat(r.ignored("build/gen/a/b.c", false)).isTrue();
    assertThat(r.ignored("src/build/gen/a", false)).isFalse();
    assertThat(r.ignored("top.txt", false)).isTrue();
    assertThat(r.asGitignore())
        .containsExactly("__pycache__/", "*.pyc", "/build/gen/**", "/top.txt");
  }

  @Test
  void linksAreJudgedLexically() {
    Path root = Path.of("/w");
    assertThat(WorkspaceObserver.linkEscapes(root, "a/b/l", "../c")).isFalse();
    assertThat(WorkspaceObserver.linkEscapes(root, "a/l", "../../c")).isTrue();
    assertThat(WorkspaceObserver.linkEscapes(root, "l", "/w/x")).isFalse();
    assertThat(WorkspaceObserver.linkEscapes(root, "l", "/etc")).isTrue();
    assertThat(WorkspaceObserver.linkEscapes(root, "a/l", "./x/../../y")).isFalse();
  }
}
