package dev.aiflow.observe;

/**
 * One path of a content manifest. Links are recorded as links (their target), never followed.
 *
 * @param type {@code file}, {@code link}, or {@code other} (a FIFO, a socket, a device), or {@code
 *     unreadable}
 * @param mode the permission bits in octal, e.g. {@code 644}
 * @param sha256 of the content (a file) or of the target (a link)
 * @param linkTarget what a link points to, as stored
 * @param mtimeNs last modification, with {@code ctimeNs} and {@code inode}: the stat data that lets
 *     a later observation skip re-hashing an unchanged file
 */
public record ManifestEntry(
    String path,
    String type,
    String mode,
    long size,
    String sha256,
    String linkTarget,
    long mtimeNs,
    long ctimeNs,
    long inode) {

  public static final String FILE = "file";
  public static final String LINK = "link";
  public static final String OTHER = "other";
  public static final String UNREADABLE = "unreadable";

  /** Whether the stat data says the content cannot have changed since {@code earlier}. */
  boolean sameStat(ManifestEntry earlier) {
    return earlier != null
        && type.equals(earlier.type)
        && size == earlier.size
        && mtimeNs == earlier.mtimeNs
        && ctimeNs == earlier.ctimeNs
        && inode == earlier.inode
        && mode.equals(earlier.mode);
  }

  ManifestEntry withHash(String value) {
    return new ManifestEntry(path, type, mode, size, value, linkTarget, mtimeNs, ctimeNs, inode);
  }
}
