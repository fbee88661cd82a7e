package dev.aiflow.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
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
 * The freeze workflow over real HTTP: dialogue in through /api, the approval through Camunda's own
 * task REST API (what Tasklist calls), the execution guard refusing a campaign before the freeze
 * (409) and letting it run after.
 */
class RequirementsApiTest extends ServerTestBase {

  static final ObjectMapper JSON = new ObjectMapper();

  JsonNode body(HttpResponse<String> r) throws Exception {
    return JSON.readTree(r.body());
  }

  @Test
  void dialogueApprovalInTasklistThenAGuardedCampaign() throws Exception {
    Path dir = Files.createDirectories(dataDir().resolve("guarded"));
    Path queue = dir.resolve("task_queue.json");
    String packs = Queues.write(queue, 1, List.of(Item.of("T-1", 1, "pass")));
    ObjectNode campaign = JSON.createObjectNode();
    campaign.put("projectId", "guarded");
    campaign.put("queuePath", queue.toString());
    campaign.set("stepPacks", JSON.readTree(packs));
    campaign.put("workspace", Files.createDirectories(dir.resolve("ws")).toString());
    campaign.putObject("options").put("requireFreeze", true).put("maxReworkRounds", 0);

    ObjectNode noCheckpoint = campaign.deepCopy();
    ((ObjectNode) noCheckpoint.get("options")).put("rollbackOnFail", true);
    HttpResponse<String> bad = postJson("/api/campaigns", noCheckpoint.toString(), true);
    assertThat(bad.statusCode()).isEqualTo(400);
    assertThat(body(bad).path("field").asText()).isEqualTo("options.rollbackOnFail");

    HttpResponse<String> refused = postJson("/api/campaigns", campaign.toString(), true);
    assertThat(refused.statusCode()).as(refused.body()).isEqualTo(409);
    assertThat(refused.headers().firstValue("Content-Type")).hasValue("application/problem+json");
    assertThat(body(refused).path("code").asText()).isEqualTo("FREEZE_META_MISSING");
    assertThat(new QueueStore(queue).read().require("T-1").status()).isEqualTo(TaskStatus.PENDING);

    // the same refusal for a start over Camunda's own REST API: the model ends the instance
    String engineStart =
        "{\"variables\":{"
            + "\"projectId\":{\"value\":\"guarded\"},"
            + "\"queuePath\":{\"value\":\""
            + queue
            + "\"},"
            + "\"workspace\":{\"value\":\""
            + dir.resolve("ws")
            + "\"},"
            + "\"requireFreeze\":{\"value\":true}}}";
    HttpResponse<String> viaEngine =
        postJson("/engine-rest/process-definition/key/campaign/start", engineStart, true);
    assertThat(viaEngine.statusCode()).as(viaEngine.body()).isEqualTo(200);
    assertThat(body(viaEngine).path("ended").asBoolean()).isTrue();
    JsonNode blocked = body(getAsAdmin("/api/campaigns/" + body(viaEngine).path("id").asText()));
    assertThat(blocked.path("endReason").asText()).isEqualTo("execution_blocked");
    assertThat(blocked.path("endDetail").asText()).startsWith("FREEZE_META_MISSING");
    assertThat(new QueueStore(queue).read().require("T-1").status()).isEqualTo(TaskStatus.PENDING);

    String dialogue =
        "title: Finish T-1\n"
            + "we need T-1 done so that the demo completes\n"
            + "- Finish T-1 in src/T-1.txt\n"
            + "the status line of src/T-1.txt must say done\n";
    ObjectNode freeze = JSON.createObjectNode().put("dialogue", dialogue);
    assertThat(
            postJson("/api/projects/guarded/requirements", freeze.toString(), false).statusCode())
        .isEqualTo(401);
    assertThat(
            postJson("/api/projects/guarded/requirements", "{\"controllerBackend\":\"x\"}", true)
                .statusCode())
        .isEqualTo(400);
    HttpResponse<String> started =
        postJson("/api/projects/guarded/requirements", freeze.toString(), true);
    assertThat(started.statusCode()).as(started.body()).isEqualTo(201);

    JsonNode status = body(getAsAdmin("/api/projects/guarded/requirements"));
    assertThat(status.path("approved").asBoolean()).isFalse();
    assertThat(status.path("code").asText()).isEqualTo("FREEZE_NOT_APPROVED");
    String taskId = status.path("pendingApprovalTaskIds").get(0).asText();

    // an approver who is not the administrator: created in Admin, member of 'approvers'
    String pw = java.util.UUID.randomUUID().toString();
    assertThat(
            postJson(
                    "/engine-rest/user/create",
                    "{\"profile\":{\"id\":\"erin\",\"firstName\":\"Erin\",\"lastName\":\"A\","
                        + "\"email\":\"erin@example.invalid\"},\"credentials\":{\"password\":\""
                        + pw
                        + "\"}}",
                    true)
                .statusCode())
        .isEqualTo(204);
    assertThat(
            send("PUT", "/engine-rest/group/approvers/members/erin", null, "admin", adminPassword())
                .statusCode())
        .isEqualTo(204);
    assertThat(send("GET", "/engine-rest/task/" + taskId, null, "erin", pw).statusCode())
        .as("a candidate sees the task")
        .isEqualTo(200);
    assertThat(
            postJson(
                    "/engine-rest/user/create",
                    "{\"profile\":{\"id\":\"mallory\"},\"credentials\":{\"password\":\""
                        + pw
                        + "\"}}",
                    true)
                .statusCode())
        .isEqualTo(204);
    assertThat(
            send(
                    "POST",
                    "/engine-rest/task/" + taskId + "/claim",
                    "{\"userId\":\"mallory\"}",
                    "mallory",
                    pw)
                .statusCode())
        .as("someone outside 'approvers' cannot take the approval")
        .isIn(403, 404);

    // what Tasklist does: claim, then complete with the form's variables
    assertThat(
            send(
                    "POST",
                    "/engine-rest/task/" + taskId + "/claim",
                    "{\"userId\":\"erin\"}",
                    "erin",
                    pw)
                .statusCode())
        .isEqualTo(204);
    HttpResponse<String> completed =
        send(
            "POST",
            "/engine-rest/task/" + taskId + "/complete",
            "{\"variables\":{\"approved\":{\"value\":true},"
                + "\"approvalComment\":{\"value\":\"approved over REST\"}}}",
            "erin",
            pw);
    assertThat(completed.statusCode()).as(completed.body()).isEqualTo(204);

    status = body(getAsAdmin("/api/projects/guarded/requirements"));
    assertThat(status.path("approved").asBoolean()).as(status.toString()).isTrue();
    assertThat(status.path("version").asInt()).isEqualTo(1);
    assertThat(status.path("approver").asText()).isEqualTo("erin");
    assertThat(status.path("pendingApprovalTaskIds")).isEmpty();

    HttpResponse<String> accepted = postJson("/api/campaigns", campaign.toString(), true);
    assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(201);
    String id = body(accepted).path("id").asText();
    JsonNode done =
        Awaitility.await()
            .atMost(Duration.ofSeconds(90))
            .pollInterval(Duration.ofMillis(250))
            .until(
                () -> body(getAsAdmin("/api/campaigns/" + id)),
                c -> !"running".equals(c.path("state").asText()));
    assertThat(done.path("endReason").asText()).isEqualTo("queue_drained");
    assertThat(new QueueStore(queue).read().require("T-1").status())
        .isEqualTo(TaskStatus.COMPLETED);
  }
}
