package dev.aiflow.observe;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The kernel's eyes: snapshots of a workspace, the changes between two, and the observed patch
 * (docs/protocol.md, "What the kernel observes").
 *
 * <p>In a git work tree (the workspace is its top level and git is installed) a snapshot is HEAD
 * and the tree of every tracked and untracked, non-ignored file, written by git itself from a
 * private copy of the repository's index into a private object store: git's stat data means only
 * files that changed are hashed, and the two trees give the change set ({@code git diff-tree}) and
 * a binary patch ({@code git diff --binary}). The repository itself is never written. Elsewhere a
 * snapshot is a content manifest (path, type, mode, size, SHA-256, links as links), and a later one
 * re-hashes only files whose stat data changed. Both leave out {@code .artifacts/} and the ignore
 * rules, and both record the git folder's behaviour-changing files (config, HEAD, hooks/, info/,
 * alternates) so changes there are seen.
 */
public final class WorkspaceObserver {

  /** Left out by default besides {@code .artifacts/}: caches that running tests creates. */
  public static final List<String> DEFAULT_IGNORE =
      List.of(
          "__pycache__/", "*.pyc", ".pytest_cache/", ".mypy_cache/", ".ruff_cache/", ".DS_Store");

  static final String ARTIFACTS = ".artifacts";

  private static final List<String> METADATA_FILES =
      List.of("config", "config.worktree", "HEAD", "commondir", "gitdir");
  private static final List<String> METADATA_FOLDERS = List.of("hooks", "info");
  private static final List<String> METADATA_OBJECT_FILES =
      List.of("objects/info/alternates", "objects/info/http-alternates");

  private final List<String> ignore;
  private final IgnoreRules rules;
  private final Optional<String> git;

  /**
   * @param ignore rules left out besides {@code .artifacts/} (null: {@link #DEFAULT_IGNORE})
   * @param gitExecutable git to use, null to look on PATH; without git every workspace is observed
   *     by manifest
   */
  public WorkspaceObserver(List<String> ignore, String gitExecutable) {
    this.ignore = List.copyOf(ignore == null ? DEFAULT_IGNORE : ignore);
    this.rules = new IgnoreRules(this.ignore);
    this.git = gitExecutable != null ? Optional.of(gitExecutable) : Git.find();
  }

  public static WorkspaceObserver withDefaults() {
    return new WorkspaceObserver(null, null);
  }

  /** Never uses git, even in a git work tree (for comparisons and tests). */
  public static WorkspaceObserver manifestOnly(List<String> ignore) {
    return new WorkspaceObserver(ignore, "");
  }

  public List<String> ignore() {
    return ignore;
  }

  // ------------------------------------------------------------------ snapshots

  /**
   * Records the workspace's state before a dispatch.
   *
   * @param stateDir a folder outside the workspace for the private index and objects (created)
   */
  public WorkspaceSnapshot snapshot(Path workspace, Path stateDir) {
    Path ws = real(workspace);
    Path state = prepareState(stateDir);
    long startNs = nowNs();
    Optional<Discovery> repo = discover(ws);
    if (repo.isEmpty()) {
      return manifestSnapshot(ws, state, startNs, null);
    }
    Discovery d = repo.get();
    Git g = bound(ws, d.gitDir(), state);
    Path index = nextIndex(state);
    Path own = d.gitDir().resolve("index");
    if (Files.isRegularFile(own)) {
      copy(own, index);
      clearFlags(g, index);
    }
    return gitSnapshot(ws, state, startNs, g, d, index);
  }

  /**
   * Records the workspace's state again, relative to an earlier snapshot: the same mode, git folder
   * and state folder, re-hashing only what changed since {@code base}.
   */
  public WorkspaceSnapshot snapshotAfter(WorkspaceSnapshot base) {
    Path ws = Path.of(base.workspace());
    Path state = prepareState(base.statePath());
    long startNs = nowNs();
    if (!base.gitMode()) {
      Map<String, ManifestEntry> earlier = new LinkedHashMap<>();
      base.entries().forEach(e -> earlier.put(e.path(), e));
      return manifestSnapshot(ws, state, startNs, new Earlier(earlier, base.takenAtEpochNs()));
    }
    WorkspaceSnapshot.GitState gs = base.git();
    Discovery d = new Discovery(Path.of(gs.gitDir()), Path.of(gs.commonDir()), gs.objectFormat());
    if (!Files.isDirectory(d.gitDir(), LinkOption.NOFOLLOW_LINKS)
        || !Files.isDirectory(d.commonDir().resolve("objects"), LinkOption.NOFOLLOW_LINKS)) {
      return unobservable(
          ws, state, startNs, d, "the git folder " + d.gitDir() + " is gone or is no folder");
    }
    Git g = bound(ws, d.gitDir(), state);
    Path index = nextIndex(state);
    if (gs.index() != null && Files.isRegularFile(state.resolve(gs.index()))) {
      copy(state.resolve(gs.index()), index);
    }
    return gitSnapshot(ws, state, startNs, g, d, index);
  }

  /**
   * A snapshot of a git work tree as of its HEAD commit, for reviewing changes offline when no
   * snapshot was taken before the agent ran ({@code aiflow review-step} without one).
   *
   * @throws ObserveException {@code NOT_GIT} when the workspace is not the top of a git work tree
   */
  public WorkspaceSnapshot headSnapshot(Path workspace, Path stateDir) {
    Path ws = real(workspace);
    Path state = prepareState(stateDir);
    long startNs = nowNs();
    Discovery d =
        discover(ws)
            .orElseThrow(
                () ->
                    new ObserveException(
                        "NOT_GIT",
                        ws
                            + " is not the top of a git work tree: a snapshot taken before the"
                            + " agent ran is needed"));
    Git g = bound(ws, d.gitDir(), state);
    Path index = nextIndex(state);
    Path own = d.gitDir().resolve("index");
    if (Files.isRegularFile(own)) {
      copy(own, index); // only for its stat data: the next snapshot hashes less
      clearFlags(g, index);
    }
    Map<String, String> env = objectEnv(state, d, index);
    String head = head(g, env);
    String tree =
        head == null
            ? g.ok(List.of("mktree"), env, null).text().strip()
            : g.ok(List.of("rev-parse", head + "^{tree}"), env, null).text().strip();
    return new WorkspaceSnapshot(
        WorkspaceSnapshot.SCHEMA,
        ws.toString(),
        WorkspaceSnapshot.GIT,
        Instant.now().toString(),
        startNs,
        ignore,
        new WorkspaceSnapshot.GitState(
            d.gitDir().toString(),
            d.commonDir().toString(),
            head,
            tree,
            index.getFileName().toString(),
            d.objectFormat()),
        metadata(ws, d.gitDir(), d.commonDir()),
        List.of(),
        state.toString());
  }

  private WorkspaceSnapshot gitSnapshot(
      Path ws, Path state, long startNs, Git g, Discovery d, Path index) {
    Map<String, String> env = objectEnv(state, d, index);
    // every tracked and untracked, non-ignored file into the private index and objects
    g.ok(List.of("add", "-A", "--", "."), env, null);
    String tree = g.ok(List.of("write-tree"), env, null).text().strip();
    return new WorkspaceSnapshot(
        WorkspaceSnapshot.SCHEMA,
        ws.toString(),
        WorkspaceSnapshot.GIT,
        Instant.now().toString(),
        startNs,
        ignore,
        new WorkspaceSnapshot.GitState(
            d.gitDir().toString(),
            d.commonDir().toString(),
            head(g, env),
            tree,
            index.getFileName().toString(),
            d.objectFormat()),
        metadata(ws, d.gitDir(), d.commonDir()),
        List.of(),
        state.toString());
  }

  private WorkspaceSnapshot unobservable(
      Path ws, Path state, long startNs, Discovery d, String why) {
    return new WorkspaceSnapshot(
        WorkspaceSnapshot.SCHEMA,
        ws.toString(),
        WorkspaceSnapshot.GIT,
        Instant.now().toString(),
        startNs,
        ignore,
        new WorkspaceSnapshot.GitState(
            d.gitDir().toString(), d.commonDir().toString(), null, null, null, why),
        metadata(ws, d.gitDir(), d.commonDir()),
        List.of(),
        state.toString());
  }

  private record Earlier(Map<String, ManifestEntry> entries, long atNs) {}

  private WorkspaceSnapshot manifestSnapshot(Path ws, Path state, long startNs, Earlier earlier) {
    Manifests.Filter filter =
        new Manifests.Filter() {
          @Override
          public boolean skipFolder(String rel) {
            return rel.equals(ARTIFACTS) || rel.equals(".git") || rules.ignored(rel, true);
          }

          @Override
          public boolean skipFile(String rel) {
            return rel.equals(".git") || rules.ignored(rel, false);
          }
        };
    List<ManifestEntry> entries =
        Manifests.walk(
            ws,
            "",
            filter,
            earlier == null ? null : earlier.entries(),
            earlier == null ? 0 : earlier.atNs());
    Path dotGit = ws.resolve(".git");
    return new WorkspaceSnapshot(
        WorkspaceSnapshot.SCHEMA,
        ws.toString(),
        WorkspaceSnapshot.MANIFEST,
        Instant.now().toString(),
        startNs,
        ignore,
        null,
        metadata(ws, dotGit, dotGit),
        entries,
        state.toString());
  }

  // ------------------------------------------------------------------ changes

  /** The changes from {@code before} to {@code after} (snapshots of the same workspace). */
  public ChangeSet compare(WorkspaceSnapshot before, WorkspaceSnapshot after) {
    if (!before.workspace().equals(after.workspace()) || !before.mode().equals(after.mode())) {
      throw new ObserveException(
          "SNAPSHOT_MISMATCH",
          "the snapshots are of different workspaces or modes ("
              + before.mode()
              + " "
              + before.workspace()
              + ", "
              + after.mode()
              + " "
              + after.workspace()
              + ")");
    }
    Path ws = Path.of(after.workspace());
    List<ObservedChange> changes = new ArrayList<>();
    String incomplete = null;
    String idKind;
    String headBefore = null;
    String headAfter = null;
    if (before.gitMode()) {
      WorkspaceSnapshot.GitState a = before.git();
      WorkspaceSnapshot.GitState b = after.git();
      idKind = "git-" + a.objectFormat();
      headBefore = a.head();
      headAfter = b.head();
      if (a.tree() == null || b.tree() == null) {
        idKind = "git";
        incomplete = b.tree() == null ? b.objectFormat() : a.objectFormat();
        headAfter = headBefore;
      } else if (!a.tree().equals(b.tree())) {
        changes.addAll(gitChanges(before, after, ws));
      }
    } else {
      idKind = "sha256";
      changes.addAll(manifestChanges(before.entries(), after.entries(), ws, false));
    }
    changes.addAll(manifestChanges(before.gitMetadata(), after.gitMetadata(), ws, true));
    changes.sort((x, y) -> x.path().compareTo(y.path()));
    return new ChangeSet(before.mode(), idKind, headBefore, headAfter, changes, incomplete);
  }

  private List<ObservedChange> gitChanges(
      WorkspaceSnapshot before, WorkspaceSnapshot after, Path ws) {
    Git g = gitFor(after);
    Map<String, String> env = diffEnv(before, after);
    byte[] raw =
        g.ok(
                List.of(
                    "diff-tree",
                    "-r",
                    "-z",
                    "--raw",
                    "--no-renames",
                    "--full-index",
                    before.git().tree(),
                    after.git().tree()),
                env,
                null)
            .out();
    List<ObservedChange> out = new ArrayList<>();
    String[] parts = new String(raw, StandardCharsets.UTF_8).split("\0", -1);
    for (int i = 0; i + 1 < parts.length; i += 2) {
      String meta = parts[i];
      String path = parts[i + 1];
      if (!meta.startsWith(":") || underArtifacts(path)) {
        continue;
      }
      String[] f = meta.substring(1).split(" ");
      String oldMode = f[0];
      String newMode = f[1];
      String oldId = f[2];
      String newId = f[3];
      char status = f[4].charAt(0);
      String oldType = gitType(oldMode);
      String newType = gitType(newMode);
      ChangeKind kind =
          switch (status) {
            case 'A' -> ChangeKind.ADDED;
            case 'D' -> ChangeKind.DELETED;
            case 'T' -> ChangeKind.TYPE_CHANGED;
            default -> oldId.equals(newId) ? ChangeKind.MODE_CHANGED : ChangeKind.MODIFIED;
          };
      String target = null;
      Boolean escapes = null;
      if ("link".equals(newType) && kind != ChangeKind.DELETED) {
        target = g.ok(List.of("cat-file", "blob", newId), env, null).text();
        escapes = linkEscapes(ws, path, target);
      }
      out.add(
          new ObservedChange(
              path,
              kind,
              kind == ChangeKind.ADDED ? null : oldType,
              kind == ChangeKind.DELETED ? null : newType,
              kind == ChangeKind.ADDED ? null : oldMode,
              kind == ChangeKind.DELETED ? null : newMode,
              kind == ChangeKind.ADDED ? null : oldId,
              kind == ChangeKind.DELETED ? null : newId,
              target,
              escapes,
              false));
    }
    return out;
  }

  private static String gitType(String mode) {
    return switch (mode) {
      case "120000" -> "link";
      case "160000" -> "gitlink";
      case "000000" -> null;
      default -> "file";
    };
  }

  static List<ObservedChange> manifestChanges(
      List<ManifestEntry> before, List<ManifestEntry> after, Path ws, boolean metadata) {
    Map<String, ManifestEntry> a = new TreeMap<>();
    before.forEach(e -> a.put(e.path(), e));
    Map<String, ManifestEntry> b = new TreeMap<>();
    after.forEach(e -> b.put(e.path(), e));
    TreeSet<String> paths = new TreeSet<>(a.keySet());
    paths.addAll(b.keySet());
    List<ObservedChange> out = new ArrayList<>();
    for (String path : paths) {
      ManifestEntry x = a.get(path);
      ManifestEntry y = b.get(path);
      ChangeKind kind;
      if (x == null) {
        kind = ChangeKind.ADDED;
      } else if (y == null) {
        kind = ChangeKind.DELETED;
      } else if (!x.type().equals(y.type())) {
        kind = ChangeKind.TYPE_CHANGED;
      } else if (ManifestEntry.UNREADABLE.equals(y.type())
          || !java.util.Objects.equals(x.sha256(), y.sha256())) {
        kind = ChangeKind.MODIFIED;
      } else if (!x.mode().equals(y.mode())) {
        kind = ChangeKind.MODE_CHANGED;
      } else {
        continue;
      }
      boolean link = y != null && ManifestEntry.LINK.equals(y.type());
      out.add(
          new ObservedChange(
              path,
              kind,
              x == null ? null : x.type(),
              y == null ? null : y.type(),
              x == null ? null : x.mode(),
              y == null ? null : y.mode(),
              x == null ? null : x.sha256(),
              y == null ? null : y.sha256(),
              link ? y.linkTarget() : null,
              link ? (metadata ? Boolean.FALSE : linkEscapes(ws, path, y.linkTarget())) : null,
              metadata));
    }
    return out;
  }

  /**
   * Whether a link at {@code path} pointing to {@code target} leaves the workspace, resolved
   * lexically (no other link is followed): an absolute target outside it, or a relative one that
   * climbs above its root.
   */
  static boolean linkEscapes(Path ws, String path, String target) {
    if (target.isEmpty()) {
      return false;
    }
    if (target.startsWith("/")) {
      Path t = Path.of(target).normalize();
      return !(t.startsWith(ws) || t.startsWith(ws.toAbsolutePath().normalize()));
    }
    Deque<String> at = new ArrayDeque<>();
    String[] segs = path.split("/");
    for (int i = 0; i < segs.length - 1; i++) {
      at.addLast(segs[i]);
    }
    for (String s : target.split("/")) {
      if (s.isEmpty() || s.equals(".")) {
        continue;
      }
      if (s.equals("..")) {
        if (at.isEmpty()) {
          return true;
        }
        at.removeLast();
      } else {
        at.addLast(s);
      }
    }
    return false;
  }

  // ------------------------------------------------------------------ patch

  /**
   * Writes the observed patch of {@code changes} to {@code file}: in a git work tree the output of
   * {@code git diff --binary --full-index} between the two trees ({@code git apply} can replay it),
   * elsewhere (and for the git folder) the after-images (docs/protocol.md, "The observed patch").
   *
   * @param metadataFile where after-images of git-folder changes go in a git work tree (written
   *     only when there are any); null to leave them out
   */
  public void writePatch(
      WorkspaceSnapshot before,
      WorkspaceSnapshot after,
      ChangeSet changes,
      Path file,
      Path metadataFile) {
    try {
      Files.createDirectories(file.toAbsolutePath().getParent());
      if (before.gitMode() && changes.incomplete() == null) {
        Git g = gitFor(after);
        g.ok(
            List.of(
                "diff",
                "--binary",
                "--full-index",
                "--no-renames",
                "--no-ext-diff",
                "--no-textconv",
                "--no-color",
                before.git().tree(),
                after.git().tree(),
                "--",
                ".",
                ":(exclude)" + ARTIFACTS),
            diffEnv(before, after),
            file);
        List<ObservedChange> meta = changes.gitMetadataChanges();
        if (metadataFile != null && !meta.isEmpty()) {
          PatchImages.write(Path.of(after.workspace()), after, meta, metadataFile);
        }
      } else {
        PatchImages.write(Path.of(after.workspace()), after, changes.changes(), file);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the observed patch " + file, e);
    }
  }

  // ------------------------------------------------------------------ git plumbing

  private record Discovery(Path gitDir, Path commonDir, String objectFormat) {}

  private Optional<Discovery> discover(Path ws) {
    if (git.isEmpty() || git.get().isEmpty()) {
      return Optional.empty();
    }
    Git g = Git.discover(git.get(), ws);
    Git.Result r =
        g.run(List.of("rev-parse", "--show-toplevel", "--absolute-git-dir", "--git-common-dir"));
    if (r.exit() != 0) {
      return Optional.empty();
    }
    String[] lines = r.text().split("\n");
    if (lines.length < 3 || !real(Path.of(lines[0])).equals(ws)) {
      return Optional.empty(); // not a repository, or the workspace is a folder inside one
    }
    Path gitDir = real(Path.of(lines[1]));
    Path common = Path.of(lines[2]);
    common = real(common.isAbsolute() ? common : ws.resolve(common));
    Git.Result format = g.run(List.of("rev-parse", "--show-object-format"));
    String objectFormat = format.exit() == 0 ? format.text().strip() : "sha1";
    return Optional.of(
        new Discovery(gitDir, common, objectFormat.isEmpty() ? "sha1" : objectFormat));
  }

  private Git bound(Path ws, Path gitDir, Path state) {
    return Git.bound(git.orElseThrow(), ws, gitDir, state.resolve("exclude"));
  }

  private Git gitFor(WorkspaceSnapshot s) {
    String exe =
        git.filter(x -> !x.isEmpty())
            .orElseThrow(
                () ->
                    new ObserveException("GIT_MISSING", "git is needed to compare git snapshots"));
    return Git.bound(
        exe, Path.of(s.workspace()), Path.of(s.git().gitDir()), s.statePath().resolve("exclude"));
  }

  private static Map<String, String> objectEnv(Path state, Discovery d, Path index) {
    Map<String, String> env = new LinkedHashMap<>();
    env.put("GIT_INDEX_FILE", index.toString());
    env.put("GIT_OBJECT_DIRECTORY", state.resolve("objects").toString());
    env.put("GIT_ALTERNATE_OBJECT_DIRECTORIES", d.commonDir().resolve("objects").toString());
    return env;
  }

  private static Map<String, String> diffEnv(WorkspaceSnapshot before, WorkspaceSnapshot after) {
    Map<String, String> env = new LinkedHashMap<>();
    env.put("GIT_OBJECT_DIRECTORY", after.statePath().resolve("objects").toString());
    List<String> alternates = new ArrayList<>();
    if (!before.statePath().equals(after.statePath())) {
      alternates.add(before.statePath().resolve("objects").toString());
    }
    alternates.add(Path.of(after.git().commonDir()).resolve("objects").toString());
    env.put("GIT_ALTERNATE_OBJECT_DIRECTORIES", String.join(":", alternates));
    env.put("GIT_INDEX_FILE", after.statePath().resolve("index-unused").toString());
    return env;
  }

  private static String head(Git g, Map<String, String> env) {
    Git.Result r = g.run(List.of("rev-parse", "-q", "--verify", "HEAD^{commit}"), env, null);
    return r.exit() == 0 ? r.text().strip() : null;
  }

  /** Clears assume-unchanged and skip-worktree bits in the private index: git must look. */
  private static void clearFlags(Git g, Path index) {
    Map<String, String> env = Map.of("GIT_INDEX_FILE", index.toString());
    byte[] listed = g.ok(List.of("ls-files", "-v", "-z"), env, null).out();
    List<String> flagged = new ArrayList<>();
    for (String entry : new String(listed, StandardCharsets.UTF_8).split("\0")) {
      if (entry.length() > 2
          && (Character.isLowerCase(entry.charAt(0)) || entry.charAt(0) == 'S')) {
        flagged.add(entry.substring(2));
      }
    }
    for (int i = 0; i < flagged.size(); i += 200) {
      List<String> args =
          new ArrayList<>(List.of("update-index", "--no-assume-unchanged", "--no-skip-worktree"));
      args.add("--");
      args.addAll(flagged.subList(i, Math.min(flagged.size(), i + 200)));
      g.ok(args, env, null);
    }
  }

  private Path prepareState(Path stateDir) {
    Path state = stateDir.toAbsolutePath().normalize();
    try {
      Files.createDirectories(state.resolve("objects"));
      List<String> lines = new ArrayList<>();
      lines.add("# aiflow kernel observation: left out besides .gitignore");
      lines.add("/" + ARTIFACTS + "/");
      lines.addAll(rules.asGitignore());
      Files.write(state.resolve("exclude"), lines, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot prepare the observation state " + state, e);
    }
    return state;
  }

  private static Path nextIndex(Path state) {
    int n = 0;
    try (DirectoryStream<Path> s = Files.newDirectoryStream(state, "index-*")) {
      for (Path p : s) {
        String suffix = p.getFileName().toString().substring("index-".length());
        if (suffix.chars().allMatch(Character::isDigit) && !suffix.isEmpty()) {
          n = Math.max(n, Integer.parseInt(suffix) + 1);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + state, e);
    }
    return state.resolve("index-" + n);
  }

  private static void copy(Path from, Path to) {
    try {
      // the copy keeps the index's mtime: git's racy-entry check must see the original time
      Files.copy(from, to, StandardCopyOption.COPY_ATTRIBUTES, StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot copy the git index " + from, e);
    }
  }

  /**
   * The git folder's behaviour-changing files, named {@code .git/...} when inside the workspace.
   */
  static List<ManifestEntry> metadata(Path ws, Path gitDir, Path commonDir) {
    List<ManifestEntry> out = new ArrayList<>();
    Manifests.Hasher hasher = new Manifests.Hasher();
    Path dotGit = ws.resolve(".git");
    if (Files.exists(dotGit, LinkOption.NOFOLLOW_LINKS)
        && !Files.isDirectory(dotGit, LinkOption.NOFOLLOW_LINKS)) {
      add(out, dotGit, ".git", hasher); // a linked worktree's pointer to its git folder
    }
    TreeSet<Path> dirs = new TreeSet<>(List.of(gitDir, commonDir));
    for (Path dir : dirs) {
      String prefix = label(ws, dir);
      if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
        continue;
      }
      for (String f : METADATA_FILES) {
        add(out, dir.resolve(f), prefix + f, hasher);
      }
      for (String f : METADATA_OBJECT_FILES) {
        add(out, dir.resolve(f), prefix + f, hasher);
      }
      for (String folder : METADATA_FOLDERS) {
        out.addAll(
            Manifests.walk(
                dir.resolve(folder),
                prefix + folder + "/",
                new Manifests.Filter() {
                  @Override
                  public boolean skipFolder(String rel) {
                    return false;
                  }

                  @Override
                  public boolean skipFile(String rel) {
                    return false;
                  }
                },
                null,
                0));
      }
    }
    out.sort((a, b) -> a.path().compareTo(b.path()));
    return out;
  }

  private static void add(List<ManifestEntry> out, Path p, String name, Manifests.Hasher h) {
    ManifestEntry e = Manifests.entry(p, name, null, 0, h);
    if (e != null) {
      out.add(e);
    }
  }

  private static String label(Path ws, Path dir) {
    Path abs = dir.toAbsolutePath().normalize();
    return abs.startsWith(ws) ? Manifests.rel(ws, abs) + "/" : abs + "/";
  }

  /** Inside the evidence folder (a link named .artifacts is itself observed). */
  static boolean underArtifacts(String path) {
    return path.startsWith(ARTIFACTS + "/");
  }

  private static Path real(Path p) {
    Path abs = p.toAbsolutePath().normalize();
    try {
      return abs.toRealPath();
    } catch (IOException e) {
      return abs;
    }
  }

  private static long nowNs() {
    Instant now = Instant.now();
    return now.getEpochSecond() * 1_000_000_000L + now.getNano();
  }
}
