package dev.aiflow.transparency;

import java.security.MessageDigest;
import java.util.Arrays;
import java.util.List;

/**
 * Verification of RFC 6962 proofs, following the algorithms of RFC 9162 sections 2.1.3.2
 * (inclusion) and 2.1.4.2 (consistency). They need nothing but the proof, the sizes and the roots
 * the verifier already trusts (from signed checkpoints).
 */
public final class Proofs {

  private Proofs() {}

  /**
   * Whether {@code proof} shows that the leaf with hash {@code leafHash} is at {@code index} in the
   * tree of {@code size} leaves whose root is {@code root}.
   */
  public static boolean verifyInclusion(
      long index, long size, byte[] leafHash, List<byte[]> proof, byte[] root) {
    if (index < 0 || index >= size || !wellFormed(proof) || !isHash(leafHash) || !isHash(root)) {
      return false;
    }
    MessageDigest md = Rfc6962.sha256();
    long fn = index;
    long sn = size - 1;
    byte[] r = leafHash;
    for (byte[] p : proof) {
      if (sn == 0) {
        return false;
      }
      if ((fn & 1) == 1 || fn == sn) {
        r = Rfc6962.nodeHash(md, p, r);
        while ((fn & 1) == 0 && fn != 0) {
          fn >>= 1;
          sn >>= 1;
        }
      } else {
        r = Rfc6962.nodeHash(md, r, p);
      }
      fn >>= 1;
      sn >>= 1;
    }
    return sn == 0 && MessageDigest.isEqual(r, root);
  }

  /**
   * Whether {@code proof} shows that the tree of {@code size2} leaves with root {@code root2}
   * extends the tree of {@code size1} leaves with root {@code root1}: the first {@code size1}
   * leaves are the same, so nothing was changed or removed, only appended.
   */
  public static boolean verifyConsistency(
      long size1, long size2, List<byte[]> proof, byte[] root1, byte[] root2) {
    if (size1 < 0 || size2 < size1 || !wellFormed(proof) || !isHash(root1) || !isHash(root2)) {
      return false;
    }
    if (size1 == size2) {
      return proof.isEmpty() && MessageDigest.isEqual(root1, root2);
    }
    if (size1 == 0) {
      // every tree extends the empty one
      return proof.isEmpty();
    }
    if (proof.isEmpty()) {
      return false;
    }
    byte[][] path = proof.toArray(byte[][]::new);
    if (Long.bitCount(size1) == 1) {
      // the old tree is a complete subtree: its root is the first node of the path
      path = prepend(root1, path);
    }
    MessageDigest md = Rfc6962.sha256();
    long fn = size1 - 1;
    long sn = size2 - 1;
    while ((fn & 1) == 1) {
      fn >>= 1;
      sn >>= 1;
    }
    byte[] fr = path[0];
    byte[] sr = path[0];
    for (int i = 1; i < path.length; i++) {
      byte[] c = path[i];
      if (sn == 0) {
        return false;
      }
      if ((fn & 1) == 1 || fn == sn) {
        fr = Rfc6962.nodeHash(md, c, fr);
        sr = Rfc6962.nodeHash(md, c, sr);
        while ((fn & 1) == 0 && fn != 0) {
          fn >>= 1;
          sn >>= 1;
        }
      } else {
        sr = Rfc6962.nodeHash(md, sr, c);
      }
      fn >>= 1;
      sn >>= 1;
    }
    return sn == 0 && MessageDigest.isEqual(fr, root1) && MessageDigest.isEqual(sr, root2);
  }

  private static byte[][] prepend(byte[] first, byte[][] rest) {
    byte[][] out = new byte[rest.length + 1][];
    out[0] = first;
    System.arraycopy(rest, 0, out, 1, rest.length);
    return out;
  }

  private static boolean wellFormed(List<byte[]> proof) {
    // 64 levels are more than any tree of up to 2^63 leaves needs
    return proof != null && proof.size() <= 64 && proof.stream().allMatch(Proofs::isHash);
  }

  private static boolean isHash(byte[] h) {
    return h != null && h.length == Rfc6962.HASH_SIZE;
  }

  static String describe(List<byte[]> proof) {
    return proof.size() + " hashes (" + proof.size() * Rfc6962.HASH_SIZE + " bytes)";
  }

  static boolean same(byte[] a, byte[] b) {
    return Arrays.equals(a, b);
  }
}
