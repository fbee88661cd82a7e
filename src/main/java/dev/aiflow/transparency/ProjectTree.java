package dev.aiflow.transparency;

import dev.aiflow.logger.ChainLines;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;

/**
 * The Merkle tree of one project chain, kept in step with its {@code events.jsonl}: each leaf is
 * the exact bytes of one event line without its newline. {@link #refresh} reads only the lines
 * appended since the last call; it first re-reads the last line it had, and if that line changed or
 * the file became shorter (the chain was rewritten or cut), it rebuilds the whole tree from the
 * file, so the tree always describes the file as it is now. Whoever holds a checkpoint then sees
 * the rewrite as an inconsistency. Not thread-safe; its owner synchronises.
 */
final class ProjectTree {

  private final Path events;
  private MerkleTree tree = new MerkleTree();
  private long end; // offset after the last leaf's line
  private long lastLineOffset = -1;
  private byte[] lastLeaf;
  private int rebuilds;

  ProjectTree(Path events) {
    this.events = events;
  }

  MerkleTree tree() {
    return tree;
  }

  /** How often the file was found rewritten and the tree rebuilt (for tests and reports). */
  int rebuilds() {
    return rebuilds;
  }

  /** Brings the tree up to the file's complete lines; returns the number of leaves. */
  long refresh() throws IOException {
    try {
      if (lastLineOffset >= 0 && (Files.size(events) < end || !extend(lastLineOffset))) {
        rebuilds++;
        reset();
        extend(0);
      } else if (lastLineOffset < 0) {
        reset();
        extend(0);
      }
      return tree.size();
    } catch (IOException | RuntimeException e) {
      reset(); // a half-read file: start over next time
      throw e;
    }
  }

  private void reset() {
    tree = new MerkleTree();
    end = 0;
    lastLineOffset = -1;
    lastLeaf = null;
  }

  /** Stops a read at a line that is no longer what the tree holds. */
  private static final class Changed extends IOException {
    private static final long serialVersionUID = 1L;

    Changed() {
      super("the chain's last known line changed");
    }
  }

  /**
   * Reads from {@code from}; when it is the last known line's offset, that line must still be the
   * same. Returns false (having added nothing) when it is not.
   */
  private boolean extend(long from) throws IOException {
    MessageDigest md = Rfc6962.sha256();
    byte[] hash = new byte[Rfc6962.HASH_SIZE];
    boolean[] first = {from == lastLineOffset && lastLeaf != null};
    long[] offset = {from};
    long[] lastOffset = {lastLineOffset};
    ChainLines.Extent extent;
    try {
      extent =
          ChainLines.read(
              events,
              from,
              (buf, off, len) -> {
                Rfc6962.leafHash(md, buf, off, len, hash, 0);
                if (first[0]) {
                  first[0] = false;
                  if (!MessageDigest.isEqual(hash, lastLeaf)) {
                    throw new Changed();
                  }
                } else {
                  tree.appendLeafHash(hash);
                  lastOffset[0] = offset[0];
                }
                offset[0] += len + 1L;
              });
    } catch (Changed e) {
      return false;
    }
    if (first[0]) {
      return false; // the last line is gone
    }
    end = extent.end();
    lastLineOffset = lastOffset[0];
    lastLeaf = tree.size() == 0 ? null : tree.leafHash(tree.size() - 1);
    return true;
  }
}
