package dev.aiflow.engine.cockpit;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.aiflow.engine.requirements.ApprovalReader;
import dev.aiflow.engine.security.AccessBootstrap;
import dev.aiflow.support.Queues;
import dev.aiflow.support.Queues.Item;
import dev.aiflow.support.ServerTestBase;
import java.io.IOException;
import java.net.CookieManager;
import java.net.CookiePolicy;
import java.net.HttpCookie;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.awaitility.Awaitility;
import org.camunda.bpm.engine.IdentityService;
import org.camunda.bpm.engine.ProcessEngine;
import org.camunda.bpm.engine.authorization.Authorization;
import org.camunda.bpm.engine.authorization.Permissions;
import org.camunda.bpm.engine.authorization.Resources;
import org.camunda.bpm.engine.identity.User;
import org.camunda.bpm.engine.task.Task;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * The Cockpit plugin's REST resources over real HTTP, signed in through the webapps' own login
 * (session cookie and XSRF token), as the browser does: an administrator sees campaigns, their
 * cycles, the chart and the audit; a user sees only what their Camunda grants allow; nobody gets
 * any file but a campaign's own chart.
 */
class CockpitPluginApiTest extends ServerTestBase {

  static final ObjectMapper JSON = new ObjectMapper();
  static final String PLUGIN = "/camunda/api/cockpit/plugin/aiflow/default/";

  @Autowired ProcessEngine engine;

  /** A browser's session with the webapps: cookies and the XSRF token they hand out. */
  final class Session {
    final CookieManager cookies = new CookieManager(null, CookiePolicy.ACCEPT_ALL);
    final HttpClient client = HttpClient.newBuilder().cookieHandler(cookies).build();
    String xsrf;

    Session open() throws Exception {
      client.send(
          HttpRequest.newBuilder(uri("/camunda/app/cockpit/default/")).build(),
          HttpResponse.BodyHandlers.discarding());
      xsrf =
          cookies.getCookieStore().getCookies().stream()
              .filter(c -> c.getName().equals("XSRF-TOKEN"))
              .map(HttpCookie::getValue)
              .findFirst()
              .orElseThrow();
      return this;
    }

    /** Signs in as the login form of {@code app} does; returns the answer's status. */
    int login(String user, String password, String app) throws Exception {
      HttpResponse<String> r =
          client.send(
              HttpRequest.newBuilder(uri("/camunda/api/admin/auth/user/default/login/" + app))
                  .header("X-XSRF-TOKEN", xsrf)
                  .header("Content-Type", "application/x-www-form-urlencoded")
                  .POST(
                      HttpRequest.BodyPublishers.ofString(
                          "username="
                              + URLEncoder.encode(user, StandardCharsets.UTF_8)
                              + "&password="
                              + URLEncoder.encode(password, StandardCharsets.UTF_8)))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      return r.statusCode();
    }

    HttpResponse<String> get(String path) throws Exception {
      return client.send(
          HttpRequest.newBuilder(uri(path)).header("X-XSRF-TOKEN", xsrf).build(),
          HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<byte[]> bytes(String path) throws Exception {
      return client.send(
          HttpRequest.newBuilder(uri(path)).header("X-XSRF-TOKEN", xsrf).build(),
          HttpResponse.BodyHandlers.ofByteArray());
    }

    JsonNode json(String path) throws Exception {
      HttpResponse<String> r = get(path);
      assertThat(r.statusCode()).as(path + ": " + r.body()).isEqualTo(200);
      return JSON.readTree(r.body());
    }
  }

  Session admin() throws Exception {
    Session s = new Session().open();
    assertThat(s.login("admin", adminPassword(), "cockpit")).isEqualTo(200);
    return s;
  }

  Session as(String user, String password, String app) throws Exception {
    Session s = new Session().open();
    assertThat(s.login(user, password, app)).as(user + " signs in to " + app).isEqualTo(200);
    return s;
  }

  /** A user with a random password in the given groups; returns the password. */
  String user(String id, String... groups) {
    IdentityService identity = engine.getIdentityService();
    String password = "pw-" + UUID.randomUUID();
    User u = identity.createUserQuery().userId(id).singleResult();
    if (u == null) {
      u = identity.newUser(id);
    }
    u.setPassword(password);
    identity.saveUser(u);
    for (String g : groups) {
      if (identity.createGroupQuery().groupId(g).count() == 0) {
        identity.saveGroup(identity.newGroup(g));
      }
      if (identity.createUserQuery().userId(id).memberOfGroup(g).count() == 0) {
        identity.createMembership(id, g);
      }
    }
    return password;
  }

  /** Starts a campaign over the REST API and waits for its end; returns its id. */
  String campaign(String projectId, List<Item> items) throws Exception {
    Path dir = Files.createDirectories(dataDir().resolve("cockpit-" + projectId));
    Path queue = dir.resolve("task_queue.json");
    String packs = Queues.write(queue, 1, items);
    ObjectNode request = JSON.createObjectNode();
    request.put("projectId", projectId);
    request.put("queuePath", queue.toString());
    request.set("stepPacks", JSON.readTree(packs));
    request.put("workspace", Files.createDirectories(dir.resolve("ws")).toString());
    request.putObject("options").put("maxCycles", 10).put("maxReworkRounds", 1);
    HttpResponse<String> created = postJson("/api/campaigns", request.toString(), true);
    assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
    String id = JSON.readTree(created.body()).path("id").asText();
    Awaitility.await()
        .atMost(Duration.ofSeconds(90))
        .pollInterval(Duration.ofMillis(250))
        .until(
            () -> JSON.readTree(getAsAdmin("/api/campaigns/" + id).body()),
            c -> !"running".equals(c.path("state").asText()));
    return id;
  }

  @Test
  void anAdministratorSeesCampaignsCyclesChartAndAudit() throws Exception {
    String id =
        campaign(
            "cockpit", List.of(Item.of("C-1", 1, "pass"), Item.of("C-2", 2, "fail-then-pass")));
    Session s = admin();

    JsonNode list = s.json(PLUGIN + "campaigns");
    JsonNode row = null;
    for (JsonNode c : list) {
      if (c.path("id").asText().equals(id)) {
        row = c;
      }
    }
    assertThat(row).as(list.toString()).isNotNull();
    assertThat(row.path("projectId").asText()).isEqualTo("cockpit");
    assertThat(row.path("state").asText()).isEqualTo("completed");
    assertThat(row.path("endReason").asText()).isEqualTo("queue_drained");
    assertThat(row.path("cyclesDone").asInt()).isEqualTo(2);
    assertThat(row.path("tasksCompleted").asInt()).isEqualTo(2);
    assertThat(row.path("tasksFailed").asInt()).isZero();
    assertThat(row.path("startedBy").asText()).isEqualTo("admin");
    assertThat(row.path("startedAt").asText()).isNotBlank();
    assertThat(row.path("links").path("detail").asText()).isEqualTo("#/aiflow/campaigns/" + id);

    JsonNode detail = s.json(PLUGIN + "campaigns/" + id);
    JsonNode cycles = detail.path("cycles");
    assertThat(cycles).hasSize(2);
    assertThat(cycles.get(0).path("taskId").asText()).isEqualTo("C-1");
    assertThat(cycles.get(0).path("reworkRounds").asInt()).isZero();
    JsonNode second = cycles.get(1);
    assertThat(second.path("taskId").asText()).isEqualTo("C-2");
    assertThat(second.path("tier").asText()).startsWith("tier");
    assertThat(second.path("qaVerdict").asText()).isEqualTo("PASS");
    assertThat(second.path("qaReasonCode").asText()).isEqualTo("PASS_ALL_CRITERIA");
    assertThat(second.path("reworkRounds").asInt()).isEqualTo(1);
    assertThat(second.path("dispatchOutcome").asText()).isEqualTo("OK");
    assertThat(second.path("outcome").asText()).isEqualTo("completed");
    assertThat(second.path("durationMs").asLong()).isPositive();
    assertThat(detail.path("scoreboard").path("cycles").asInt()).isEqualTo(2);
    assertThat(detail.path("chart").asBoolean()).isTrue();

    HttpResponse<String> chart = s.get(PLUGIN + "campaigns/" + id + "/summary.svg");
    assertThat(chart.statusCode()).isEqualTo(200);
    assertThat(chart.headers().firstValue("Content-Type"))
        .hasValueSatisfying(t -> assertThat(t).startsWith("image/svg+xml"));
    assertThat(chart.headers().firstValue("Content-Security-Policy")).isPresent();
    assertThat(chart.body()).startsWith("<svg");

    String cycle = second.path("processInstanceId").asText();
    JsonNode audit = s.json(PLUGIN + "audit/" + cycle);
    assertThat(audit.path("projectId").asText()).isEqualTo("cockpit");
    assertThat(audit.path("taskId").asText()).isEqualTo("C-2");
    assertThat(audit.path("verify").path("ok").asBoolean()).as(audit.toString()).isTrue();
    assertThat(audit.path("reconcile").path("clean").asBoolean()).as(audit.toString()).isTrue();
    assertThat(audit.path("links").path("campaign").asText()).isEqualTo("#/aiflow/campaigns/" + id);
    assertThat(audit.path("events"))
        .extracting(e -> e.path("kind").asText() + " " + e.path("rs").asText())
        .contains("attempt R0/S0", "attempt R0/S1");
    assertThat(audit.path("events"))
        .extracting(e -> e.path("result").asText())
        .contains("REWORK", "PASS");
    assertThat(audit.path("evidence")).isNotEmpty();
    for (JsonNode f : audit.path("evidence")) {
      assertThat(f.path("path").asText()).startsWith(".artifacts/");
      assertThat(f.path("sha256").asText()).matches("[0-9a-f]{64}");
    }

    // the campaign's own instance has an audit too, finished as it is
    JsonNode campaignAudit = s.json(PLUGIN + "audit/" + id);
    assertThat(campaignAudit.path("processDefinitionKey").asText()).isEqualTo("campaign");
    assertThat(s.get(PLUGIN + "audit/no-such-instance").statusCode()).isEqualTo(404);
    assertThat(s.get(PLUGIN + "campaigns/no-such-campaign").statusCode()).isEqualTo(404);
    assertThat(s.get(PLUGIN + "campaigns?max=0").statusCode()).isEqualTo(400);

    // the frontend module is served to the browser, like every plugin's
    HttpResponse<String> js =
        get("/camunda/api/cockpit/plugin/aiflow/static/app/plugin.js", null, null);
    assertThat(js.statusCode()).isEqualTo(200);
    assertThat(js.body()).contains("cockpit.route").contains("cockpit.processInstance.runtime.tab");
    assertThat(get("/camunda/app/cockpit/default/", null, null).body())
        .contains("/camunda/api/cockpit/plugin/aiflow/static/app");
  }

  @Test
  void usersSeeOnlyWhatTheirGrantsAllow() throws Exception {
    String id = campaign("grants", List.of(Item.of("G-1", 1, "pass")));
    String cycle =
        admin()
            .json(PLUGIN + "campaigns/" + id)
            .path("cycles")
            .get(0)
            .path("processInstanceId")
            .asText();

    // no groups: may sign in to the welcome page only, and the plugin refuses them
    Session nobody = as("nobody", user("nobody"), "welcome");
    for (String p :
        List.of(
            "campaigns", "campaigns/" + id, "campaigns/" + id + "/summary.svg", "audit/" + cycle)) {
      assertThat(nobody.get(PLUGIN + p).statusCode()).as(p).isEqualTo(403);
    }

    // Cockpit but no grant on any process: sees no campaign, and no audit
    String bare = "cockpit-only";
    engine.getIdentityService().saveGroup(engine.getIdentityService().newGroup(bare));
    Authorization a =
        engine.getAuthorizationService().createNewAuthorization(Authorization.AUTH_TYPE_GRANT);
    a.setGroupId(bare);
    a.setResource(Resources.APPLICATION);
    a.setResourceId("cockpit");
    a.addPermission(Permissions.ACCESS);
    engine.getAuthorizationService().saveAuthorization(a);
    Session looker = as("looker", user("looker", bare), "cockpit");
    HttpResponse<String> list = looker.get(PLUGIN + "campaigns");
    assertThat(list.statusCode()).isEqualTo(200);
    assertThat(JSON.readTree(list.body())).isEmpty();
    assertThat(looker.get(PLUGIN + "campaigns/" + id).statusCode()).isEqualTo(404);
    assertThat(looker.get(PLUGIN + "campaigns/" + id + "/summary.svg").statusCode()).isEqualTo(404);
    assertThat(looker.get(PLUGIN + "audit/" + cycle).statusCode()).isEqualTo(403);

    // aiflow-viewers read campaigns and the audit
    Session viewer = as("vera", user("vera", AccessBootstrap.VIEWERS), "cockpit");
    assertThat(viewer.json(PLUGIN + "campaigns"))
        .extracting(c -> c.path("id").asText())
        .contains(id);
    assertThat(viewer.json(PLUGIN + "campaigns/" + id).path("cycles")).hasSize(1);
    assertThat(viewer.json(PLUGIN + "audit/" + cycle).path("verify").path("ok").asBoolean())
        .isTrue();

    // no session: 401, never a Basic-auth challenge a browser would pop up
    HttpResponse<String> anonymous = get(PLUGIN + "campaigns", null, null);
    assertThat(anonymous.statusCode()).isEqualTo(401);
    assertThat(anonymous.headers().firstValue("WWW-Authenticate")).isEmpty();
    // and HTTP Basic is no key to the webapps' API
    assertThat(getAsAdmin(PLUGIN + "campaigns").statusCode()).isEqualTo(401);
  }

  @Test
  void theChartRouteServesTheCampaignsOwnChartAndNothingElse() throws Exception {
    String id = campaign("chart", List.of(Item.of("K-1", 1, "pass")));
    Session s = admin();
    String secret = adminPassword();
    for (String p :
        List.of(
            "campaigns/" + id + "/summary.svg/..%2F..%2Fadmin-password",
            "campaigns/" + id + "/..%2Fsummary.svg",
            "campaigns/..%2F..%2Fadmin-password/summary.svg",
            "campaigns/" + id + "/scoreboard.json",
            "campaigns/" + id + "/summary.md",
            "campaigns/" + id + "/task_queue.json")) {
      HttpResponse<String> r = s.get(PLUGIN + p);
      assertThat(r.statusCode()).as(p).isIn(400, 404);
      assertThat(r.body()).as(p).doesNotContain(secret);
    }
    // a query cannot name another file either
    HttpResponse<String> withQuery =
        s.get(PLUGIN + "campaigns/" + id + "/summary.svg?path=/etc/passwd");
    assertThat(withQuery.statusCode()).isEqualTo(200);
    assertThat(withQuery.body()).startsWith("<svg").doesNotContain("root:");

    // the trend records the chart is rendered from, replaced by a link to the data directory's
    // secret: refused, not followed
    Path trends = Path.of(progressDir(id)).resolve("trends.jsonl");
    assertThat(trends).isRegularFile();
    Path kept = trends.resolveSibling("kept.jsonl");
    Files.move(trends, kept);
    Files.createSymbolicLink(trends, dataDir().resolve("admin-password"));
    HttpResponse<byte[]> linked = s.bytes(PLUGIN + "campaigns/" + id + "/summary.svg");
    assertThat(linked.statusCode()).isEqualTo(404);
    assertThat(new String(linked.body(), StandardCharsets.UTF_8)).doesNotContain(secret);
    assertThat(s.json(PLUGIN + "campaigns/" + id).path("chart").asBoolean()).isFalse();

    // a folder where the records should be: refused as well
    Files.delete(trends);
    Files.createDirectories(trends);
    assertThat(s.get(PLUGIN + "campaigns/" + id + "/summary.svg").statusCode()).isEqualTo(404);

    // damaged records: no chart, and nothing of their content in the answer
    Files.delete(trends);
    Files.writeString(trends, "{\"cycle\":\"" + secret + "\"}\n");
    HttpResponse<String> damaged = s.get(PLUGIN + "campaigns/" + id + "/summary.svg");
    assertThat(damaged.statusCode()).isEqualTo(404);
    assertThat(damaged.body()).doesNotContain(secret);

    // the chart follows the records as they are now, not a file rendered earlier
    Files.delete(trends);
    Files.move(kept, trends);
    Files.writeString(Path.of(progressDir(id)).resolve("summary.svg"), "<svg>stale</svg>");
    assertThat(s.get(PLUGIN + "campaigns/" + id + "/summary.svg").body())
        .startsWith("<svg")
        .doesNotContain("stale");
  }

  @Test
  void theApprovalFormShowsTheDraftToWhoMayDecideItAndToNobodyElse() throws Exception {
    String project = "approve-" + UUID.randomUUID().toString().substring(0, 8);
    ObjectNode body = JSON.createObjectNode();
    body.put("dialogue", Files.readString(Path.of("examples/requirements/dialogue.txt")));
    HttpResponse<String> started =
        postJson("/api/projects/" + project + "/requirements", body.toString(), true);
    assertThat(started.statusCode()).as(started.body()).isEqualTo(201);
    String pi = JSON.readTree(started.body()).path("processInstanceId").asText();
    Task task =
        Awaitility.await()
            .atMost(Duration.ofSeconds(30))
            .until(
                () ->
                    engine
                        .getTaskService()
                        .createTaskQuery()
                        .processInstanceId(pi)
                        .taskDefinitionKey(ApprovalReader.APPROVAL_TASK)
                        .singleResult(),
                t -> t != null);
    String sha = (String) engine.getRuntimeService().getVariable(pi, "draftSha256");
    Path draft =
        dataDir().resolve("projects").resolve(project).resolve("input/requirements.draft.md");
    String text = Files.readString(draft, StandardCharsets.UTF_8);
    String route = PLUGIN + "approval/" + task.getId();

    // a member of the approvers group, signed in to Tasklist: the text, hash, plan and diff
    Session approver = as("ann", user("ann", AccessBootstrap.APPROVERS), "tasklist");
    JsonNode a = approver.json(route);
    assertThat(a.path("projectId").asText()).isEqualTo(project);
    assertThat(a.path("processInstanceId").asText()).isEqualTo(pi);
    assertThat(a.path("text").asText()).isEqualTo(text);
    assertThat(a.path("sha256").asText()).isEqualTo(sha).matches("[0-9a-f]{64}");
    assertThat(a.path("unchanged").asBoolean()).isTrue();
    assertThat(a.path("previousVersion").asInt()).isZero();
    assertThat(a.path("plan")).isNotEmpty();
    for (JsonNode t : a.path("plan")) {
      assertThat(t.path("key").asText()).isNotBlank();
      assertThat(t.path("allowedPaths")).isNotEmpty();
      assertThat(t.path("acceptance")).isNotEmpty();
    }
    assertThat(a.path("diff")).isNotEmpty().allMatch(l -> l.path("op").asText().equals("+"));
    // what the approver needs is in the answer, no server path
    assertThat(a.toString()).doesNotContain(dataDir().toString());

    // the draft changed behind the approval: the form says so
    Files.writeString(draft, text + "\n- one more line\n", StandardCharsets.UTF_8);
    JsonNode changed = approver.json(route);
    assertThat(changed.path("unchanged").asBoolean()).isFalse();
    assertThat(changed.path("expectedSha256").asText()).isEqualTo(sha);
    Files.writeString(draft, text, StandardCharsets.UTF_8);

    // Tasklist, but not a candidate of this task: it does not exist for them
    String tasklistOnly = "tasklist-only";
    engine.getIdentityService().saveGroup(engine.getIdentityService().newGroup(tasklistOnly));
    Authorization g =
        engine.getAuthorizationService().createNewAuthorization(Authorization.AUTH_TYPE_GRANT);
    g.setGroupId(tasklistOnly);
    g.setResource(Resources.APPLICATION);
    g.setResourceId("tasklist");
    g.addPermission(Permissions.ACCESS);
    engine.getAuthorizationService().saveAuthorization(g);
    Session other = as("tom", user("tom", tasklistOnly), "tasklist");
    HttpResponse<String> hidden = other.get(route);
    assertThat(hidden.statusCode()).isEqualTo(404);
    assertThat(hidden.body()).doesNotContain(sha);

    // Cockpit without Tasklist: refused; no such task: 404; no session: 401
    Session viewer = as("vic", user("vic", AccessBootstrap.VIEWERS), "cockpit");
    assertThat(viewer.get(route).statusCode()).isEqualTo(403);
    assertThat(approver.get(PLUGIN + "approval/no-such-task").statusCode()).isEqualTo(404);
    assertThat(get(route, null, null).statusCode()).isEqualTo(401);

    // the draft gone: 404 that says so, never a 500
    Files.delete(draft);
    HttpResponse<String> gone = approver.get(route);
    assertThat(gone.statusCode()).as(gone.body()).isEqualTo(404);
    assertThat(gone.body()).contains("DRAFT_MISSING");
    Files.writeString(draft, text, StandardCharsets.UTF_8);

    // the form that fetches it is deployed with the models and linked from the user task
    assertThat(
            engine
                .getFormService()
                .getTaskFormKey(task.getProcessDefinitionId(), task.getTaskDefinitionKey()))
        .isEqualTo("embedded:deployment:processes/forms/approve-requirements.html");
    assertThat(
            engine
                .getRepositoryService()
                .getDeploymentResourceNames(
                    engine
                        .getRepositoryService()
                        .getProcessDefinition(task.getProcessDefinitionId())
                        .getDeploymentId()))
        .contains("processes/forms/approve-requirements.html");
  }

  private String progressDir(String campaignId) throws IOException, InterruptedException {
    return JSON.readTree(getAsAdmin("/api/campaigns/" + campaignId).body())
        .path("progressDir")
        .asText();
  }
}
