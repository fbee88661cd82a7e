package dev.aiflow.transparency;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;

/**
 * The rewrites a bare hash chain cannot see, applied to an exported archive by someone who can
 * recompute every hash but does not hold the signing key. Each leaves an archive that {@code log
 * import} accepts and whose chain verifies.
 */
public enum Tampering {
  /** A forged PASS appended; the signed checkpoint left as it was. */
  FORGED_APPEND("are not in the signed tree"),
  /** A forged PASS appended, and the checkpoint's size and root changed to cover it. */
  FORGED_APPEND_EDITED_CHECKPOINT("invalid signature for key"),
  /** A forged PASS appended, and the checkpoint signed again with the forger's own key. */
  FORGED_APPEND_OWN_KEY("note has no verifiable signatures"),
  /** A failed attempt rewritten as a PASS, every later hash and link recomputed. */
  FAIL_TO_PASS("do not hash to the signed root"),
  /** The last two events cut from the project chain and the task chains. */
  TRUNCATED_TAIL("events were removed");

  /** What the bundle verifier says about it (a fragment of its first problem). */
  public final String caught;

  Tampering(String caught) {
    this.caught = caught;
  }

  /** A tampered copy of {@code genuine} at {@code out}. */
  public Path apply(Path genuine, Path out) throws IOException {
    return switch (this) {
      case FORGED_APPEND ->
          BundleForger.forge(genuine, out, d -> new ChainForger(d).forgedPass().write());
      case FORGED_APPEND_EDITED_CHECKPOINT -> {
        MerkleTree[] tree = new MerkleTree[1];
        yield BundleForger.forge(
            genuine,
            out,
            d -> {
              new ChainForger(d).forgedPass().write();
              tree[0] = treeOf(d);
            },
            note -> resized(note, tree[0]));
      }
      case FORGED_APPEND_OWN_KEY -> {
        MerkleTree[] tree = new MerkleTree[1];
        yield BundleForger.forge(
            genuine,
            out,
            d -> {
              new ChainForger(d).forgedPass().write();
              tree[0] = treeOf(d);
            },
            note -> resignedWithOwnKey(note, tree[0]));
      }
      case FAIL_TO_PASS ->
          BundleForger.forge(genuine, out, d -> new ChainForger(d).failToPass().write());
      case TRUNCATED_TAIL ->
          BundleForger.forge(genuine, out, d -> new ChainForger(d).cutTail(2).write());
    };
  }

  static MerkleTree treeOf(Path projectDir) throws IOException {
    MerkleTree t = new MerkleTree();
    for (String line :
        java.nio.file.Files.readAllLines(
            projectDir.resolve("events.jsonl"), StandardCharsets.UTF_8)) {
      byte[] b = line.getBytes(StandardCharsets.UTF_8);
      t.appendLeaf(b, 0, b.length);
    }
    return t;
  }

  /** The same signature line under a body that claims the forged tree. */
  static String resized(String note, MerkleTree tree) {
    String[] lines = note.split("\n", -1);
    lines[1] = Long.toString(tree.size());
    lines[2] = Base64.getEncoder().encodeToString(tree.root(tree.size()));
    return String.join("\n", lines);
  }

  /** A correct checkpoint of the forged tree, under the log's name, by another key. */
  static String resignedWithOwnKey(String note, MerkleTree tree) {
    String origin = note.substring(0, note.indexOf('\n'));
    CheckpointKeys forger = CheckpointKeys.generate();
    try {
      NoteSigner signer = forger.signer(VerifierKey.of(origin, forger.publicKey()));
      return signer.sign(new Checkpoint(origin, tree.size(), tree.root(tree.size())).body());
    } catch (NoteException e) {
      throw new IllegalStateException(e);
    }
  }
}
