package dev.aiflow.transparency;

import static org.assertj.core.api.Assertions.assertThat;

import dev.aiflow.logger.WorkflowLogger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The monitor remembers the last checkpoint it verified and fails loudly on a rewritten history:
 * the rewrites a bare chain verification misses, made in the data directory, with and without a
 * fresh checkpoint signed over them.
 */
class MonitorTest {

  @TempDir Path data;
  Path root;
  CheckpointKeys keys;
  Transparency t;
  VerifierKey key;
  Path state;

  @BeforeEach
  void seen() throws Exception {
    root = data.resolve("workflow");
    Projects.create(root, "p");
    keys = CheckpointKeys.resolve(data, null);
    t = new Transparency(root, keys);
    key = t.verifierKey("p");
    state = data.resolve("monitor/p.checkpoint");
    t.issue("p");
    Monitor.Result first = monitor().check();
    assertThat(first.ok()).isTrue();
    assertThat(first.report()).contains("first checkpoint seen for this log");
    assertThat(Files.readString(state)).isEqualTo(t.latest("p").orElseThrow().note());
  }

  Path checkpointLog() {
    return root.resolve("p").resolve(CheckpointLog.FILE);
  }

  Monitor monitor() {
    return new Monitor(key, state, Monitor.file(checkpointLog(), key, root, "p"));
  }

  /** What an operator with the key (or an attacker who can run aiflow) does after a rewrite. */
  void deleteTheCheckpointLogAndSignAgain() throws Exception {
    Files.delete(checkpointLog());
    new Transparency(root, keys).issue("p");
  }

  void assertAlert(Monitor.Result r, String fragment) throws Exception {
    assertThat(r.ok()).isFalse();
    assertThat(String.join("\n", r.alerts())).contains(fragment);
    assertThat(Files.readString(state)).as("the state keeps the old checkpoint").contains("\n5\n");
    assertThat(state.resolveSibling("p.checkpoint.rejected")).exists();
  }

  @Test
  void aLogThatGrowsConsistentlyIsFollowed() throws Exception {
    Projects.grow(root, "p", "T-3", 3);
    assertThat(monitor().check().report())
        .anyMatch(l -> l.contains("3 events appended since are not covered yet"));
    t.issue("p");
    Monitor.Result r = monitor().check();
    assertThat(r.ok()).isTrue();
    assertThat(r.report()).anyMatch(l -> l.startsWith("consistent with the 5 events seen before"));
    assertThat(Files.readString(state)).contains("\n8\n");
    assertThat(monitor().check().report()).contains("unchanged since the last check");
  }

  @Test
  void failToPassOnDiskIsCaught() throws Exception {
    new ChainForger(root.resolve("p")).failToPass().write();
    assertThat(WorkflowLogger.verify(root, "p", null, null).ok()).isTrue();
    assertAlert(monitor().check(), "do not hash to the signed root");
  }

  @Test
  void failToPassSignedAgainIsCaught() throws Exception {
    new ChainForger(root.resolve("p")).failToPass().write();
    deleteTheCheckpointLogAndSignAgain();
    assertAlert(monitor().check(), "two different roots were signed for 5 events");
  }

  @Test
  void aTruncatedTailIsCaught() throws Exception {
    new ChainForger(root.resolve("p")).cutTail(2).write();
    assertThat(WorkflowLogger.verify(root, "p", null, null).ok()).isTrue();
    assertAlert(monitor().check(), "fewer than the 5 signed");
  }

  @Test
  void aTruncatedTailSignedAgainIsCaught() throws Exception {
    new ChainForger(root.resolve("p")).cutTail(2).write();
    deleteTheCheckpointLogAndSignAgain();
    assertAlert(monitor().check(), "the log went back from 5 to 3 events");
  }

  @Test
  void aRewriteHiddenUnderLaterAppendsIsCaught() throws Exception {
    new ChainForger(root.resolve("p")).failToPass().write();
    Projects.grow(root, "p", "T-3", 4);
    deleteTheCheckpointLogAndSignAgain();
    // the chain on disk matches the new checkpoint; only the proof from the old one fails
    assertAlert(monitor().check(), "no valid consistency proof from the 5 events seen before");
  }

  @Test
  void aForgedAppendPassedOffAsCoveredIsCaught() throws Exception {
    new ChainForger(root.resolve("p")).forgedPass().write();
    assertThat(WorkflowLogger.verify(root, "p", null, null).ok()).isTrue();
    MerkleTree forged = Tampering.treeOf(root.resolve("p"));
    String note = Files.readString(checkpointLog(), StandardCharsets.UTF_8);
    String signed = note.substring(0, note.length() - 1);

    // the signed checkpoint edited to cover it
    Files.writeString(checkpointLog(), Tampering.resized(signed, forged) + "\n");
    assertAlert(monitor().check(), "invalid signature for key " + key.name());

    // a checkpoint of it signed with the forger's own key under the log's name
    Files.writeString(checkpointLog(), Tampering.resignedWithOwnKey(signed, forged) + "\n");
    assertAlert(monitor().check(), "note has no verifiable signatures");
  }

  @Test
  void aStateFileNotSignedByTheKeyIsNotAVerdict() throws Exception {
    Files.writeString(state, "hello\n");
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> monitor().check())
        .isInstanceOf(Monitor.CannotCheck.class)
        .hasMessageContaining("the state file is not signed by");
  }
}
