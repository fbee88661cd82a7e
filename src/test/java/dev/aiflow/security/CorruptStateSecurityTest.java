package dev.aiflow.security;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.aiflow.logger.AttemptRecord;
import dev.aiflow.logger.WorkflowLogger;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Finding 8: a corrupt manifest, chain line or checkpoint log checked over REST is a failed
 * verification (200 with {@code ok: false}) or a 4xx problem naming the file, never a 500, and the
 * answer never quotes the file's content (a token here stands for a secret).
 */
class CorruptStateSecurityTest extends SecurityTestBase {

  static final String CANARY = "CANARY-TOKEN-4711";

  String project;
  Path dir;

  @BeforeEach
  void project() {
    project = "corrupt-" + UUID.randomUUID().toString().substring(0, 8);
    Path root = properties.workflowRoot();
    WorkflowLogger.init(root, project);
    try (WorkflowLogger log = WorkflowLogger.open(root, project)) {
      log.logAttempt(
          AttemptRecord.builder("T-1")
              .pointer(0, 0)
              .result("PASS")
              .reasonCode("PASS_ALL_CRITERIA")
              .build());
    }
    dir = root.resolve(project);
  }

  /** Every audit route of the project: none answers 500, none quotes the secret. */
  List<HttpResponse<String>> everyAuditRoute() throws Exception {
    List<HttpResponse<String>> out = new ArrayList<>();
    for (String route :
        List.of(
            "/tasks/T-1/verify",
            "/tasks/T-1/events",
            "/reconcile",
            "/transparency/checkpoint",
            "/transparency/verifier-key")) {
      HttpResponse<String> r = getAsAdmin("/api/projects/" + project + route);
      assertThat(r.statusCode()).as(route + ": " + r.body()).isLessThan(500);
      assertThat(r.body()).as(route).doesNotContain(CANARY);
      out.add(r);
    }
    return out;
  }

  /** The verify route: 200 and not ok, naming {@code file}; or a 4xx problem naming it. */
  void verifyFailsNaming(String file) throws Exception {
    HttpResponse<String> r = getAsAdmin("/api/projects/" + project + "/tasks/T-1/verify");
    JsonNode body = json(r);
    if (r.statusCode() == 200) {
      assertThat(body.path("ok").asBoolean(true)).as(r.body()).isFalse();
    } else {
      assertThat(r.statusCode()).as(r.body()).isBetween(400, 499);
      assertThat(r.headers().firstValue("Content-Type").orElse(""))
          .contains("application/problem+json");
    }
    assertThat(r.body()).contains(file).doesNotContain(CANARY);
  }

  @Test
  void aCorruptSchemaManifest() throws Exception {
    Files.writeString(dir.resolve("manifest/schema_version.json"), "{\"v\": " + CANARY);
    everyAuditRoute();
    verifyFailsNaming("schema_version.json");
  }

  @Test
  void aCorruptProjectManifest() throws Exception {
    Files.writeString(dir.resolve("manifest/project_manifest.json"), CANARY + "\n");
    everyAuditRoute();
    verifyFailsNaming("project_manifest.json");
  }

  @Test
  void aCorruptChainLine() throws Exception {
    // the project chain is the evidence of record (a task file is a mirror the logger repairs)
    Path events = dir.resolve("events.jsonl");
    List<String> lines = new ArrayList<>(Files.readAllLines(events));
    lines.set(1, "{\"seq\": \"" + CANARY + "\"");
    Files.write(events, lines);
    everyAuditRoute();
    verifyFailsNaming("events.jsonl");
  }

  @Test
  void aCorruptCheckpointLog() throws Exception {
    Files.createDirectories(dir.resolve("transparency"));
    // a complete record (text, blank line, signature lines, blank line), no signed checkpoint
    Files.writeString(
        dir.resolve("transparency/checkpoints"), CANARY + "\n\n\u2014 nobody AAAA\n\n");
    List<HttpResponse<String>> answers = everyAuditRoute();
    HttpResponse<String> checkpoint = answers.get(3);
    assertThat(checkpoint.statusCode()).as(checkpoint.body()).isBetween(400, 499);
    assertThat(checkpoint.body()).contains("checkpoints");
  }
}
