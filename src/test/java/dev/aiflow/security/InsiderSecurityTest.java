package dev.aiflow.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.aiflow.engine.dispatch.AgentDispatchHandler;
import dev.aiflow.engine.security.AccessBootstrap;
import dev.aiflow.support.Queues;
import dev.aiflow.support.Queues.Item;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import org.camunda.bpm.engine.externaltask.ExternalTask;
import org.junit.jupiter.api.Test;

/**
 * The second review, by an insider with a valid low-privilege login: an operator forged a QA PASS
 * by completing the agent's external task, rewrote a running cycle's workspace to the data
 * directory, and reset the login throttle through a page that ignores credentials. Each is refused
 * now.
 */
class InsiderSecurityTest extends SecurityTestBase {

  private String slowCampaign(String project) throws Exception {
    Path dir = Files.createDirectories(dataDir().resolve("projects/" + project + "/in"));
    List<Item> items = List.of(Item.of(project + "-1", 1, "slow"));
    String packs = Queues.write(dir.resolve("task_queue.json"), 1, items);
    ObjectNode request = JSON.createObjectNode();
    request.put("projectId", project);
    request.put("queuePath", dir.resolve("task_queue.json").toString());
    request.set("stepPacks", JSON.readTree(packs));
    request.put("workspace", Files.createDirectories(dir.resolve("ws")).toString());
    request.putObject("options").put("maxCycles", 1).put("skipBackendHealthCheck", true);
    Queues.seedWorkspace(dir.resolve("ws"), items);
    return request.toString();
  }

  @Test
  void anOperatorCannotCompleteAnAgentsTaskNorRewriteARunningCyclesVariables() throws Exception {
    String pw = user("oscar", AccessBootstrap.OPERATORS);
    HttpResponse<String> started =
        send("POST", "/api/campaigns", slowCampaign("insider"), "oscar", pw);
    assertThat(started.statusCode()).as(started.body()).isEqualTo(201);
    String campaign = json(started).path("id").asText();

    // the agent runs (the mock shim's "slow" scenario never finishes): its task is locked
    ExternalTask dispatch =
        await()
            .atMost(Duration.ofSeconds(30))
            .until(
                () ->
                    engine
                        .getExternalTaskService()
                        .createExternalTaskQuery()
                        .topicName(AgentDispatchHandler.TOPIC)
                        .locked()
                        .singleResult(),
                t -> t != null);
    String cycle = dispatch.getProcessInstanceId();

    // a forged completion (the PASS of the review) as the worker that holds the lock
    HttpResponse<String> forged =
        send(
            "POST",
            "/engine-rest/external-task/" + dispatch.getId() + "/complete",
            "{\"workerId\":\""
                + dispatch.getWorkerId()
                + "\",\"variables\":{\"dispatchOutcome\":{\"value\":\"OK\"}}}",
            "oscar",
            pw);
    assertThat(forged.statusCode()).as(forged.body()).isEqualTo(403);
    HttpResponse<String> fetched =
        send(
            "POST",
            "/engine-rest/external-task/fetchAndLock",
            "{\"workerId\":\"evil\",\"maxTasks\":5,\"topics\":[{\"topicName\":\"aiflow-verify\","
                + "\"lockDuration\":60000},{\"topicName\":\"aiflow-dispatch\","
                + "\"lockDuration\":60000}]}",
            "oscar",
            pw);
    assertThat(fetched.statusCode()).isEqualTo(200);
    assertThat(json(fetched)).as("nothing to fetch for an operator").isEmpty();

    // the cycle's and the campaign's variables are not theirs to write
    for (String instance : List.of(cycle, campaign)) {
      HttpResponse<String> rewrite =
          send(
              "PUT",
              "/engine-rest/process-instance/" + instance + "/variables/workspace",
              "{\"value\":\"" + dataDir() + "\",\"type\":\"String\"}",
              "oscar",
              pw);
      assertThat(rewrite.statusCode()).as(instance + ": " + rewrite.body()).isEqualTo(403);
    }
    assertThat(engine.getRuntimeService().getVariable(cycle, "workspace"))
        .isNotEqualTo(dataDir().toString());

    // what they may do: cancel the campaign they started (its running cycle finishes first)
    HttpResponse<String> cancel =
        send("POST", "/api/campaigns/" + campaign + "/cancel", null, "oscar", pw);
    assertThat(cancel.statusCode()).as(cancel.body()).isBetween(200, 299);
    engine.getRuntimeService().deleteProcessInstance(campaign, "test over");
  }

  @Test
  void theDataDirectoryIsOwnerOnly() throws Exception {
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dataDir())))
        .isEqualTo("rwx------");
  }

  @Test
  void aPageThatIgnoresCredentialsDoesNotResetTheThrottle() throws Exception {
    String attacker = "127.0.0.4";
    int last = 0;
    for (int round = 0; round < 4 && last != 429; round++) {
      for (int i = 0; i < 3 && last != 429; i++) {
        last =
            raw(attacker, "GET", "/api/campaigns", basic("admin", "guess-" + round + i)).status();
      }
      // a webapp page answers 200 to any Basic header: no credential was checked
      raw(attacker, "GET", "/camunda/app/cockpit/default/", basic("x", "y"));
    }
    assertThat(last).as("the attacker is slowed down all the same").isEqualTo(429);
  }

  @Test
  void rightCredentialsOnAWebappApiAreNoFailedLogin() throws Exception {
    String client = "127.0.0.5";
    for (int i = 0; i < 8; i++) {
      raw(
          client,
          "GET",
          "/camunda/api/engine/engine/default/process-definition",
          basic("admin", adminPassword()));
    }
    assertThat(raw(client, "GET", "/api/campaigns", basic("admin", adminPassword())).status())
        .isEqualTo(200);
  }

  @Test
  void aPathOutOfNormalFormIsABadRequestNotAServerError() throws Exception {
    for (String path :
        List.of(
            "/camunda/../engine-rest/user",
            "/api/./campaigns",
            "/api//campaigns",
            "/api/campaigns;x=1",
            "/api/%2e%2e/engine-rest/user")) {
      Raw r = raw("127.0.0.1", "GET", path, null);
      assertThat(r.status()).as(path).isEqualTo(400);
      assertThat(r.text()).as(path).contains("path-not-normal");
    }
  }

  @Test
  void healthDetailsAreForOperatorsNotForAnySignedInUser() throws Exception {
    String nobody = user("nobodyhealth");
    HttpResponse<String> bare = send("GET", "/actuator/health", null, "nobodyhealth", nobody);
    assertThat(bare.statusCode()).isEqualTo(200);
    assertThat(json(bare).has("components")).isFalse();
    String ops = user("opshealth", AccessBootstrap.OPERATORS);
    HttpResponse<String> full = send("GET", "/actuator/health", null, "opshealth", ops);
    assertThat(json(full).has("components")).isTrue();
  }
}
