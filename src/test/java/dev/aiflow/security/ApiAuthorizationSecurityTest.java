package dev.aiflow.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.aiflow.engine.security.AccessBootstrap;
import dev.aiflow.logger.ChainEvent;
import dev.aiflow.logger.WorkflowLogger;
import dev.aiflow.support.Queues;
import dev.aiflow.support.Queues.Item;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.camunda.bpm.engine.authorization.Authorization;
import org.camunda.bpm.engine.authorization.HistoricProcessInstancePermissions;
import org.camunda.bpm.engine.authorization.Resources;
import org.junit.jupiter.api.Test;

/**
 * Finding 2: {@code /api} checked the login, not the permission. Every action is now decided by
 * Camunda's authorizations: a user without groups can do nothing, a viewer reads, an operator
 * starts and cancels, the engine records who started a campaign and the chain names them.
 */
class ApiAuthorizationSecurityTest extends SecurityTestBase {

  private HttpResponse<String> as(
      String user, String password, String method, String path, String body) throws Exception {
    return send(method, path, body, user, password);
  }

  private String campaignBody(String project, int tasks) throws Exception {
    Path dir = Files.createDirectories(dataDir().resolve("projects/" + project + "/in"));
    List<Item> items = new java.util.ArrayList<>();
    for (int i = 1; i <= tasks; i++) {
      items.add(Item.of(project + "-" + i, i, "pass"));
    }
    String packs = Queues.write(dir.resolve("task_queue.json"), 1, items);
    ObjectNode request = JSON.createObjectNode();
    request.put("projectId", project);
    request.put("queuePath", dir.resolve("task_queue.json").toString());
    request.set("stepPacks", JSON.readTree(packs));
    request.put("workspace", Files.createDirectories(dir.resolve("ws")).toString());
    request.putObject("options").put("maxCycles", 5).put("skipBackendHealthCheck", true);
    Queues.seedWorkspace(dir.resolve("ws"), items);
    return request.toString();
  }

  @Test
  void aUserWithoutGroupsCanDoNothing() throws Exception {
    String pw = user("mallory");
    HttpResponse<String> start =
        as("mallory", pw, "POST", "/api/campaigns", campaignBody("noauth", 1));
    assertThat(start.statusCode()).as(start.body()).isEqualTo(403);
    assertThat(json(start).path("detail").asText()).contains("start campaign");
    assertThat(
            new dev.aiflow.scoreboard.ScoreboardStore(dataDir().resolve("projects/noauth/in"))
                .exists())
        .isFalse();
    assertThat(
            engine
                .getHistoryService()
                .createHistoricVariableInstanceQuery()
                .variableValueEquals("projectId", "noauth")
                .count())
        .as("no campaign was started for the refused request")
        .isZero();

    HttpResponse<String> draft =
        as(
            "mallory",
            pw,
            "POST",
            "/api/projects/noauth/requirements",
            "{\"dialogue\": \"Task: add a health endpoint\"}");
    assertThat(draft.statusCode()).isEqualTo(403);
    assertThat(as("mallory", pw, "GET", "/api/projects/noauth/requirements", null).statusCode())
        .isEqualTo(403);
    assertThat(as("mallory", pw, "GET", "/api/projects/noauth/reconcile", null).statusCode())
        .isEqualTo(403);

    // an admin's campaign exists; mallory's list is empty and its id is unknown to them
    HttpResponse<String> adminStart = postJson("/api/campaigns", campaignBody("adm", 1), true);
    assertThat(adminStart.statusCode()).as(adminStart.body()).isEqualTo(201);
    String id = json(adminStart).path("id").asText();
    HttpResponse<String> list = as("mallory", pw, "GET", "/api/campaigns", null);
    assertThat(list.statusCode()).isEqualTo(200);
    assertThat(json(list)).isEmpty();
    assertThat(as("mallory", pw, "GET", "/api/campaigns/" + id, null).statusCode()).isEqualTo(404);
    assertThat(as("mallory", pw, "POST", "/api/campaigns/" + id + "/cancel", null).statusCode())
        .isEqualTo(403);
  }

  @Test
  void viewersReadOperatorsStartAndTheEngineKnowsWho() throws Exception {
    String viewer = user("vera", AccessBootstrap.VIEWERS);
    String operator = user("otto", AccessBootstrap.OPERATORS);

    assertThat(as("vera", viewer, "POST", "/api/campaigns", campaignBody("v", 1)).statusCode())
        .isEqualTo(403);
    HttpResponse<String> started =
        as("otto", operator, "POST", "/api/campaigns", campaignBody("ops", 2));
    assertThat(started.statusCode()).as(started.body()).isEqualTo(201);
    String id = json(started).path("id").asText();

    // the engine recorded the real start user; the chain names them as the actor
    assertThat(
            engine
                .getHistoryService()
                .createHistoricProcessInstanceQuery()
                .processInstanceId(id)
                .singleResult()
                .getStartUserId())
        .isEqualTo("otto");
    try (WorkflowLogger log = WorkflowLogger.open(properties.workflowRoot(), "ops")) {
      List<ChainEvent> events = WorkflowLogger.readProjectEvents(properties.workflowRoot(), "ops");
      assertThat(events)
          .filteredOn(e -> e.json().contains("\"execution_started\""))
          .singleElement()
          .satisfies(e -> assertThat(e.json()).contains("\"actor\":\"otto\""));
    }

    HttpResponse<String> seen = as("vera", viewer, "GET", "/api/campaigns/" + id, null);
    assertThat(seen.statusCode()).isEqualTo(200);
    assertThat(json(seen).path("id").asText()).isEqualTo(id);
    assertThat(as("vera", viewer, "POST", "/api/campaigns/" + id + "/cancel", null).statusCode())
        .isEqualTo(403);
    assertThat(as("vera", viewer, "GET", "/api/projects/ops/reconcile", null).statusCode())
        .isEqualTo(200);
    await()
        .atMost(Duration.ofSeconds(60))
        .until(
            () ->
                !"running".equals(json(getAsAdmin("/api/campaigns/" + id)).path("state").asText()));
  }

  @Test
  void aListShowsOnlyTheCampaignsTheCallerMayRead() throws Exception {
    String a = json(postJson("/api/campaigns", campaignBody("one", 1), true)).path("id").asText();
    String b = json(postJson("/api/campaigns", campaignBody("two", 1), true)).path("id").asText();
    String pw = user("sam");
    // one READ grant on one historic instance (Camunda's historic instance permissions)
    Authorization grant =
        engine.getAuthorizationService().createNewAuthorization(Authorization.AUTH_TYPE_GRANT);
    grant.setUserId("sam");
    grant.setResource(Resources.HISTORIC_PROCESS_INSTANCE);
    grant.setResourceId(a);
    grant.addPermission(HistoricProcessInstancePermissions.READ);
    engine.getAuthorizationService().saveAuthorization(grant);

    JsonNode list = json(as("sam", pw, "GET", "/api/campaigns", null));
    assertThat(list).extracting(n -> n.path("id").asText()).containsExactly(a);
    assertThat(as("sam", pw, "GET", "/api/campaigns/" + b, null).statusCode()).isEqualTo(404);
    assertThat(as("sam", pw, "GET", "/api/campaigns/" + a, null).statusCode()).isEqualTo(200);
  }

  @Test
  void approversDraftNothingButSeeTheFreeze() throws Exception {
    String pw = user("ada", AccessBootstrap.APPROVERS);
    assertThat(
            as("ada", pw, "POST", "/api/projects/fr/requirements", "{\"dialogue\": \"x\"}")
                .statusCode())
        .isEqualTo(403);
    assertThat(as("ada", pw, "GET", "/api/projects/fr/requirements", null).statusCode())
        .isEqualTo(200);
  }
}
