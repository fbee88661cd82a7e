package dev.aiflow.security;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.aiflow.support.Packs;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

/**
 * Finding 1: a caller names a file holding a secret as a queue, a step-pack map, a pack, a snapshot
 * or a dialogue. No answer, process variable or log line may carry its content, and the data
 * directory's own secrets are never read through a request, whatever the allowed roots.
 */
@ExtendWith(OutputCaptureExtension.class)
class SecretLeakSecurityTest extends SecurityTestBase {

  /** A secret per shape a file can hold it in; each run has its own. */
  String secret;

  Path probe;
  final List<Path> secretFiles = new ArrayList<>();

  @BeforeEach
  void secretFiles() throws Exception {
    secret = "S" + UUID.randomUUID().toString().replace("-", "");
    probe = Files.createDirectories(dataDir().resolve("projects/probe/files"));
    secretFiles.clear();
    secretFiles.add(write("plain.txt", secret + "\n"));
    secretFiles.add(write("value.json", "{\"token\": \"" + secret + "\"}"));
    secretFiles.add(write("key.json", "{\"" + secret + "\": {\"a\": 1}}"));
    secretFiles.add(write("array.json", "[\"" + secret + "\"]"));
    secretFiles.add(write("token.json", "{\"tasks\": [" + secret + "]}"));
    secretFiles.add(
        write(
            "key-as-task.json",
            "{\"tasks\": [{\"key\": \"" + secret + "\"}, " + "{\"key\": \"" + secret + "\"}]}"));
    secretFiles.add(
        write("status.json", "{\"tasks\": [{\"key\": \"A\", \"status\": \"" + secret + "\"}]}"));
    secretFiles.add(write("map-key.json", "{\"" + secret + "\": \"x.json\"}"));
    secretFiles.add(write("map-value.json", "{\"A\": \"" + secret + "\"}"));
    secretFiles.add(write("unknown-member.json", "{\"A\": {\"" + secret + "\": 1}}"));
  }

  private Path write(String name, String content) throws Exception {
    return Files.writeString(probe.resolve(name), content);
  }

  private void assertNoSecret(HttpResponse<String> r, String what) {
    assertThat(r.statusCode()).as(what + ": " + r.body()).isBetween(400, 499);
    assertThat(r.body()).as(what).doesNotContain(secret).doesNotContain(adminPassword());
  }

  private HttpResponse<String> startCampaign(ObjectNode body) throws Exception {
    return postJson("/api/campaigns", body.toString(), true);
  }

  @Test
  void aFileNamedAsAQueueIsNeverQuoted(CapturedOutput output) throws Exception {
    int from = output.getAll().length(); // the first start prints the generated password once
    for (Path file : secretFiles) {
      ObjectNode body = JSON.createObjectNode().put("projectId", "probe");
      body.put("queuePath", file.toString());
      assertNoSecret(startCampaign(body), "queuePath=" + file.getFileName());
    }
    assertThat(output.getAll().substring(from)).doesNotContain(secret);
  }

  @Test
  void aFileNamedAsAStepPackMapOrAPackIsNeverQuoted(CapturedOutput output) throws Exception {
    int from = output.getAll().length();
    Path queue = write("queue.json", "{\"tasks\": [{\"key\": \"A\"}]}");
    List<Path> maps = new ArrayList<>(secretFiles);
    // a map that names a secret as a pack file, and one that names the admin password
    maps.add(write("pack-is-secret.json", "{\"A\": \"plain.txt\"}"));
    maps.add(write("pack-is-password.json", "{\"A\": \"../../../admin-password\"}"));
    for (Path map : maps) {
      ObjectNode body = JSON.createObjectNode().put("projectId", "probe");
      body.put("queuePath", queue.toString());
      body.put("stepPackMapPath", map.toString());
      assertNoSecret(startCampaign(body), "stepPackMapPath=" + map.getFileName());
    }
    assertThat(output.getAll().substring(from))
        .doesNotContain(secret)
        .doesNotContain(adminPassword());
  }

  @Test
  void theDataDirectorysSecretsAreRefusedWhateverTheRoots() throws Exception {
    Files.createDirectories(dataDir().resolve("secrets"));
    Files.writeString(dataDir().resolve("secrets/key"), secret);
    Path link = probe.resolve("innocent.json");
    Files.deleteIfExists(link);
    Files.createSymbolicLink(link, dataDir().resolve("admin-password"));
    for (String path :
        List.of(
            dataDir().resolve("admin-password").toString(),
            "data/../" + dataDir().resolve("admin-password"),
            dataDir().resolve("secrets/key").toString(),
            link.toString())) {
      ObjectNode body = JSON.createObjectNode().put("projectId", "probe");
      body.put("queuePath", path);
      HttpResponse<String> r = startCampaign(body);
      assertNoSecret(r, path);
      ObjectNode map = JSON.createObjectNode().put("projectId", "probe");
      map.put("queuePath", write("q.json", "{\"tasks\": []}").toString());
      map.put("stepPackMapPath", path);
      assertNoSecret(startCampaign(map), "map " + path);
    }
    ObjectNode body = JSON.createObjectNode().put("projectId", "probe");
    body.put("queuePath", dataDir().resolve("admin-password").toString());
    assertThat(json(startCampaign(body)).path("detail").asText())
        .contains("keeps private")
        .contains("admin-password");
  }

  @Test
  void startsOverEngineRestNeverCopyAFileIntoVariables(CapturedOutput output) throws Exception {
    int from = output.getAll().length();
    // the same attack through Camunda's own API: the first step refuses, and what it records
    // (endDetail, incidents, history) names the file, not its bytes
    List<String> instances = new ArrayList<>();
    for (Path file : secretFiles) {
      String body =
          "{\"variables\": {\"projectId\": {\"value\": \"probe\"}, \"queuePath\": {\"value\": \""
              + file
              + "\"}}}";
      HttpResponse<String> r =
          send(
              "POST",
              "/engine-rest/process-definition/key/campaign/start",
              body,
              "admin",
              adminPassword());
      assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
      assertThat(r.body()).doesNotContain(secret);
      instances.add(json(r).path("id").asText());
    }
    // a dialogue file that is not the project's own, and a snapshot that is a secret file
    HttpResponse<String> freeze =
        send(
            "POST",
            "/engine-rest/process-definition/key/requirementsFreeze/start",
            "{\"variables\": {\"projectId\": {\"value\": \"probe\"}, \"dialoguePath\": {\"value\": \""
                + dataDir().resolve("admin-password")
                + "\"}}}",
            "admin",
            adminPassword());
    assertThat(freeze.statusCode()).as(freeze.body()).isEqualTo(200);
    instances.add(json(freeze).path("id").asText());
    HttpResponse<String> cycle =
        send(
            "POST",
            "/engine-rest/process-definition/key/stepCycle/start",
            "{\"variables\": {\"projectId\": {\"value\": \"probe\"}, \"stepPack\": {\"value\": "
                + JSON.writeValueAsString(Packs.stepPack("P-1", "pass"))
                + "}, \"workspace\": {\"value\": \""
                + Files.createDirectories(probe.resolve("ws"))
                + "\"}, \"planSnapshotPath\": {\"value\": \""
                + probe.resolve("value.json")
                + "\"}, \"boundarySnapshotPath\": {\"value\": \""
                + probe.resolve("key.json")
                + "\"}}}",
            "admin",
            adminPassword());
    assertThat(cycle.statusCode()).as(cycle.body()).isEqualTo(200);
    instances.add(json(cycle).path("id").asText());
    Thread.sleep(500); // the cycle's guard runs in this request; give history a moment anyway
    for (String id : instances) {
      HttpResponse<String> vars =
          getAsAdmin(
              "/engine-rest/history/variable-instance?deserializeValues=false&processInstanceId="
                  + id);
      assertThat(vars.statusCode()).isEqualTo(200);
      assertThat(vars.body()).as("variables of " + id).doesNotContain(secret);
      assertThat(vars.body()).doesNotContain(adminPassword());
      HttpResponse<String> incidents =
          getAsAdmin("/engine-rest/history/incident?processInstanceId=" + id);
      assertThat(incidents.body()).doesNotContain(secret).doesNotContain(adminPassword());
    }
    assertThat(output.getAll().substring(from))
        .doesNotContain(secret)
        .doesNotContain(adminPassword());
  }
}
