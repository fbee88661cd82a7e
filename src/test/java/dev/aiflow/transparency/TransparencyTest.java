package dev.aiflow.transparency;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.aiflow.logger.LogRefusedException;
import dev.aiflow.logger.WorkflowLogger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Issuing checkpoints, refusing inconsistent ones, and proving against them. */
class TransparencyTest {

  @TempDir Path data;
  Path root;
  CheckpointKeys keys;
  Transparency t;

  @BeforeEach
  void project() {
    root = data.resolve("workflow");
    Projects.create(root, "p");
    keys = CheckpointKeys.loadOrCreate(data.resolve(CheckpointKeys.DEFAULT_FILE));
    t = new Transparency(root, keys);
  }

  Path log() {
    return root.resolve("p").resolve(CheckpointLog.FILE);
  }

  Checkpoint open(String note) throws NoteException {
    SignedNote n =
        SignedNote.open(note.getBytes(StandardCharsets.UTF_8), List.of(t.verifierKey("p")));
    return Checkpoint.parse(n.text());
  }

  @Test
  void aCheckpointIsASignedNoteOfTheWholeChain() throws Exception {
    Transparency.Issued issued = t.issue("p");
    assertThat(issued.fresh()).isTrue();
    Checkpoint cp = open(issued.note());
    assertThat(cp.size()).isEqualTo(5);
    assertThat(cp.origin())
        .isEqualTo("aiflow.invalid/" + keys.installationId() + "/p")
        .matches("aiflow\\.invalid/[0-9a-f]{16}/p");
    assertThat(t.verifierKey("p").name()).isEqualTo(cp.origin());

    // the root is the RFC 6962 root of the exact lines, without their newlines
    MerkleTree expected = new MerkleTree();
    for (String line : Files.readAllLines(root.resolve("p/events.jsonl"), StandardCharsets.UTF_8)) {
      byte[] b = line.getBytes(StandardCharsets.UTF_8);
      expected.appendLeaf(b, 0, b.length);
    }
    assertThat(cp.root()).isEqualTo(expected.root(5));

    // note text: origin, size, base64 root; a blank line; one em-dash signature line
    String[] lines = issued.note().split("\n", -1);
    assertThat(lines).hasSize(6);
    assertThat(lines[3]).isEmpty();
    assertThat(lines[4]).startsWith("\u2014 " + cp.origin() + " ");
    assertThat(lines[5]).isEmpty();
    // the log holds the note and a blank line
    assertThat(Files.readString(log())).isEqualTo(issued.note() + "\n");
  }

  @Test
  void noNewEventsMeansNoNewCheckpoint() {
    Transparency.Issued first = t.issue("p");
    Transparency.Issued again = t.issue("p");
    assertThat(again.fresh()).isFalse();
    assertThat(again.note()).isEqualTo(first.note());
    assertThat(t.latest("p")).get().extracting(Transparency.Issued::note).isEqualTo(first.note());
  }

  @Test
  void everyNewCheckpointExtendsTheLastAndTheTreeIsNotRebuilt() throws Exception {
    Checkpoint first = open(t.issue("p").note());
    Projects.grow(root, "p", "T-3", 7);
    Checkpoint second = open(t.issue("p").note());
    Projects.grow(root, "p", "T-3", 1);
    Checkpoint third = open(t.issue("p").note());
    assertThat(List.of(first.size(), second.size(), third.size())).containsExactly(5L, 12L, 13L);

    ConsistencyProof p = t.consistencyProof("p", 5, 0);
    assertThat(p.checkpoint()).isEqualTo(t.latest("p").orElseThrow().note());
    assertThat(Proofs.verifyConsistency(5, 13, p.hashes(), first.root(), third.root())).isTrue();
    ConsistencyProof toSecond = t.consistencyProof("p", 5, 12);
    assertThat(open(toSecond.checkpoint())).isEqualTo(second);
    assertThat(Proofs.verifyConsistency(5, 12, toSecond.hashes(), first.root(), second.root()))
        .isTrue();
    assertThat(CheckpointLog.parse(Files.readAllBytes(log()), "log").entries()).hasSize(3);

    // a fresh process (a new Transparency) reads the log and goes on from it
    Projects.grow(root, "p", "T-3", 2);
    Transparency other =
        new Transparency(root, CheckpointKeys.load(data.resolve(CheckpointKeys.DEFAULT_FILE)));
    Checkpoint fourth = open(other.issue("p").note());
    assertThat(fourth.size()).isEqualTo(15);
    assertThat(t.latest("p").orElseThrow().checkpoint()).isEqualTo(fourth);
  }

  @Test
  void aRewrittenChainIsNeverSignedAndTheLogIsUntouched() throws Exception {
    t.issue("p");
    String before = Files.readString(log());
    new ChainForger(root.resolve("p")).failToPass().write();
    assertThat(WorkflowLogger.verify(root, "p", null, null).ok())
        .as("a bare chain verification sees nothing")
        .isTrue();
    assertThatThrownBy(() -> t.issue("p"))
        .isInstanceOfSatisfying(
            CheckpointException.class, e -> assertThat(e.code()).isEqualTo("CHAIN_REWRITTEN"))
        .hasMessageContaining("no longer hash to the root signed in checkpoint 1");
    Projects.grow(root, "p", "T-3", 3);
    assertThatThrownBy(() -> t.issue("p")).isInstanceOf(CheckpointException.class);
    assertThatThrownBy(() -> t.inclusionProof("p", 2)).isInstanceOf(CheckpointException.class);
    assertThat(Files.readString(log())).isEqualTo(before);
  }

  @Test
  void aCutChainIsNeverSigned() throws Exception {
    t.issue("p");
    new ChainForger(root.resolve("p")).cutTail(2).write();
    assertThat(WorkflowLogger.verify(root, "p", null, null).ok()).isTrue();
    assertThatThrownBy(() -> t.issue("p"))
        .isInstanceOfSatisfying(
            CheckpointException.class, e -> assertThat(e.code()).isEqualTo("CHAIN_CUT"))
        .hasMessageContaining("has 3 events but checkpoint 1 was signed over 5");
    // even when it grows past the old size again
    Projects.grow(root, "p", "T-3", 4);
    assertThatThrownBy(() -> t.issue("p"))
        .isInstanceOfSatisfying(
            CheckpointException.class, e -> assertThat(e.code()).isEqualTo("CHAIN_REWRITTEN"));
  }

  @Test
  void aForgedNoteInTheLogStopsSigning() throws Exception {
    t.issue("p");
    String note = Files.readString(log());
    // someone raises the size of the signed checkpoint by hand
    Files.writeString(
        log(), note + note.replace("\n5\n", "\n4\n"), StandardOpenOption.TRUNCATE_EXISTING);
    Transparency fresh = new Transparency(root, keys);
    assertThatThrownBy(() -> fresh.issue("p"))
        .isInstanceOfSatisfying(
            CheckpointException.class,
            e -> assertThat(e.code()).isEqualTo("CHECKPOINT_LOG_DAMAGED"))
        .hasMessageContaining("record 2");
  }

  @Test
  void aLogRewrittenInPlaceUnderARunningIssuerIsNoticed() throws Exception {
    String note = t.issue("p").note();
    int at = note.lastIndexOf(' ') + 5;
    char c = note.charAt(at);
    String edited = note.substring(0, at) + (c == 'A' ? 'B' : 'A') + note.substring(at + 1);
    Files.writeString(log(), edited + "\n", StandardOpenOption.TRUNCATE_EXISTING);
    Projects.grow(root, "p", "T-3", 1);
    assertThatThrownBy(() -> t.issue("p"))
        .isInstanceOfSatisfying(
            CheckpointException.class,
            e -> assertThat(e.code()).isEqualTo("CHECKPOINT_LOG_DAMAGED"));
    Files.delete(log());
    assertThatThrownBy(() -> t.issue("p"))
        .isInstanceOfSatisfying(
            CheckpointException.class,
            e -> assertThat(e.code()).isEqualTo("CHECKPOINT_LOG_DAMAGED"))
        .hasMessageContaining("lost 1 signed checkpoint(s)");
  }

  @Test
  void aTornLastRecordIsIgnoredAndCutByTheNextAppend() throws Exception {
    String first = t.issue("p").note();
    Files.writeString(log(), first.substring(0, 30), StandardOpenOption.APPEND);
    assertThat(t.latest("p").orElseThrow().note()).isEqualTo(first);
    Projects.grow(root, "p", "T-3", 1);
    String second = t.issue("p").note();
    assertThat(Files.readString(log())).isEqualTo(first + "\n" + second + "\n");
  }

  @Test
  void inclusionProofsVerifyForEveryEvent() throws Exception {
    t.issue("p");
    Checkpoint cp = t.latest("p").orElseThrow().checkpoint();
    List<String> lines = Files.readAllLines(root.resolve("p/events.jsonl"), StandardCharsets.UTF_8);
    for (int seq = 1; seq <= 5; seq++) {
      InclusionProof p = InclusionProof.parse(t.inclusionProof("p", seq).format());
      assertThat(p.index()).isEqualTo(seq - 1);
      assertThat(open(p.checkpoint())).isEqualTo(cp);
      byte[] leaf = Rfc6962.leafHash(lines.get(seq - 1).getBytes(StandardCharsets.UTF_8));
      assertThat(Proofs.verifyInclusion(seq - 1, 5, leaf, p.hashes(), cp.root())).isTrue();
    }
    String text = t.inclusionProof("p", 2).format();
    assertThat(text)
        .startsWith("c2sp.org/tlog-proof@v1\nindex 1\n")
        .endsWith(t.latest("p").orElseThrow().note());
    Projects.grow(root, "p", "T-3", 1);
    assertThatThrownBy(() -> t.inclusionProof("p", 6))
        .isInstanceOfSatisfying(
            LogRefusedException.class, e -> assertThat(e.code()).isEqualTo("NOT_COVERED"));
    assertThatThrownBy(() -> t.inclusionProof("p", 0)).isInstanceOf(LogRefusedException.class);
    assertThatThrownBy(() -> t.consistencyProof("p", 3, 4))
        .isInstanceOfSatisfying(
            LogRefusedException.class, e -> assertThat(e.code()).isEqualTo("NO_SUCH_CHECKPOINT"));
  }

  @Test
  void withoutACheckpointThereIsNothingToProveAgainst() {
    assertThat(t.latest("p")).isEmpty();
    assertThatThrownBy(() -> t.inclusionProof("p", 1))
        .isInstanceOfSatisfying(
            LogRefusedException.class, e -> assertThat(e.code()).isEqualTo("NO_CHECKPOINT"));
    assertThatThrownBy(() -> t.issue("nope"))
        .isInstanceOfSatisfying(
            LogRefusedException.class, e -> assertThat(e.code()).isEqualTo("NOT_INITIALISED"));
    assertThatThrownBy(() -> t.issue("../x")).isInstanceOf(LogRefusedException.class);
  }

  @Test
  void concurrentIssuersAndWritersKeepOneConsistentLog() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<?>> work = new java.util.ArrayList<>();
      work.add(pool.submit(() -> Projects.grow(root, "p", "T-3", 40)));
      for (int i = 0; i < 3; i++) {
        work.add(
            pool.submit(
                () -> {
                  for (int j = 0; j < 15; j++) {
                    t.issue("p");
                  }
                  return null;
                }));
      }
      for (Future<?> f : work) {
        f.get();
      }
    } finally {
      pool.shutdownNow();
    }
    t.issue("p");
    List<CheckpointLog.Entry> entries =
        CheckpointLog.parse(Files.readAllBytes(log()), "log").entries();
    assertThat(entries.get(entries.size() - 1).checkpoint().size()).isEqualTo(45);
    MerkleTree tree = new MerkleTree();
    for (String line : Files.readAllLines(root.resolve("p/events.jsonl"), StandardCharsets.UTF_8)) {
      byte[] b = line.getBytes(StandardCharsets.UTF_8);
      tree.appendLeaf(b, 0, b.length);
    }
    long previous = 0;
    for (CheckpointLog.Entry e : entries) {
      Checkpoint cp = open(e.note());
      assertThat(cp.size()).isGreaterThan(previous);
      assertThat(cp.root()).isEqualTo(tree.root(cp.size()));
      previous = cp.size();
    }
  }
}
