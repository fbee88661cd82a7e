package dev.aiflow.recovery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CheckpointStoreTest {

  static final Instant T0 = Instant.parse("2026-12-01T13:00:00Z");
  @TempDir Path tmp;
  Path ws;
  CheckpointStore store;

  @BeforeEach
  void setUp() throws Exception {
    ws = Files.createDirectories(tmp.resolve("ws"));
    store = new CheckpointStore(tmp.resolve("checkpoints"));
    Files.createDirectories(ws.resolve("src"));
    Files.writeString(ws.resolve("src/parser.py"), "def parse(): pass\n");
    Files.writeString(ws.resolve("src/run.sh"), "#!/bin/sh\necho hi\n");
    ws.resolve("src/run.sh").toFile().setExecutable(true);
  }

  @Test
  void rollbackRestoresChangedAndDeletedFilesAndRemovesCreatedOnes() throws Exception {
    Checkpoint cp =
        store.create(
            "T-013", "RUN-1", ws, List.of("src/parser.py", "tests/test_parser.py"), List.of(), T0);
    assertThat(cp.id()).matches("T-013_20261201T130000Z_[0-9a-f]{7}");
    assertThat(cp.entries())
        .extracting(Checkpoint.Entry::path, Checkpoint.Entry::existed)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("src/parser.py", true),
            org.assertj.core.groups.Tuple.tuple("tests/test_parser.py", false));

    Files.writeString(ws.resolve("src/parser.py"), "broken\n");
    Files.createDirectories(ws.resolve("tests"));
    Files.writeString(ws.resolve("tests/test_parser.py"), "created by the agent\n");

    RollbackReport r = store.rollback(cp.id());
    assertThat(r.restored()).containsExactly("src/parser.py");
    assertThat(r.deleted()).containsExactly("tests/test_parser.py");
    assertThat(Files.readString(ws.resolve("src/parser.py"))).isEqualTo("def parse(): pass\n");
    assertThat(ws.resolve("tests/test_parser.py")).doesNotExist();

    RollbackReport again = store.rollback(cp.id());
    assertThat(again.changed()).isZero();
    assertThat(again.unchanged()).containsExactly("src/parser.py", "tests/test_parser.py");
  }

  @Test
  void patternsBringBackDeletedFilesAndDeleteNewOnes() throws Exception {
    Checkpoint cp = store.create("T-1", "R", ws, List.of(), List.of("src/**"), T0);
    assertThat(cp.entries())
        .extracting(Checkpoint.Entry::path)
        .containsExactly("src/parser.py", "src/run.sh");

    Files.delete(ws.resolve("src/run.sh"));
    Files.writeString(ws.resolve("src/new_module.py"), "x = 1\n");
    Files.writeString(ws.resolve("outside.txt"), "not under the pattern\n");

    RollbackReport r = store.rollback(cp.id());
    assertThat(r.restored()).containsExactly("src/run.sh");
    assertThat(r.deleted()).containsExactly("src/new_module.py");
    assertThat(Files.isExecutable(ws.resolve("src/run.sh"))).as("the mode comes back too").isTrue();
    assertThat(ws.resolve("outside.txt")).exists();
  }

  @Test
  void pathsThatEscapeTheWorkspaceAreRefusedBeforeAnyCopy() throws Exception {
    for (String bad : List.of("../secret.txt", "/etc/passwd", "src/../../x", "")) {
      assertThatThrownBy(() -> store.create("T-1", "R", ws, List.of(bad), List.of(), T0))
          .isInstanceOf(RecoveryException.class)
          .extracting(e -> ((RecoveryException) e).code())
          .isEqualTo("PATH_ESCAPES_WORKSPACE");
    }
    assertThatThrownBy(() -> store.create("T-1", "R", ws, List.of(), List.of("../**"), T0))
        .isInstanceOf(RecoveryException.class);
    assertThat(store.root()).doesNotExist();
  }

  @Test
  void aLinkOutOfTheWorkspaceIsRefused() throws Exception {
    Path outside = Files.createDirectories(tmp.resolve("outside"));
    Files.createSymbolicLink(ws.resolve("link"), outside);
    assertThatThrownBy(() -> store.create("T-1", "R", ws, List.of("link/f.txt"), List.of(), T0))
        .isInstanceOf(RecoveryException.class)
        .hasMessageContaining("through a link");
  }

  @Test
  void aTamperedCopyStopsTheRollbackBeforeItTouchesAnything() throws Exception {
    Checkpoint cp =
        store.create("T-1", "R", ws, List.of("src/parser.py", "src/run.sh"), List.of(), T0);
    Files.writeString(ws.resolve("src/parser.py"), "agent change\n");
    Files.writeString(ws.resolve("src/run.sh"), "agent change\n");
    Files.writeString(store.root().resolve(cp.id()).resolve("files/src/run.sh"), "tampered\n");

    assertThatThrownBy(() -> store.rollback(cp.id()))
        .isInstanceOf(RecoveryException.class)
        .hasMessageContaining("CHECKPOINT_CORRUPT")
        .hasMessageContaining("src/run.sh");
    assertThat(Files.readString(ws.resolve("src/parser.py"))).isEqualTo("agent change\n");
  }

  @Test
  void aManifestPointingOutsideIsRefused() throws Exception {
    Checkpoint cp = store.create("T-1", "R", ws, List.of("src/parser.py"), List.of(), T0);
    Path manifest = store.root().resolve(cp.id()).resolve(CheckpointStore.MANIFEST);
    Files.writeString(
        manifest, Files.readString(manifest).replace("\"src/parser.py\"", "\"../../victim\""));
    assertThatThrownBy(() -> store.rollback(cp.id()))
        .isInstanceOf(RecoveryException.class)
        .extracting(e -> ((RecoveryException) e).code())
        .isEqualTo("PATH_ESCAPES_WORKSPACE");
  }

  @Test
  void unknownAndMalformedIdsAreNotFound() {
    assertThatThrownBy(() -> store.rollback("nope")).hasMessageContaining("CHECKPOINT_NOT_FOUND");
    assertThatThrownBy(() -> store.rollback("../../etc"))
        .hasMessageContaining("CHECKPOINT_NOT_FOUND");
  }
}
