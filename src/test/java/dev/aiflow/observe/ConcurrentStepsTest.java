package dev.aiflow.observe;

import static org.assertj.core.api.Assertions.assertThat;

import dev.aiflow.protocol.AcceptanceCriterion;
import dev.aiflow.protocol.Limits;
import dev.aiflow.protocol.StepPack;
import dev.aiflow.protocol.Worker;
import dev.aiflow.worker.SandboxPolicy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two lanes of a campaign in one workspace without git: what the other step's agent changes in its
 * own allowed paths meanwhile is not this step's change; a change nobody was allowed stays with
 * every step that was observing.
 */
class ConcurrentStepsTest {

  @TempDir Path ws;
  @TempDir Path state;

  static StepPack pack(String task, String file) {
    String check = "grep -q 'status: done' " + file;
    return new StepPack(
        StepPack.SCHEMA,
        "R-" + task,
        task,
        "S1",
        "Finish " + file,
        file + " says done",
        List.of("Change only " + file + "."),
        "tier2",
        null,
        List.of(file),
        List.of(new AcceptanceCriterion("AC-1", "done", check)),
        List.of(check),
        ".artifacts/R-" + task + "/" + task + "/S1",
        new Limits(60, 20, 512),
        new Worker("mock", null));
  }

  static List<String> paths(ChangeSet c) {
    return c.changes().stream().map(ObservedChange::path).sorted().toList();
  }

  @Test
  void eachStepKeepsItsOwnChangesAndTheUnallowedOnes() throws Exception {
    Files.createDirectories(ws.resolve("src"));
    Files.writeString(ws.resolve("src/a.txt"), "status: todo\n");
    Files.writeString(ws.resolve("src/b.txt"), "status: todo\n");
    KernelVerifier verifier = Kernel.verifier(state, SandboxPolicy.none());
    StepPack a = pack("A", "src/a.txt");
    StepPack b = pack("B", "src/b.txt");
    StepPack later = pack("L", "src/a.txt");

    verifier.before(a, ws);
    verifier.before(b, ws);
    Files.writeString(ws.resolve("src/a.txt"), "status: done\n"); // A's agent
    Files.writeString(ws.resolve("src/b.txt"), "status: done\n"); // B's agent
    Files.writeString(ws.resolve("HIDDEN.txt"), "nobody may\n"); // one of them, unallowed

    KernelObservation seenByA = verifier.verify(a, ws, "mock", null);
    assertThat(paths(seenByA.changes())).containsExactly("HIDDEN.txt", "src/a.txt");
    assertThat(
            Files.readString(ws.resolve(seenByA.kernelDir()).resolve("changes.json"))
                .replaceAll("\\s", ""))
        .contains("\"concurrent_changes\"")
        .contains("src/b.txt");
    KernelObservation seenByB = verifier.verify(b, ws, "mock", null);
    assertThat(paths(seenByB.changes())).containsExactly("HIDDEN.txt", "src/b.txt");

    // a step whose window overlapped no other sees everything, as before
    verifier.before(later, ws);
    Files.writeString(ws.resolve("src/b.txt"), "status: changed again\n");
    assertThat(paths(verifier.verify(later, ws, "mock", null).changes()))
        .containsExactly("src/b.txt");
  }
}
