package dev.aiflow.transparency;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;

/**
 * The body of a C2SP tlog-checkpoint (c2sp.org/tlog-checkpoint): the origin (the log's name), the
 * tree size in decimal, the base64 RFC 6962 root hash, each on its own line. Extension lines may
 * follow when parsing; aiflow never writes any.
 *
 * @param origin the log's unique name
 * @param size the number of leaves
 * @param root the 32-byte root hash of the tree of that size
 * @param extensions opaque lines after the root hash (unsigned by nothing but the note)
 */
public record Checkpoint(String origin, long size, byte[] root, List<String> extensions) {

  public Checkpoint {
    extensions = List.copyOf(extensions);
  }

  public Checkpoint(String origin, long size, byte[] root) {
    this(origin, size, root, List.of());
  }

  /** The note text: {@code origin\nsize\nbase64(root)\n}. */
  public String body() {
    StringBuilder b =
        new StringBuilder()
            .append(origin)
            .append('\n')
            .append(size)
            .append('\n')
            .append(Base64.getEncoder().encodeToString(root))
            .append('\n');
    extensions.forEach(e -> b.append(e).append('\n'));
    return b.toString();
  }

  public String rootBase64() {
    return Base64.getEncoder().encodeToString(root);
  }

  /** Parses a checkpoint body (the text of a note, with its final newline). */
  public static Checkpoint parse(String text) throws NoteException {
    if (!text.endsWith("\n")) {
      throw new NoteException("a checkpoint ends with a newline");
    }
    String[] lines = text.substring(0, text.length() - 1).split("\n", -1);
    if (lines.length < 3) {
      throw new NoteException("a checkpoint has an origin, a size and a root hash line");
    }
    if (lines[0].isEmpty()) {
      throw new NoteException("the checkpoint's origin is empty");
    }
    if (!lines[1].matches("0|[1-9][0-9]{0,18}")) {
      throw new NoteException("the checkpoint's tree size is not a decimal number");
    }
    long size;
    try {
      size = Long.parseLong(lines[1]);
    } catch (NumberFormatException e) {
      throw new NoteException("the checkpoint's tree size is too large");
    }
    byte[] root = VerifierKey.decodeBase64(lines[2]);
    if (root == null || root.length != Rfc6962.HASH_SIZE) {
      throw new NoteException("the checkpoint's root hash is not a base64 SHA-256 hash");
    }
    List<String> extensions = List.of(lines).subList(3, lines.length);
    if (extensions.stream().anyMatch(String::isEmpty)) {
      throw new NoteException("a checkpoint's extension lines are not empty");
    }
    return new Checkpoint(lines[0], size, root, extensions);
  }

  /** Parses the body of a note's text given as bytes. */
  static Checkpoint parse(byte[] text) throws NoteException {
    return parse(new String(text, StandardCharsets.UTF_8));
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Checkpoint c
        && c.origin.equals(origin)
        && c.size == size
        && java.util.Arrays.equals(c.root, root)
        && c.extensions.equals(extensions);
  }

  @Override
  public int hashCode() {
    return origin.hashCode() * 31 + Long.hashCode(size);
  }

  @Override
  public String toString() {
    return origin + " size " + size + " root " + rootBase64();
  }
}
