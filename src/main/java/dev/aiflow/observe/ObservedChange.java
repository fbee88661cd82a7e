package dev.aiflow.observe;

/**
 * One change the kernel observed.
 *
 * @param path workspace-relative with '/' separators; for the git folder {@code .git/...} (or the
 *     absolute path when the git folder lies outside the workspace)
 * @param oldType {@code file}, {@code link}, {@code gitlink}, {@code other}, or null when added
 * @param oldMode e.g. {@code 644}, {@code 755} (in a git work tree git's modes: {@code 100644},
 *     {@code 100755}, {@code 120000})
 * @param oldId the content id before: SHA-256 in a manifest, the git object id in a git work tree
 * @param linkTarget what a link points to now, when the path is a link now
 * @param linkEscapes whether that target, resolved lexically from the link's folder, leaves the
 *     workspace (absolute targets outside it, or more {@code ..} than the link is deep); null when
 *     the path is no link
 * @param gitMetadata whether the path is in the git folder (config, HEAD, hooks, info, alternates)
 */
public record ObservedChange(
    String path,
    ChangeKind kind,
    String oldType,
    String newType,
    String oldMode,
    String newMode,
    String oldId,
    String newId,
    String linkTarget,
    Boolean linkEscapes,
    boolean gitMetadata) {

  /** A sentence for findings and rework packs. */
  public String describe() {
    String what =
        switch (kind) {
          case ADDED -> "added" + (newType != null && !"file".equals(newType) ? " " + newType : "");
          case DELETED -> "deleted";
          case MODIFIED -> "modified";
          case MODE_CHANGED -> "mode changed " + oldMode + " -> " + newMode;
          case TYPE_CHANGED -> "type changed " + oldType + " -> " + newType;
        };
    if (linkTarget != null) {
      what += " -> '" + linkTarget + "'";
    }
    return path + " (" + what + ")";
  }
}
