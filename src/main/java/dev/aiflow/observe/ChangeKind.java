package dev.aiflow.observe;

/** How one path changed between two observations. */
public enum ChangeKind {
  /** It did not exist before. */
  ADDED,
  /** It no longer exists. */
  DELETED,
  /** Its content changed (its mode may have changed too). */
  MODIFIED,
  /**
   * Only its mode changed (the executable bit in a git work tree, any permission bit elsewhere).
   */
  MODE_CHANGED,
  /** It became another kind of thing: a file became a link, a link a file... */
  TYPE_CHANGED
}
