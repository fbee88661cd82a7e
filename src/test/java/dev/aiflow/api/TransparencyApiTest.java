package dev.aiflow.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.aiflow.cli.Cli;
import dev.aiflow.support.ServerTestBase;
import dev.aiflow.transparency.ChainForger;
import dev.aiflow.transparency.Checkpoint;
import dev.aiflow.transparency.CheckpointKeys;
import dev.aiflow.transparency.ConsistencyProof;
import dev.aiflow.transparency.InclusionProof;
import dev.aiflow.transparency.Projects;
import dev.aiflow.transparency.Proofs;
import dev.aiflow.transparency.Rfc6962;
import dev.aiflow.transparency.SignedNote;
import dev.aiflow.transparency.Transparency;
import dev.aiflow.transparency.VerifierKey;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import picocli.CommandLine;

/**
 * The transparency endpoints over real HTTP, and the monitor following the server: the verifier
 * key, the latest checkpoint, inclusion and consistency proofs, all behind the login.
 */
class TransparencyApiTest extends ServerTestBase {

  @Autowired Transparency transparency;

  String project(String id) {
    Projects.create(properties.workflowRoot(), id);
    return id;
  }

  Checkpoint open(String note, String projectId) throws Exception {
    VerifierKey key = transparency.verifierKey(projectId);
    return Checkpoint.parse(
        SignedNote.open(note.getBytes(StandardCharsets.UTF_8), List.of(key)).text());
  }

  @Test
  void theKeyTheCheckpointAndTheProofsAreServedAsText() throws Exception {
    String p = project("served");
    String base = "/api/projects/" + p + "/transparency/";
    assertThat(get(base + "verifier-key", null, null).statusCode()).isEqualTo(401);

    HttpResponse<String> key = getAsAdmin(base + "verifier-key");
    assertThat(key.statusCode()).isEqualTo(200);
    assertThat(key.headers().firstValue("Content-Type").orElse("")).startsWith("text/plain");
    assertThat(key.body().strip()).isEqualTo(transparency.verifierKey(p).toString());
    // the generated key stays in the data directory, owner-only
    assertThat(dataDir().resolve(CheckpointKeys.DEFAULT_FILE)).exists();

    assertThat(getAsAdmin(base + "checkpoint").statusCode()).isEqualTo(404);
    assertThat(getAsAdmin(base + "inclusion?seq=1").statusCode()).isEqualTo(404);

    transparency.issue(p);
    HttpResponse<String> cp = getAsAdmin(base + "checkpoint");
    assertThat(cp.statusCode()).isEqualTo(200);
    Checkpoint first = open(cp.body(), p);
    assertThat(first.size()).isEqualTo(5);

    HttpResponse<String> inclusion = getAsAdmin(base + "inclusion?seq=4");
    assertThat(inclusion.statusCode()).as(inclusion.body()).isEqualTo(200);
    InclusionProof proof = InclusionProof.parse(inclusion.body());
    String line =
        Files.readAllLines(properties.workflowRoot().resolve(p).resolve("events.jsonl")).get(3);
    assertThat(
            Proofs.verifyInclusion(
                3,
                5,
                Rfc6962.leafHash(line.getBytes(StandardCharsets.UTF_8)),
                proof.hashes(),
                first.root()))
        .isTrue();

    Projects.grow(properties.workflowRoot(), p, "T-3", 3);
    Checkpoint second = open(transparency.issue(p).note(), p);
    HttpResponse<String> consistency = getAsAdmin(base + "consistency?from=5");
    assertThat(consistency.statusCode()).isEqualTo(200);
    ConsistencyProof c = ConsistencyProof.parse(consistency.body());
    assertThat(Proofs.verifyConsistency(5, 8, c.hashes(), first.root(), second.root())).isTrue();

    assertThat(getAsAdmin(base + "inclusion?seq=99").statusCode()).isEqualTo(400);
    assertThat(getAsAdmin(base + "consistency?from=1&to=6").statusCode()).isEqualTo(404);
    assertThat(getAsAdmin("/api/projects/nope/transparency/checkpoint").statusCode())
        .isEqualTo(404);
  }

  record Run(int exit, String out, String err) {}

  Run monitor(String url, String key, Path state) throws Exception {
    Path password = dataDir().resolve("monitor-password");
    Files.writeString(password, adminPassword());
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cli = Cli.commandLine();
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    int exit =
        cli.execute(
            "log",
            "monitor",
            "--checkpoint",
            url,
            "--key",
            key,
            "--state-file",
            state.toString(),
            "--user",
            "admin",
            "--password-file",
            password.toString());
    return new Run(exit, out.toString(), err.toString());
  }

  @Test
  void theMonitorFollowsTheServerAndCatchesASplitView() throws Exception {
    String p = project("watched");
    transparency.issue(p);
    String url = baseUrl() + "/api/projects/" + p + "/transparency/checkpoint";
    String key = transparency.verifierKey(p).toString();
    Path state = dataDir().resolve("monitor/watched.checkpoint");

    // meanwhile, someone with the key signs another history of the same log (a copy of the
    // project with a rewritten chain) to show to monitors
    Path other = dataDir().resolve("other-history");
    org.springframework.util.FileSystemUtils.copyRecursively(
        properties.workflowRoot().resolve(p), other.resolve(p));
    Files.deleteIfExists(other.resolve(p).resolve("transparency/checkpoints"));
    new ChainForger(other.resolve(p)).failToPass().write();
    Transparency elsewhere =
        new Transparency(
            other, CheckpointKeys.load(dataDir().resolve(CheckpointKeys.DEFAULT_FILE)));
    String otherHistory = elsewhere.issue(p).note();

    Run first = monitor(url, key, state);
    assertThat(first.exit()).as(first.err()).isZero();
    Projects.grow(properties.workflowRoot(), p, "T-3", 2);
    transparency.issue(p);
    Run grown = monitor(url, key, state);
    assertThat(grown.exit()).as(grown.err()).isZero();
    assertThat(grown.out()).contains("consistent with the 5 events seen before");

    // a monitor that was shown the other history at 5 events: the server's proof to its 7 fails
    Files.writeString(state, otherHistory);
    Run split = monitor(url, key, state);
    assertThat(split.exit()).as(split.out()).isEqualTo(1);
    assertThat(split.err())
        .contains("ALERT no valid consistency proof from the 5 events seen before");
    assertThat(Files.readString(state.resolveSibling("watched.checkpoint.rejected")))
        .isEqualTo(transparency.latest(p).orElseThrow().note());
  }
}
