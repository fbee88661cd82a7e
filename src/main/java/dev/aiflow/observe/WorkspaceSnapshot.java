package dev.aiflow.observe;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;

/**
 * The state of a workspace at one moment, as the kernel records it before a dispatch (and after it,
 * to compare). Serialisable: written as JSON ({@link #write}) so it survives a restart of the
 * server between the dispatch and the verification. Keep it outside the workspace (the agent must
 * not be able to edit it); {@link KernelVerifier} keeps it in its state folder.
 *
 * @param mode {@code git} (a git work tree: HEAD and a tree of every tracked and untracked,
 *     non-ignored file, built by git from its own index in a private object store under {@code
 *     stateDir}) or {@code manifest} (a content manifest: path, type, mode, size, SHA-256)
 * @param takenAtEpochNs when the observation started (files changed later are re-hashed)
 * @param ignore the ignore rules in force (besides {@code .artifacts/})
 * @param git the git side (mode {@code git}), else null
 * @param gitMetadata the git folder's files that can change behaviour: config, HEAD, hooks/, info/,
 *     alternates (both modes, empty when there is no {@code .git})
 * @param entries the content manifest (mode {@code manifest}), else empty
 * @param stateDir where the private git index and objects of this observation live
 */
public record WorkspaceSnapshot(
    String schema,
    String workspace,
    String mode,
    String takenAt,
    long takenAtEpochNs,
    List<String> ignore,
    GitState git,
    List<ManifestEntry> gitMetadata,
    List<ManifestEntry> entries,
    String stateDir) {

  public static final String SCHEMA = "aiflow.workspace_snapshot.v1";
  public static final String GIT = "git";
  public static final String MANIFEST = "manifest";

  public WorkspaceSnapshot {
    ignore = ignore == null ? List.of() : List.copyOf(ignore);
    gitMetadata = gitMetadata == null ? List.of() : List.copyOf(gitMetadata);
    entries = entries == null ? List.of() : List.copyOf(entries);
  }

  /**
   * The git side of a snapshot.
   *
   * @param gitDir the repository's git folder (absolute), fixed at the first snapshot: a {@code
   *     .git} file the agent rewrites cannot point the kernel elsewhere
   * @param commonDir where objects, config and hooks live (differs from gitDir in a linked
   *     worktree)
   * @param head the commit HEAD names, or null on an unborn branch
   * @param tree the tree of the working tree's content (tracked and untracked, non-ignored)
   * @param index the private index file (in stateDir) the tree was written from
   * @param objectFormat {@code sha1} or {@code sha256}
   */
  public record GitState(
      String gitDir,
      String commonDir,
      String head,
      String tree,
      String index,
      String objectFormat) {}

  public boolean gitMode() {
    return GIT.equals(mode);
  }

  public Path workspacePath() {
    return Path.of(workspace);
  }

  public Path statePath() {
    return Path.of(stateDir);
  }

  public String toJson() {
    return ObserveJson.write(this, false);
  }

  public static WorkspaceSnapshot fromJson(String json) {
    WorkspaceSnapshot s = ObserveJson.read(json, WorkspaceSnapshot.class, "workspace snapshot");
    if (!SCHEMA.equals(s.schema())) {
      throw new ObserveException(
          "SNAPSHOT_INVALID", "not a workspace snapshot (schema '" + s.schema() + "')");
    }
    return s;
  }

  /** Writes the snapshot (atomically) to {@code file}. */
  public void write(Path file) {
    dev.aiflow.files.AtomicFile.write(
        file, toJson().getBytes(java.nio.charset.StandardCharsets.UTF_8));
  }

  public static WorkspaceSnapshot read(Path file) {
    try {
      return fromJson(Files.readString(file));
    } catch (NoSuchFileException e) {
      throw new ObserveException("NO_SNAPSHOT", "no workspace snapshot at " + file);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the workspace snapshot " + file, e);
    }
  }
}
