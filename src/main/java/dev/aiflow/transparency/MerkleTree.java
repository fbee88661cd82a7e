package dev.aiflow.transparency;

import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;

/**
 * An append-only RFC 6962 Merkle tree that keeps the hash of every complete subtree: level 0 holds
 * the leaf hashes, level {@code k} the roots of the aligned subtrees of {@code 2^k} leaves. An
 * append costs one leaf hash and on average one node hash; the root of any earlier size, an
 * inclusion proof and a consistency proof each cost O(log n) node hashes, because every subtree the
 * RFC 6962 recursion needs is either stored or lies on the right edge. Memory: 64 bytes per leaf
 * (all levels together), in 1 MiB chunks. Not thread-safe; its owner synchronises.
 */
final class MerkleTree {

  private static final int H = Rfc6962.HASH_SIZE;
  private static final int CHUNK_BITS = 15; // 32,768 hashes = 1 MiB per chunk
  private static final int CHUNK = 1 << CHUNK_BITS;

  /** One level of stored hashes. */
  private static final class Level {
    final List<byte[]> chunks = new ArrayList<>();
    long count;

    void add(byte[] src, int off) {
      int at = (int) (count & (CHUNK - 1));
      if (at == 0) {
        chunks.add(new byte[64 * H]);
      }
      byte[] last = chunks.get(chunks.size() - 1);
      if (at * H == last.length) {
        // a chunk grows by doubling up to 1 MiB, so small trees stay small
        last = java.util.Arrays.copyOf(last, last.length * 2);
        chunks.set(chunks.size() - 1, last);
      }
      System.arraycopy(src, off, last, at * H, H);
      count++;
    }

    byte[] chunk(long i) {
      return chunks.get((int) (i >>> CHUNK_BITS));
    }

    static int offset(long i) {
      return (int) (i & (CHUNK - 1)) * H;
    }
  }

  private final List<Level> levels = new ArrayList<>();
  private final MessageDigest md = Rfc6962.sha256();
  private final byte[] scratch = new byte[H];
  private long size;

  long size() {
    return size;
  }

  /** Appends a leaf by its bytes, {@code buf[off, off+len)}. */
  void appendLeaf(byte[] buf, int off, int len) {
    Rfc6962.leafHash(md, buf, off, len, scratch, 0);
    appendLeafHash(scratch);
  }

  /** Appends a leaf by its leaf hash. */
  void appendLeafHash(byte[] leafHash) {
    long i = size;
    level(0).add(leafHash, 0);
    size++;
    // every completed pair yields its parent, up the right edge
    int k = 0;
    while ((i & 1) == 1) {
      Level here = levels.get(k);
      Rfc6962.nodeHash(
          md, here.chunk(i - 1), Level.offset(i - 1), here.chunk(i), Level.offset(i), scratch, 0);
      level(k + 1).add(scratch, 0);
      i >>= 1;
      k++;
    }
  }

  private Level level(int k) {
    while (levels.size() <= k) {
      levels.add(new Level());
    }
    return levels.get(k);
  }

  /** The leaf hash at {@code index}. */
  byte[] leafHash(long index) {
    check(index, size - 1);
    return stored(0, index);
  }

  private byte[] stored(int k, long index) {
    Level l = levels.get(k);
    byte[] out = new byte[H];
    System.arraycopy(l.chunk(index), Level.offset(index), out, 0, H);
    return out;
  }

  /** The root of the tree over the first {@code n} leaves, for any {@code n <= size()}. */
  byte[] root(long n) {
    check(n, size);
    return n == 0 ? Rfc6962.emptyRoot() : hash(0, n);
  }

  /** MTH(D[start:end]) of RFC 6962, {@code start < end <= size}. */
  private byte[] hash(long start, long end) {
    long n = end - start;
    if (Long.bitCount(n) == 1 && start % n == 0) {
      return stored(Long.numberOfTrailingZeros(n), start / n);
    }
    long k = Rfc6962.split(n);
    return Rfc6962.nodeHash(md, hash(start, start + k), hash(start + k, end));
  }

  /** The audit path (RFC 6962 2.1.1) of leaf {@code index} in the tree of size {@code n}. */
  List<byte[]> inclusionProof(long index, long n) {
    check(n, size);
    if (index < 0 || index >= n) {
      throw new IllegalArgumentException("leaf " + index + " is not in a tree of " + n);
    }
    List<byte[]> proof = new ArrayList<>();
    path(index, 0, n, proof);
    return proof;
  }

  private void path(long m, long start, long end, List<byte[]> out) {
    long n = end - start;
    if (n == 1) {
      return;
    }
    long k = Rfc6962.split(n);
    if (m < k) {
      path(m, start, start + k, out);
      out.add(hash(start + k, end));
    } else {
      path(m - k, start + k, end, out);
      out.add(hash(start, start + k));
    }
  }

  /**
   * The consistency proof (RFC 6962 2.1.2) from the tree of size {@code m} to the tree of size
   * {@code n}; empty when {@code m} is 0 or equals {@code n}.
   */
  List<byte[]> consistencyProof(long m, long n) {
    check(n, size);
    if (m < 0 || m > n) {
      throw new IllegalArgumentException("no consistency proof from size " + m + " to size " + n);
    }
    List<byte[]> proof = new ArrayList<>();
    if (m > 0 && m < n) {
      subproof(m, 0, n, true, proof);
    }
    return proof;
  }

  private void subproof(long m, long start, long end, boolean complete, List<byte[]> out) {
    long n = end - start;
    if (m == n) {
      if (!complete) {
        out.add(hash(start, end));
      }
      return;
    }
    long k = Rfc6962.split(n);
    if (m <= k) {
      subproof(m, start, start + k, complete, out);
      out.add(hash(start + k, end));
    } else {
      subproof(m - k, start + k, end, false, out);
      out.add(hash(start, start + k));
    }
  }

  private static void check(long n, long max) {
    if (n < 0 || n > max) {
      throw new IllegalArgumentException(n + " is beyond the tree (" + max + ")");
    }
  }
}
