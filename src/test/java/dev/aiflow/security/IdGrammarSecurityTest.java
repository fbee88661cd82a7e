package dev.aiflow.security;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.aiflow.cli.Cli;
import dev.aiflow.ids.Ids;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * Finding 9: ids were read unchecked ({@code session replay --project-id ../../../../etc} built a
 * path outside the data directory). Every command and endpoint that takes a project or task id
 * checks it with the one grammar of {@link Ids}.
 */
class IdGrammarSecurityTest extends SecurityTestBase {

  private int cli(StringWriter err, String... args) {
    CommandLine c = Cli.commandLine();
    c.setErr(new PrintWriter(err, true));
    c.setOut(new PrintWriter(new StringWriter(), true));
    return c.execute(args);
  }

  @Test
  void theCommandLineRefusesTraversingIds() {
    String[][] commands = {
      {"session", "replay", "--project-id", "../../../../etc", "--data-dir", dataDir().toString()},
      {"audit", "reconcile", "--project-id", "../x", "--data-dir", dataDir().toString()},
      {"log", "--project-id", "a:b", "init"},
      {"log", "--project-id", "p", "verify", "--task-id", "../../t"},
      {"checkpoint-create", "--task-key", "..", "--run-id", "R1", "--file", "x"},
      {"prepare-next", "--run-id", "a/b", "--queue-path", "q.json"}
    };
    for (String[] args : commands) {
      StringWriter err = new StringWriter();
      assertThat(cli(err, args)).as(String.join(" ", args)).isEqualTo(2);
      assertThat(err.toString()).as(String.join(" ", args)).contains("not a valid id");
    }
    assertThat(Path.of("etc")).doesNotExist();
  }

  @Test
  void theApiRefusesIdsOutsideTheGrammar() throws Exception {
    for (String path :
        new String[] {
          "/api/projects/a:b/reconcile",
          "/api/projects/..%2F..%2Fetc/reconcile",
          "/api/projects/p/tasks/a:b/events",
          "/api/projects/..../requirements"
        }) {
      HttpResponse<String> r = getAsAdmin(path);
      assertThat(r.statusCode()).as(path + ": " + r.body()).isEqualTo(400);
    }
    Path dir = Files.createDirectories(dataDir().resolve("projects/ids"));
    Files.writeString(dir.resolve("q.json"), "{\"tasks\": [{\"key\": \"T:1\"}]}");
    ObjectNode body = JSON.createObjectNode().put("projectId", "ids:x");
    body.put("queuePath", dir.resolve("q.json").toString());
    HttpResponse<String> r = postJson("/api/campaigns", body.toString(), true);
    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(json(r).path("field").asText()).isEqualTo("projectId");
    body.put("projectId", "ids");
    r = postJson("/api/campaigns", body.toString(), true);
    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(json(r).path("detail").asText()).contains("/tasks/0/key");
  }
}
