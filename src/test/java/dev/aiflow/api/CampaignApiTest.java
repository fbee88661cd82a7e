package dev.aiflow.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.aiflow.support.Packs;
import dev.aiflow.support.Queues;
import dev.aiflow.support.Queues.Item;
import dev.aiflow.support.ServerTestBase;
import dev.aiflow.triage.QueueStore;
import dev.aiflow.triage.TaskStatus;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * The whole application over real HTTP: campaigns started with credentials (and refused without),
 * followed to their end, their queue, scoreboard, chain and history checked; bad requests answered
 * with problem+json naming the field; a campaign started through Camunda's own REST API.
 */
class CampaignApiTest extends ServerTestBase {

  static final ObjectMapper JSON = new ObjectMapper();

  JsonNode body(HttpResponse<String> r) throws Exception {
    return JSON.readTree(r.body());
  }

  JsonNode awaitEnd(String id) {
    return Awaitility.await()
        .atMost(Duration.ofSeconds(90))
        .pollInterval(Duration.ofMillis(250))
        .until(
            () -> body(getAsAdmin("/api/campaigns/" + id)),
            c -> !"running".equals(c.path("state").asText()));
  }

  @Test
  void aCampaignOverHttpFromStartToAuditedEnd() throws Exception {
    Path dir = Files.createDirectories(dataDir().resolve("http-campaign"));
    Path queue = dir.resolve("task_queue.json");
    List<Item> items =
        List.of(
            Item.of("H-1", 1, "pass"),
            Item.of("H-2", 2, "fail-then-pass"),
            Item.of("H-3", 3, "fail-always"));
    String packs = Queues.write(queue, 1, items);
    ObjectNode request = JSON.createObjectNode();
    request.put("projectId", "http");
    request.put("queuePath", queue.toString());
    request.set("stepPacks", JSON.readTree(packs));
    request.put("workspace", Files.createDirectories(dir.resolve("ws")).toString());
    request.putObject("options").put("maxCycles", 10).put("maxReworkRounds", 1);

    HttpResponse<String> anonymous = postJson("/api/campaigns", request.toString(), false);
    assertThat(anonymous.statusCode()).isEqualTo(401);
    assertThat(new dev.aiflow.scoreboard.ScoreboardStore(queue.getParent()).exists()).isFalse();

    HttpResponse<String> created = postJson("/api/campaigns", request.toString(), true);
    assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
    String id = body(created).path("id").asText();
    assertThat(created.headers().firstValue("Location")).hasValue("/api/campaigns/" + id);
    assertThat(body(created).path("links").path("cancel").asText()).endsWith("/cancel");

    JsonNode done = awaitEnd(id);
    assertThat(done.path("state").asText()).isEqualTo("completed");
    assertThat(done.path("endReason").asText()).isEqualTo("queue_drained");
    assertThat(done.path("cyclesDone").asInt()).isEqualTo(3);
    assertThat(done.path("queue").path("completed").asInt()).isEqualTo(2);
    assertThat(done.path("queue").path("failed").asInt()).isEqualTo(1);
    assertThat(done.path("scoreboard").path("cycles").asInt()).isEqualTo(3);
    assertThat(done.path("scoreboard").path("rework_rounds").asInt()).isEqualTo(2);
    assertThat(done.path("scoreboard").path("qa_verdicts").path("PASS").asInt()).isEqualTo(2);
    var statuses = new QueueStore(queue).read();
    assertThat(statuses.require("H-1").status()).isEqualTo(TaskStatus.COMPLETED);
    assertThat(statuses.require("H-2").status()).isEqualTo(TaskStatus.COMPLETED);
    assertThat(statuses.require("H-3").status()).isEqualTo(TaskStatus.FAILED);

    JsonNode events = body(getAsAdmin("/api/projects/http/tasks/H-2/events"));
    assertThat(events).extracting(e -> e.path("event_type").asText()).contains("task_closed");
    JsonNode verify = body(getAsAdmin("/api/projects/http/tasks/H-2/verify"));
    assertThat(verify.path("ok").asBoolean()).as(verify.toString()).isTrue();
    JsonNode reconcile = body(getAsAdmin("/api/projects/http/reconcile"));
    assertThat(reconcile.path("attemptsInChain").asInt()).as(reconcile.toString()).isEqualTo(5);
    assertThat(reconcile.path("dispatchesInHistory").asInt()).isEqualTo(5);
    assertThat(reconcile.path("attemptsWithoutHistory")).isEmpty();
    assertThat(reconcile.path("dispatchesWithoutAttempt")).isEmpty();

    JsonNode list = body(getAsAdmin("/api/campaigns"));
    assertThat(list).extracting(c -> c.path("id").asText()).contains(id);
    assertThat(get("/api/projects/http/tasks/H-2/events", null, null).statusCode()).isEqualTo(401);
    assertThat(getAsAdmin("/api/projects/http/tasks/NOPE/events").statusCode()).isEqualTo(404);
    HttpResponse<String> again = postJson("/api/campaigns/" + id + "/cancel", "", true);
    assertThat(again.statusCode()).isEqualTo(409);
  }

  @Test
  void escalateExhaustedReworkLeavesTheTaskToAPersonAndTheDecisionEndsTheCampaign()
      throws Exception {
    Path dir = Files.createDirectories(dataDir().resolve("http-escalation"));
    Path queue = dir.resolve("task_queue.json");
    String packs = Queues.write(queue, 1, List.of(Item.of("E-1", 1, "fail-always")));
    ObjectNode request = JSON.createObjectNode();
    request.put("projectId", "http-escalation");
    request.put("queuePath", queue.toString());
    request.set("stepPacks", JSON.readTree(packs));
    request.put("workspace", Files.createDirectories(dir.resolve("ws")).toString());
    request.putObject("options").put("maxReworkRounds", 0).put("escalateExhaustedRework", true);

    HttpResponse<String> created = postJson("/api/campaigns", request.toString(), true);
    assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
    String id = body(created).path("id").asText();
    assertThat(
            body(getAsAdmin(
                    "/engine-rest/process-instance/" + id + "/variables/escalateExhaustedRework"))
                .path("value")
                .asBoolean())
        .isTrue();
    JsonNode task =
        Awaitility.await()
            .atMost(Duration.ofSeconds(60))
            .pollInterval(Duration.ofMillis(300))
            .until(
                () ->
                    body(
                        getAsAdmin(
                            "/engine-rest/task?taskDefinitionKey=UserTask_DecideEscalation"
                                + "&processVariables=taskId_eq_E-1")),
                l -> l.size() == 1)
            .get(0);
    assertThat(body(getAsAdmin("/api/campaigns/" + id)).path("state").asText())
        .isEqualTo("running");

    // the summary of a campaign waiting for a person: rendered on request, nothing written
    String summaryPath = "/api/campaigns/" + id + "/summary";
    assertThat(get(summaryPath, null, null).statusCode()).isEqualTo(401);
    HttpResponse<String> waiting = getAsAdmin(summaryPath);
    assertThat(waiting.statusCode()).as(waiting.body()).isEqualTo(200);
    assertThat(waiting.headers().firstValue("Content-Type"))
        .hasValueSatisfying(t -> assertThat(t).startsWith("text/markdown"));
    assertThat(waiting.body()).contains("0 of 1 tasks completed");
    assertThat(dir.resolve("summary.md")).doesNotExist();
    assertThat(getAsAdmin("/api/campaigns/nope/summary").statusCode()).isEqualTo(404);

    HttpResponse<String> decided =
        postJson(
            "/engine-rest/task/" + task.path("id").asText() + "/complete",
            "{\"variables\": {\"escalationDecision\": {\"value\": \"accept\"},"
                + " \"escalationReason\": {\"value\": \"good enough\"}}}",
            true);
    assertThat(decided.statusCode()).as(decided.body()).isEqualTo(204);
    JsonNode done = awaitEnd(id);
    assertThat(done.path("endReason").asText()).isEqualTo("queue_drained");
    assertThat(new QueueStore(queue).read().require("E-1").status())
        .isEqualTo(TaskStatus.COMPLETED);

    // the campaign's end rendered summary.md; on request the same text comes back
    String rendered = Files.readString(dir.resolve("summary.md"));
    assertThat(rendered).contains("1 of 1 tasks completed");
    assertThat(getAsAdmin(summaryPath).body()).isEqualTo(rendered);
    // damaged trend records: a conflict naming the file and line, never their content
    Files.writeString(
        dir.resolve("trends.jsonl"),
        "{\"secret\":\"" + adminPassword() + "\"\n",
        java.nio.file.StandardOpenOption.APPEND);
    HttpResponse<String> damaged = getAsAdmin(summaryPath);
    assertThat(damaged.statusCode()).as(damaged.body()).isEqualTo(409);
    assertThat(damaged.body()).contains("trends.jsonl").contains("line 2");
    assertThat(damaged.body()).doesNotContain(adminPassword());
  }

  @Test
  void anInlineQueueIsStoredUnderTheProjectAndCanBeCancelled() throws Exception {
    String packs =
        "{\"S-1\":"
            + Packs.stepPack("S-1", "silent", 60, 2)
            + ",\"S-2\":"
            + Packs.stepPack("S-2", "pass")
            + "}";
    String request =
        """
        {"projectId": "inline",
         "queue": {"max_attempts": 1, "tasks": [{"key": "S-1", "priority": 0}, {"key": "S-2", "priority": 1}]},
         "stepPacks": %s,
         "options": {"maxReworkRounds": 0}}
        """
            .formatted(packs);
    HttpResponse<String> created = postJson("/api/campaigns", request, true);
    assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
    JsonNode c = body(created);
    String id = c.path("id").asText();
    assertThat(Path.of(c.path("queuePath").asText()))
        .startsWith(dataDir().resolve("projects/inline/campaigns"))
        .exists();
    Awaitility.await()
        .atMost(Duration.ofSeconds(20))
        .until(
            () ->
                "S-1"
                    .equals(body(getAsAdmin("/api/campaigns/" + id)).path("currentTask").asText()));

    HttpResponse<String> cancel = postJson("/api/campaigns/" + id + "/cancel", "", true);
    assertThat(cancel.statusCode()).isEqualTo(202);
    JsonNode done = awaitEnd(id);
    assertThat(done.path("endReason").asText()).isEqualTo("cancelled");
    assertThat(done.path("queue").path("pending").asInt()).isEqualTo(1);
    assertThat(postJson("/api/campaigns/nope/cancel", "", true).statusCode()).isEqualTo(404);
    assertThat(getAsAdmin("/api/campaigns/nope").statusCode()).isEqualTo(404);
  }

  @Test
  void aSecondCampaignOverAQueueARunningOneOwnsIsAConflictNamingIt() throws Exception {
    Path dir = Files.createDirectories(dataDir().resolve("owned-queue"));
    Path queue = dir.resolve("task_queue.json");
    String packs =
        Queues.write(
            queue, 1, List.of(Item.of("O-1", 1, "silent"), Item.of("O-2", 2, "pass")), 60, 2);
    ObjectNode request = JSON.createObjectNode();
    request.put("projectId", "owned");
    request.put("queuePath", queue.toString());
    request.set("stepPacks", JSON.readTree(packs));
    request.put("workspace", Files.createDirectories(dir.resolve("ws")).toString());
    request.putObject("options").put("maxReworkRounds", 0);
    HttpResponse<String> first = postJson("/api/campaigns", request.toString(), true);
    assertThat(first.statusCode()).as(first.body()).isEqualTo(201);
    String running = body(first).path("id").asText();

    HttpResponse<String> second = postJson("/api/campaigns", request.toString(), true);

    assertThat(second.statusCode()).as(second.body()).isEqualTo(409);
    assertThat(second.headers().firstValue("Content-Type"))
        .hasValueSatisfying(t -> assertThat(t).startsWith("application/problem+json"));
    assertThat(body(second).path("detail").asText())
        .contains("owned by running campaign " + running);
    assertThat(postJson("/api/campaigns/" + running + "/cancel", "", true).statusCode())
        .isEqualTo(202);
    assertThat(awaitEnd(running).path("endReason").asText()).isEqualTo("cancelled");
  }

  @Test
  void badRequestsNameTheFieldAndStoreNothing() throws Exception {
    record Case(String body, String field) {}
    String goodPack = Packs.stepPack("B-1", "pass");
    Path outside = Files.createTempFile("queue", ".json");
    List<Case> cases =
        List.of(
            new Case("{\"projectId\": \"bad\"}", "queue"),
            new Case(
                "{\"queue\": {\"tasks\": [{\"key\": \"B-1\", \"priority\": \"high\"}]}}",
                "queue.tasks.0.priority"),
            new Case(
                "{\"queue\": {\"tasks\": []}, \"options\": {\"maxCycle\": 3}}", "options.maxCycle"),
            new Case(
                "{\"queue\": {\"tasks\": []}, \"options\": {\"maxCycles\": 0}}",
                "options.maxCycles"),
            new Case(
                "{\"queue\": {\"tasks\": []}, \"options\": {\"maxCycles\": \"ten\"}}",
                "options.maxCycles"),
            new Case(
                "{\"queue\": {\"tasks\": []}, \"options\": {\"campaignMaxTokens\": -1}}",
                "options.campaignMaxTokens"),
            new Case(
                "{\"queue\": {\"tasks\": []}, \"options\": {\"maxParallelTasks\": 17}}",
                "options.maxParallelTasks"),
            new Case(
                "{\"queue\": {\"tasks\": []}, \"stepPacks\": {\"B-1\": {\"schema\": \"nope\"}}}",
                "stepPacks.B-1"),
            new Case(
                "{\"queue\": {\"tasks\": []}, \"stepPacks\": {\"B-2\": " + goodPack + "}}",
                "stepPacks.B-2"),
            new Case("{\"queuePath\": \"" + outside + "\"}", "queuePath"),
            new Case("{\"queue\": {\"tasks\": []}, \"projectId\": \"../etc\"}", "projectId"),
            new Case(
                "{\"queue\": {\"tasks\": []}, \"workerBackendMap\": {\"B-1\": \"Not A Backend\"}}",
                "workerBackendMap"),
            // a shim or backend the server does not know: refused now, not at the preflight
            new Case(
                "{\"queue\": {\"tasks\": []}, \"options\": {\"workerShim\": \"no-such-shim\"}}",
                "options.workerShim"),
            new Case(
                "{\"queue\": {\"tasks\": []}, \"options\": {\"workerBackend\": \"nobody\"}}",
                "options.workerBackend"),
            new Case(
                "{\"queue\": {\"tasks\": []}, \"workerBackendMap\": {\"B-1\": \"nobody\"}}",
                "workerBackendMap.B-1"),
            new Case(
                "{\"queue\": {\"tasks\": []}, \"options\": {\"integrationMode\": \"rebase\"}}",
                "options.integrationMode"),
            new Case(
                "{\"queue\": {\"tasks\": []}, \"options\": {\"gitIsolation\": \"always\"}}",
                "options.gitIsolation"),
            new Case(
                "{\"queue\": {\"tasks\": []}, \"options\": {\"campaignBranch\": \"-f\"}}",
                "options.campaignBranch"));
    for (Case c : cases) {
      HttpResponse<String> r = postJson("/api/campaigns", c.body(), true);
      assertThat(r.statusCode()).as(c.body() + " -> " + r.body()).isEqualTo(400);
      assertThat(r.headers().firstValue("Content-Type"))
          .hasValueSatisfying(t -> assertThat(t).startsWith("application/problem+json"));
      assertThat(body(r).path("field").asText()).as(r.body()).isEqualTo(c.field());
      assertThat(body(r).path("detail").asText()).isNotBlank();
    }
    assertThat(dataDir().resolve("projects/bad")).doesNotExist();
    assertThat(dataDir().resolve("projects/default/campaigns")).doesNotExist();
  }

  @Test
  void theOpenApiDocumentDescribesTheCampaignApiBehindTheLogin() throws Exception {
    assertThat(get("/v3/api-docs", null, null).statusCode()).isEqualTo(401);
    JsonNode doc = body(getAsAdmin("/v3/api-docs"));
    assertThat(doc.path("paths").has("/api/campaigns")).isTrue();
    assertThat(doc.path("paths").has("/api/campaigns/{id}/cancel")).isTrue();
    assertThat(doc.path("paths").has("/api/projects/{projectId}/tasks/{taskId}/events")).isTrue();
    assertThat(doc.path("paths").has("/api/projects/{projectId}/tasks/{taskId}/verify")).isTrue();
    // a real title, the project's version (pom.xml, through build-info), what it is for
    assertThat(doc.path("info").path("title").asText()).isEqualTo("aiflow API");
    String pom = Files.readString(Path.of("pom.xml"));
    java.util.regex.Matcher m =
        java.util.regex.Pattern.compile("</parent>[\\s\\S]*?<version>([^<]+)</version>")
            .matcher(pom);
    assertThat(m.find()).isTrue();
    assertThat(doc.path("info").path("version").asText()).isEqualTo(m.group(1));
    assertThat(doc.path("info").path("description").asText()).contains("campaigns");
    // every operation documents its error answers as problem+json
    int operations = 0;
    for (JsonNode path : doc.path("paths")) {
      for (JsonNode op : path) {
        operations++;
        for (String code : List.of("400", "401", "403", "404", "409", "413", "429")) {
          JsonNode r = op.path("responses").path(code);
          assertThat(r.path("description").asText())
              .as(op.path("operationId") + " " + code)
              .isNotBlank();
          assertThat(r.path("content").has("application/problem+json"))
              .as(op.path("operationId") + " " + code)
              .isTrue();
        }
      }
    }
    assertThat(operations).isGreaterThanOrEqualTo(7);
    assertThat(
            doc.path("components").path("schemas").path("Problem").path("properties").has("field"))
        .isTrue();
  }

  @Test
  void aCampaignStartedThroughCamundasRestApiRunsTheSame() throws Exception {
    Path dir = Files.createDirectories(dataDir().resolve("engine-rest"));
    Path queue = dir.resolve("task_queue.json");
    String packs = Queues.write(queue, 1, List.of(Item.of("E-1", 1, "pass")));
    ObjectNode vars = JSON.createObjectNode();
    vars.putObject("projectId").put("value", "engine-rest").put("type", "String");
    vars.putObject("queuePath").put("value", queue.toString()).put("type", "String");
    vars.putObject("stepPackMap").put("value", packs).put("type", "Json");
    vars.putObject("workspace")
        .put("value", Files.createDirectories(dir.resolve("ws")).toString())
        .put("type", "String");
    vars.putObject("maxReworkRounds").put("value", 0).put("type", "Integer");
    ObjectNode start = JSON.createObjectNode();
    start.set("variables", vars);
    start.put("businessKey", "from-engine-rest");

    HttpResponse<String> anonymous =
        postJson("/engine-rest/process-definition/key/campaign/start", start.toString(), false);
    assertThat(anonymous.statusCode()).isEqualTo(401);
    HttpResponse<String> started =
        postJson("/engine-rest/process-definition/key/campaign/start", start.toString(), true);
    assertThat(started.statusCode()).as(started.body()).isEqualTo(200);
    String id = body(started).path("id").asText();

    JsonNode done = awaitEnd(id);
    assertThat(done.path("endReason").asText()).isEqualTo("queue_drained");
    assertThat(done.path("businessKey").asText()).isEqualTo("from-engine-rest");
    assertThat(new QueueStore(queue).read().require("E-1").status())
        .isEqualTo(TaskStatus.COMPLETED);
  }
}
