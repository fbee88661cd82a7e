package dev.aiflow.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.aiflow.logger.WorkflowLogger;
import dev.aiflow.transparency.ChainForger;
import dev.aiflow.transparency.Checkpoint;
import dev.aiflow.transparency.ConsistencyProof;
import dev.aiflow.transparency.InclusionProof;
import dev.aiflow.transparency.Proofs;
import dev.aiflow.transparency.Rfc6962;
import dev.aiflow.transparency.SignedNote;
import dev.aiflow.transparency.Tampering;
import dev.aiflow.transparency.VerifierKey;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import picocli.CommandLine;

/** {@code aiflow log key|checkpoint|prove|export|verify-bundle|monitor} through the CLI. */
class TransparencyCommandsTest {

  @TempDir Path tmp;
  Path root;

  record Run(int exit, String out, String err) {}

  Run aiflow(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cli = Cli.commandLine();
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    int exit = cli.execute(args);
    return new Run(exit, out.toString(), err.toString());
  }

  Run log(String... args) {
    List<String> all =
        new ArrayList<>(List.of("log", "--root-dir", root.toString(), "--project-id", "demo"));
    all.addAll(List.of(args));
    return aiflow(all.toArray(String[]::new));
  }

  void attempt(String task, int s, String result) {
    Run r =
        log(
            "attempt",
            "--task-id",
            task,
            "--r",
            "0",
            "--s",
            Integer.toString(s),
            "--result",
            result,
            "--reason-code",
            "PASS".equals(result) ? "PASS_ALL_CRITERIA" : "TESTS_FAIL");
    assertThat(r.exit()).as(r.err()).isZero();
  }

  @BeforeEach
  void project() {
    root = tmp.resolve("data/workflow");
    assertThat(log("init").exit()).isZero();
    attempt("T-1", 0, "FAIL");
    attempt("T-2", 0, "PASS");
    assertThat(log("close", "--task-id", "T-2", "--final-status", "accepted").exit()).isZero();
    attempt("T-1", 1, "FAIL");
  }

  String key() {
    Run r = log("key");
    assertThat(r.exit()).as(r.err()).isZero();
    return r.out().strip();
  }

  Checkpoint open(String note) throws Exception {
    return Checkpoint.parse(
        SignedNote.open(note.getBytes(StandardCharsets.UTF_8), List.of(VerifierKey.parse(key())))
            .text());
  }

  @Test
  void keyIsTheVerifierKeyAndTheSigningKeyStaysOwnerOnly() throws Exception {
    String vkey = key();
    VerifierKey parsed = VerifierKey.parse(vkey);
    assertThat(parsed.name()).matches("aiflow\\.invalid/[0-9a-f]{16}/demo");
    Path keyFile = tmp.resolve("data/secrets/checkpoint-signing.key");
    assertThat(Files.getPosixFilePermissions(keyFile))
        .isEqualTo(PosixFilePermissions.fromString("rw-------"));
    assertThat(vkey).doesNotContain(Files.readString(keyFile).substring(28, 60));
    assertThat(key()).isEqualTo(vkey);
    // a configured key file that does not exist is bad usage, not a new key
    Run missing = log("key", "--signing-key-file", tmp.resolve("nope.pem").toString());
    assertThat(missing.exit()).isEqualTo(ExitCodes.USAGE);
    assertThat(missing.err()).contains("no checkpoint signing key at");
  }

  @Test
  void checkpointSignsTheChainAndProveProvesAgainstIt() throws Exception {
    Run first = log("checkpoint");
    assertThat(first.exit()).as(first.err()).isZero();
    assertThat(first.err()).contains("signed a checkpoint of 5 events of demo");
    Checkpoint cp = open(first.out());
    assertThat(cp.size()).isEqualTo(5);
    assertThat(log("checkpoint").err()).contains("no new events since the last checkpoint");

    Run prove = log("prove", "--seq", "3");
    assertThat(prove.exit()).as(prove.err()).isZero();
    InclusionProof p = InclusionProof.parse(prove.out());
    assertThat(p.index()).isEqualTo(2);
    String line3 = Files.readAllLines(root.resolve("demo/events.jsonl")).get(2);
    assertThat(
            Proofs.verifyInclusion(
                2,
                5,
                Rfc6962.leafHash(line3.getBytes(StandardCharsets.UTF_8)),
                p.hashes(),
                cp.root()))
        .isTrue();

    attempt("T-1", 2, "PASS");
    Checkpoint second = open(log("checkpoint").out());
    Run consistency = log("prove", "--from-size", "5");
    assertThat(consistency.exit()).isZero();
    ConsistencyProof c = ConsistencyProof.parse(consistency.out());
    assertThat(Proofs.verifyConsistency(5, 6, c.hashes(), cp.root(), second.root())).isTrue();

    assertThat(log("prove").exit()).isEqualTo(ExitCodes.USAGE);
    Run beyond = log("prove", "--seq", "9");
    assertThat(beyond.exit()).isEqualTo(ExitCodes.USAGE);
    assertThat(beyond.err()).contains("event 9 of demo is not covered by the latest checkpoint");
  }

  @Test
  void exportSignsExactlyWhatItExportsAndVerifyBundleNeedsOnlyTheKey() throws Exception {
    Path archive = tmp.resolve("out/demo.zip");
    Run export = log("export", "--archive", archive.toString());
    assertThat(export.exit()).as(export.err()).isZero();
    String vkey = key();
    // no data directory, no root, no server: the archive and the key
    Run verify = aiflow("log", "verify-bundle", "--archive", archive.toString(), "--key", vkey);
    assertThat(verify.exit()).as(verify.err()).isZero();
    assertThat(verify.out())
        .contains(
            "OK bundle of demo: 5 events, all in the tree signed by "
                + VerifierKey.parse(vkey).name());
    Path keyFile = tmp.resolve("demo.vkey");
    Files.writeString(keyFile, vkey + "\n");
    assertThat(
            aiflow(
                    "log",
                    "verify-bundle",
                    "--archive",
                    archive.toString(),
                    "--key",
                    keyFile.toString())
                .exit())
        .isZero();
    Run badKey = aiflow("log", "verify-bundle", "--archive", archive.toString(), "--key", "nope");
    assertThat(badKey.exit()).isEqualTo(ExitCodes.USAGE);
    assertThat(badKey.err()).contains("--key:");
  }

  @ParameterizedTest
  @EnumSource(Tampering.class)
  void verifyBundleCatchesWhatABareVerifyMisses(Tampering tampering) throws Exception {
    Path archive = tmp.resolve("demo.zip");
    assertThat(log("export", "--archive", archive.toString()).exit()).isZero();
    Path forged = tampering.apply(archive, tmp.resolve("forged.zip"));
    // imported elsewhere, a bare verify passes
    Path other = tmp.resolve("elsewhere");
    Run imported =
        aiflow(
            "log",
            "--root-dir",
            other.toString(),
            "import",
            "--archive",
            forged.toString(),
            "--target-project-id",
            "copy");
    assertThat(imported.exit()).as(imported.err()).isZero();
    assertThat(
            aiflow("log", "--root-dir", other.toString(), "--project-id", "copy", "verify").exit())
        .isZero();
    // the bundle check does not
    Run verify = aiflow("log", "verify-bundle", "--archive", forged.toString(), "--key", key());
    assertThat(verify.exit()).isEqualTo(ExitCodes.FAILED);
    assertThat(verify.err()).contains("FAIL ").contains(tampering.caught);
  }

  @Test
  void aRewrittenChainIsRefusedAndTheMonitorRaisesTheAlarm() throws Exception {
    assertThat(log("checkpoint").exit()).isZero();
    Path state = tmp.resolve("monitor.state");
    Path checkpoints = root.resolve("demo/transparency/checkpoints");
    String vkey = key();
    Run seen =
        log(
            "monitor",
            "--checkpoint",
            checkpoints.toString(),
            "--key",
            vkey,
            "--state-file",
            state.toString());
    assertThat(seen.exit()).as(seen.err()).isZero();
    assertThat(seen.out()).contains("first checkpoint seen").contains("OK ");

    new ChainForger(root.resolve("demo")).failToPass().write();
    assertThat(log("verify").exit()).as("a bare verify sees nothing").isZero();

    Run refused = log("checkpoint");
    assertThat(refused.exit()).isEqualTo(ExitCodes.FAILED);
    assertThat(refused.err()).contains("refused to sign").contains("no longer hash to the root");
    Run export = log("export", "--archive", tmp.resolve("x.zip").toString());
    assertThat(export.exit()).isEqualTo(ExitCodes.FAILED);
    assertThat(export.err()).contains("refusing to export");

    Run alarm =
        log(
            "monitor",
            "--checkpoint",
            checkpoints.toString(),
            "--key",
            vkey,
            "--state-file",
            state.toString());
    assertThat(alarm.exit()).isEqualTo(ExitCodes.FAILED);
    assertThat(alarm.err())
        .contains("ALERT the chain's first 5 events on disk do not hash to the signed root")
        .contains("MONITOR ALERT for ");

    // the operator deletes the checkpoint log so that aiflow signs the rewrite: still caught
    Files.delete(checkpoints);
    assertThat(log("checkpoint").exit()).isZero();
    Run split =
        log(
            "monitor",
            "--checkpoint",
            checkpoints.toString(),
            "--key",
            vkey,
            "--state-file",
            state.toString());
    assertThat(split.exit()).isEqualTo(ExitCodes.FAILED);
    assertThat(split.err()).contains("two different roots were signed for 5 events");
    assertThat(WorkflowLogger.verify(root, "demo", null, null).ok()).isTrue();
  }

  @Test
  void anImportedProjectStartsItsOwnLogAndKeepsTheOldOnesRecords() throws Exception {
    Path archive = tmp.resolve("demo.zip");
    assertThat(log("export", "--archive", archive.toString()).exit()).isZero();
    Run imported =
        aiflow(
            "log",
            "--root-dir",
            root.toString(),
            "import",
            "--archive",
            archive.toString(),
            "--target-project-id",
            "demo-2");
    assertThat(imported.exit()).as(imported.err()).isZero();
    Run prove =
        aiflow(
            "log", "--root-dir", root.toString(), "--project-id", "demo-2", "prove", "--seq", "1");
    assertThat(prove.exit()).as("no checkpoint of the new log yet").isEqualTo(ExitCodes.USAGE);
    Path again = tmp.resolve("demo-2.zip");
    Run export =
        aiflow(
            "log",
            "--root-dir",
            root.toString(),
            "--project-id",
            "demo-2",
            "export",
            "--archive",
            again.toString());
    assertThat(export.exit()).as(export.err()).isZero();
    String newKey =
        aiflow("log", "--root-dir", root.toString(), "--project-id", "demo-2", "key").out().strip();
    assertThat(newKey).isNotEqualTo(key());
    Run verify = aiflow("log", "verify-bundle", "--archive", again.toString(), "--key", newKey);
    assertThat(verify.exit()).as(verify.err()).isZero();
    assertThat(verify.out())
        .contains("OK bundle of demo-2: 6 events")
        .contains("1 checkpoints of other logs (before an import) not checked");
    // the old log's key does not verify the new log's bundle
    assertThat(aiflow("log", "verify-bundle", "--archive", again.toString(), "--key", key()).exit())
        .isEqualTo(ExitCodes.FAILED);
  }

  @Test
  void theMonitorReadsOnlyUrlsOnThisMachine() {
    Run remote =
        log(
            "monitor",
            "--checkpoint",
            "https://example.com/api/projects/demo/transparency/checkpoint",
            "--key",
            key(),
            "--state-file",
            tmp.resolve("s").toString());
    assertThat(remote.exit()).isEqualTo(ExitCodes.USAGE);
  }
}
