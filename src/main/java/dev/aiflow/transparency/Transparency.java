package dev.aiflow.transparency;

import dev.aiflow.logger.ChainLines;
import dev.aiflow.logger.ExportExtras;
import dev.aiflow.logger.LogRefusedException;
import dev.aiflow.logger.WorkflowLogger;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Signed checkpoints of each project chain under a workflow root, and proofs against them.
 *
 * <p>{@link #issue} signs a C2SP checkpoint of the project's RFC 6962 Merkle tree (one leaf per
 * event line) and appends it to the project's checkpoint log, after proving that the tree extends
 * the last checkpoint it signed; it refuses otherwise. The engine calls it after every cycle and at
 * every campaign end; {@code aiflow log checkpoint} and {@code log export} call it too. Any event
 * in the chain (attempts, reviews, requirements approvals, escalation decisions) is covered by the
 * next checkpoint issued after it was appended.
 *
 * <p>Trees are kept in memory per project and extended by the lines appended since the last call,
 * so a checkpoint costs the new lines' hashes plus O(log n), not a rehash of the chain.
 * Thread-safe; processes sharing a project take turns on the checkpoint log's file lock.
 */
public final class Transparency {

  /** The export manifest members this adds (see docs/chain-format.md). */
  public static final String MANIFEST_CHECKPOINT = "checkpoint";

  public static final String MANIFEST_VERIFIER_KEY = "verifier_key";

  /**
   * A checkpoint as signed.
   *
   * @param note the signed note, exactly as in the checkpoint log
   * @param checkpoint what its body says
   * @param fresh whether this call signed it (false: the chain had not grown since the last one)
   */
  public record Issued(String note, Checkpoint checkpoint, boolean fresh) {}

  private final Path root;
  private final CheckpointKeys keys;
  private final ConcurrentHashMap<String, ProjectState> projects = new ConcurrentHashMap<>();

  public Transparency(Path workflowRoot, CheckpointKeys keys) {
    this.root = workflowRoot;
    this.keys = keys;
  }

  public Path root() {
    return root;
  }

  /** The verifier key of a project's log, {@code <origin>+<key id>+<base64 key>}. */
  public VerifierKey verifierKey(String projectId) {
    ChainLines.projectDir(root, projectId); // checks the id
    return keys.verifierKey(projectId);
  }

  public String origin(String projectId) {
    return verifierKey(projectId).name();
  }

  /** The per-project state: its tree, its log, and what of the log was verified already. */
  private final class ProjectState {
    final String projectId;
    final NoteSigner signer;
    final ProjectTree tree;
    final CheckpointLog log;
    final ReentrantLock lock = new ReentrantLock();
    // what this process has read of the log: every record (to tell an append from a rewrite),
    // this log's records, and their notes as first seen (to notice one changed or gone)
    List<CheckpointLog.Entry> seen = List.of();
    List<CheckpointLog.Entry> mine = new ArrayList<>();
    final List<String> remembered = new ArrayList<>();
    int compared;
    String lastVerified;

    ProjectState(String projectId) {
      this.projectId = projectId;
      this.signer = keys.signer(projectId);
      this.tree = new ProjectTree(ChainLines.projectEvents(root, projectId));
      this.log = new CheckpointLog(ChainLines.projectDir(root, projectId));
    }

    /**
     * This log's checkpoints. Records appended since the last read are the only new work; a record
     * this process saw before that changed or disappeared, or a last record not signed by this key,
     * means someone edited the log: nothing is signed or proved over it. (Older records' signatures
     * are checked where they are used, and by verify-bundle; checking every one at every start
     * would cost 0.5 ms per checkpoint.)
     */
    List<CheckpointLog.Entry> ours(CheckpointLog.Contents contents) {
      String origin = signer.verifier().name();
      List<CheckpointLog.Entry> all = contents.entries();
      int from = 0;
      boolean grewOnly =
          !seen.isEmpty()
              && all.size() >= seen.size()
              && all.get(seen.size() - 1) == seen.get(seen.size() - 1);
      if (grewOnly) {
        from = seen.size();
      } else {
        mine = new ArrayList<>();
        compared = 0;
      }
      for (int i = from; i < all.size(); i++) {
        if (all.get(i).checkpoint().origin().equals(origin)) {
          mine.add(all.get(i));
        }
      }
      seen = all;
      for (int i = compared; i < mine.size(); i++) {
        String note = mine.get(i).note();
        if (i < remembered.size()) {
          if (!remembered.get(i).equals(note)) {
            throw damaged(mine.get(i), "it differs from when it was read before");
          }
        } else {
          remembered.add(note);
        }
      }
      compared = mine.size();
      if (mine.size() < remembered.size()) {
        throw new CheckpointException(
            "CHECKPOINT_LOG_DAMAGED",
            "the checkpoint log of "
                + projectId
                + " lost "
                + (remembered.size() - mine.size())
                + " signed checkpoint(s) it had before");
      }
      if (!mine.isEmpty()) {
        verified(mine.get(mine.size() - 1));
      }
      return java.util.Collections.unmodifiableList(mine);
    }

    /** Checks a record's signature (once per note). */
    void verified(CheckpointLog.Entry e) {
      if (e.note().equals(lastVerified)) {
        return;
      }
      try {
        SignedNote.open(e.note().getBytes(StandardCharsets.UTF_8), List.of(signer.verifier()));
      } catch (NoteException ex) {
        throw damaged(e, ex.getMessage());
      }
      lastVerified = e.note();
    }

    private CheckpointException damaged(CheckpointLog.Entry e, String why) {
      return new CheckpointException(
          "CHECKPOINT_LOG_DAMAGED",
          "record "
              + e.number()
              + " of "
              + log.file()
              + " claims to be signed for this log but "
              + why
              + "; refusing to sign over it");
    }

    /** The tree, refreshed, checked against {@code last}; returns its size. */
    long refreshAgainst(CheckpointLog.Entry last) throws IOException {
      tree.refresh();
      return last == null ? tree.tree().size() : matches(last);
    }

    /** The tree as it is, checked against a signed checkpoint; returns its size. */
    long matches(CheckpointLog.Entry last) {
      long size = tree.tree().size();
      Checkpoint signed = last.checkpoint();
      if (size < signed.size()) {
        throw new CheckpointException(
            "CHAIN_CUT",
            "the chain of "
                + projectId
                + " has "
                + size
                + " events but checkpoint "
                + last.number()
                + " was signed over "
                + signed.size()
                + ": events were removed");
      }
      if (!Proofs.same(tree.tree().root(signed.size()), signed.root())) {
        throw new CheckpointException(
            "CHAIN_REWRITTEN",
            "the first "
                + signed.size()
                + " events of "
                + projectId
                + " no longer hash to the root signed in checkpoint "
                + last.number()
                + ": events were changed, inserted or reordered");
      }
      return size;
    }
  }

  private ProjectState state(String projectId) {
    if (!WorkflowLogger.exists(root, projectId)) {
      throw new LogRefusedException(
          "NOT_INITIALISED", "no workflow log for project '" + projectId + "' under " + root);
    }
    return projects.computeIfAbsent(projectId, ProjectState::new);
  }

  /**
   * Signs a checkpoint of the project chain as it is now and appends it to the checkpoint log,
   * unless the chain has not grown since the last one (which is then returned). Refused with {@link
   * CheckpointException} when the chain does not extend the last signed checkpoint.
   */
  public Issued issue(String projectId) {
    return issue(projectId, -1);
  }

  private Issued issue(String projectId, long expectedSize) {
    ProjectState s = state(projectId);
    s.lock.lock();
    try {
      return s.log.locked(
          contents -> {
            List<CheckpointLog.Entry> ours = s.ours(contents);
            CheckpointLog.Entry last = ours.isEmpty() ? null : ours.get(ours.size() - 1);
            long size = s.refreshAgainst(last);
            if (expectedSize >= 0 && size != expectedSize) {
              throw new IllegalStateException(
                  "the chain of " + projectId + " has " + size + " events, not " + expectedSize);
            }
            if (last != null && size == last.checkpoint().size()) {
              return new Issued(last.note(), last.checkpoint(), false);
            }
            MerkleTree tree = s.tree.tree();
            byte[] newRoot = tree.root(size);
            if (last != null) {
              // prove, before signing, that the new tree extends the last signed one
              Checkpoint old = last.checkpoint();
              List<byte[]> proof = tree.consistencyProof(old.size(), size);
              if (!Proofs.verifyConsistency(old.size(), size, proof, old.root(), newRoot)) {
                throw new CheckpointException(
                    "CHAIN_REWRITTEN",
                    "no consistency proof from checkpoint "
                        + last.number()
                        + " (size "
                        + old.size()
                        + ") to size "
                        + size
                        + " of "
                        + projectId);
              }
            }
            Checkpoint cp = new Checkpoint(s.signer.verifier().name(), size, newRoot);
            String note = s.signer.sign(cp.body());
            s.log.append(contents, note);
            if (s.remembered.size() == ours.size()) {
              s.remembered.add(note); // a later read must find it unchanged
            }
            s.lastVerified = note;
            return new Issued(note, cp, true);
          });
    } catch (CheckpointLog.Corrupt e) {
      throw corrupt(projectId, e);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot issue a checkpoint of " + projectId, e);
    } finally {
      s.lock.unlock();
    }
  }

  /**
   * A checkpoint log with a complete record that is no signed checkpoint: a refusal naming the file
   * and the record, never its content nor the server's paths.
   */
  private static CheckpointException corrupt(String projectId, CheckpointLog.Corrupt e) {
    return new CheckpointException(
        "CHECKPOINT_LOG_UNREADABLE",
        "the checkpoint log of "
            + projectId
            + " ("
            + CheckpointLog.FILE
            + ") cannot be read: "
            + e.detail()
            + "; nothing is signed or served until it is repaired");
  }

  /** The latest checkpoint signed for the project, if any. */
  public Optional<Issued> latest(String projectId) {
    ProjectState s = state(projectId);
    s.lock.lock();
    try {
      List<CheckpointLog.Entry> ours = s.ours(s.log.read());
      if (ours.isEmpty()) {
        return Optional.empty();
      }
      CheckpointLog.Entry last = ours.get(ours.size() - 1);
      return Optional.of(new Issued(last.note(), last.checkpoint(), false));
    } catch (CheckpointLog.Corrupt e) {
      throw corrupt(projectId, e);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the checkpoint log of " + projectId, e);
    } finally {
      s.lock.unlock();
    }
  }

  /**
   * The inclusion proof of event {@code seq} (leaf {@code seq - 1}) against the latest signed
   * checkpoint, in the C2SP tlog-proof format.
   */
  public InclusionProof inclusionProof(String projectId, long seq) {
    ProjectState s = state(projectId);
    s.lock.lock();
    try {
      CheckpointLog.Entry last = lastSigned(s);
      long size = last.checkpoint().size();
      if (seq < 1 || seq > size) {
        throw new LogRefusedException(
            "NOT_COVERED",
            "event "
                + seq
                + " of "
                + projectId
                + " is not covered by the latest checkpoint (events 1 to "
                + size
                + "); issue one with aiflow log checkpoint");
      }
      s.refreshAgainst(last);
      List<byte[]> proof = s.tree.tree().inclusionProof(seq - 1, size);
      byte[] leaf = s.tree.tree().leafHash(seq - 1);
      if (!Proofs.verifyInclusion(seq - 1, size, leaf, proof, last.checkpoint().root())) {
        throw new IllegalStateException("the inclusion proof of event " + seq + " does not verify");
      }
      return new InclusionProof(seq - 1, proof, last.note());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the chain of " + projectId, e);
    } finally {
      s.lock.unlock();
    }
  }

  /**
   * The consistency proof from the tree of {@code fromSize} events to the signed checkpoint of
   * {@code toSize} events ({@code toSize} 0 or less: the latest).
   */
  public ConsistencyProof consistencyProof(String projectId, long fromSize, long toSize) {
    ProjectState s = state(projectId);
    s.lock.lock();
    try {
      List<CheckpointLog.Entry> ours = s.ours(s.log.read());
      CheckpointLog.Entry target = null;
      if (toSize <= 0) {
        target = lastSigned(s);
      } else {
        for (CheckpointLog.Entry e : ours) {
          if (e.checkpoint().size() == toSize) {
            target = e;
          }
        }
        if (target == null) {
          throw new LogRefusedException(
              "NO_SUCH_CHECKPOINT",
              "no checkpoint of " + projectId + " was signed at size " + toSize);
        }
      }
      s.verified(target);
      long size = target.checkpoint().size();
      if (fromSize < 0 || fromSize > size) {
        throw new LogRefusedException(
            "NOT_COVERED",
            "size "
                + fromSize
                + " is not between 0 and the checkpoint's "
                + size
                + " events of "
                + projectId);
      }
      CheckpointLog.Entry last = ours.get(ours.size() - 1);
      s.refreshAgainst(last);
      if (target != last) {
        s.matches(target);
      }
      List<byte[]> proof = s.tree.tree().consistencyProof(fromSize, size);
      return new ConsistencyProof(fromSize, proof, target.note());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the chain of " + projectId, e);
    } finally {
      s.lock.unlock();
    }
  }

  private static CheckpointLog.Entry lastSigned(ProjectState s) throws IOException {
    List<CheckpointLog.Entry> ours = s.ours(s.log.read());
    if (ours.isEmpty()) {
      throw new LogRefusedException(
          "NO_CHECKPOINT",
          "no checkpoint was signed for "
              + s.projectId
              + " yet; issue one with aiflow log checkpoint");
    }
    return ours.get(ours.size() - 1);
  }

  /**
   * What {@code log export} adds to the archive's manifest: a checkpoint signed over exactly the
   * exported events (issued now if the chain grew), and the project's verifier key.
   */
  public ExportExtras exportExtras() {
    return (projectId, projectDir, events) -> {
      if (!projectDir.toAbsolutePath().normalize().equals(ChainLines.projectDir(root, projectId))) {
        throw new IllegalArgumentException(
            "this transparency log covers " + root + ", not " + projectDir);
      }
      Issued issued = issue(projectId, events);
      return Map.of(
          MANIFEST_CHECKPOINT,
          issued.note(),
          MANIFEST_VERIFIER_KEY,
          keys.verifierKey(projectId).toString());
    };
  }
}
