package dev.aiflow.transparency;

import java.security.DigestException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * The hashes of an RFC 6962 (RFC 9162 section 2.1) Merkle tree: a leaf is {@code SHA-256(0x00 ||
 * leaf)}, an interior node {@code SHA-256(0x01 || left || right)}, the empty tree {@code
 * SHA-256("")}. The prefixes keep a leaf from ever passing for a node.
 */
public final class Rfc6962 {

  /** Bytes in every hash. */
  public static final int HASH_SIZE = 32;

  private static final byte LEAF_PREFIX = 0x00;
  private static final byte NODE_PREFIX = 0x01;

  private Rfc6962() {}

  public static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JVM has no SHA-256", e);
    }
  }

  /** The root of the tree with no leaves. */
  public static byte[] emptyRoot() {
    return sha256().digest();
  }

  public static byte[] leafHash(byte[] leaf) {
    return leafHash(sha256(), leaf, 0, leaf.length);
  }

  public static byte[] leafHash(MessageDigest md, byte[] buf, int off, int len) {
    byte[] out = new byte[HASH_SIZE];
    leafHash(md, buf, off, len, out, 0);
    return out;
  }

  /** Writes the leaf hash of {@code buf[off, off+len)} to {@code out[outOff..]}. */
  static void leafHash(MessageDigest md, byte[] buf, int off, int len, byte[] out, int outOff) {
    md.reset();
    md.update(LEAF_PREFIX);
    md.update(buf, off, len);
    finish(md, out, outOff);
  }

  public static byte[] nodeHash(byte[] left, byte[] right) {
    return nodeHash(sha256(), left, right);
  }

  public static byte[] nodeHash(MessageDigest md, byte[] left, byte[] right) {
    md.reset();
    md.update(NODE_PREFIX);
    md.update(left);
    md.update(right);
    return md.digest();
  }

  /** Writes the node hash of two hashes stored in arrays to {@code out[outOff..]}. */
  static void nodeHash(
      MessageDigest md,
      byte[] left,
      int leftOff,
      byte[] right,
      int rightOff,
      byte[] out,
      int outOff) {
    md.reset();
    md.update(NODE_PREFIX);
    md.update(left, leftOff, HASH_SIZE);
    md.update(right, rightOff, HASH_SIZE);
    finish(md, out, outOff);
  }

  private static void finish(MessageDigest md, byte[] out, int outOff) {
    try {
      md.digest(out, outOff, HASH_SIZE);
    } catch (DigestException e) {
      throw new IllegalStateException("SHA-256 did not fit in 32 bytes", e);
    }
  }

  /** The largest power of two strictly below {@code n} (n at least 2): where RFC 6962 splits. */
  static long split(long n) {
    return Long.highestOneBit(n - 1);
  }
}
