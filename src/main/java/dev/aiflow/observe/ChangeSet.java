package dev.aiflow.observe;

import java.util.List;

/**
 * What changed in a workspace between two observations, as the kernel saw it.
 *
 * @param mode {@code git} or {@code manifest}
 * @param idKind what the content ids are: {@code git-sha1} / {@code git-sha256} object ids, or
 *     {@code sha256} of the content
 * @param headBefore the commit HEAD named before (git), else null
 * @param headAfter the commit HEAD names after
 * @param changes every change, sorted by path
 * @param incomplete why the content could not be compared (e.g. the git folder was deleted), else
 *     null: an incomplete observation can never back a PASS
 */
public record ChangeSet(
    String mode,
    String idKind,
    String headBefore,
    String headAfter,
    List<ObservedChange> changes,
    String incomplete) {

  public ChangeSet {
    changes = changes == null ? List.of() : List.copyOf(changes);
  }

  /** Changes to the workspace's files (not the git folder). */
  public List<ObservedChange> workspaceChanges() {
    return changes.stream().filter(c -> !c.gitMetadata()).toList();
  }

  /** Changes in the git folder: hooks, config, info, alternates, HEAD. */
  public List<ObservedChange> gitMetadataChanges() {
    return changes.stream().filter(ObservedChange::gitMetadata).toList();
  }

  /** Links created or changed whose target leaves the workspace. */
  public List<ObservedChange> linksOutside() {
    return changes.stream().filter(c -> Boolean.TRUE.equals(c.linkEscapes())).toList();
  }

  /** Whether a commit moved HEAD (the agent committed, reset or checked out). */
  public boolean headMoved() {
    return headBefore != null ? !headBefore.equals(headAfter) : headAfter != null;
  }

  public boolean nothingChanged() {
    return changes.isEmpty() && incomplete == null && !headMoved();
  }
}
