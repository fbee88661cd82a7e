package dev.aiflow.security;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.aiflow.engine.security.AccessBootstrap;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Every route, three callers: anonymous, a signed-in user without groups, an operator. The API's
 * routes come from its own OpenAPI document, so a new endpoint is swept the day it is added.
 */
class RouteSweepSecurityTest extends SecurityTestBase {

  record Route(String method, String path) {}

  private List<Route> apiRoutes() throws Exception {
    HttpResponse<String> doc = getAsAdmin("/v3/api-docs");
    assertThat(doc.statusCode()).isEqualTo(200);
    List<Route> routes = new ArrayList<>();
    for (var it = json(doc).path("paths").fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      String path =
          e.getKey()
              .replace("{projectId}", "sweep")
              .replace("{taskId}", "T-1")
              .replace("{id}", "no-such-campaign")
              .replaceAll("\\{[^}]+}", "x");
      for (var ops = e.getValue().fields(); ops.hasNext(); ) {
        Map.Entry<String, JsonNode> op = ops.next();
        // required query parameters get a value, so the route itself is reached
        StringBuilder query = new StringBuilder();
        for (JsonNode param : op.getValue().path("parameters")) {
          if (param.path("in").asText().equals("query") && param.path("required").asBoolean()) {
            query.append(query.length() == 0 ? '?' : '&').append(param.path("name").asText());
            query.append("=1");
          }
        }
        routes.add(new Route(op.getKey().toUpperCase(), path + query));
      }
    }
    assertThat(routes).as("the API documents its routes").hasSizeGreaterThanOrEqualTo(7);
    return routes;
  }

  private HttpResponse<String> call(Route r, String user, String password) throws Exception {
    return send(r.method(), r.path(), r.method().equals("GET") ? null : "{}", user, password);
  }

  @Test
  void anonymousCallersGetNothingButTheHealthProbe() throws Exception {
    List<Route> routes = new ArrayList<>(apiRoutes());
    for (String p :
        List.of(
            "/v3/api-docs",
            "/swagger-ui.html",
            "/actuator",
            "/actuator/info",
            "/actuator/env",
            "/actuator/beans",
            "/engine-rest/engine",
            "/engine-rest/process-definition",
            "/engine-rest/process-instance",
            "/engine-rest/history/process-instance",
            "/engine-rest/task",
            "/engine-rest/external-task",
            "/engine-rest/user",
            "/engine-rest/authorization",
            "/engine-rest/deployment")) {
      routes.add(new Route("GET", p));
    }
    routes.add(new Route("POST", "/engine-rest/process-definition/key/campaign/start"));
    routes.add(new Route("POST", "/engine-rest/external-task/fetchAndLock"));
    for (Route r : routes) {
      HttpResponse<String> answer = call(r, null, null);
      assertThat(answer.statusCode()).as(r.toString()).isEqualTo(401);
    }
    assertThat(get("/actuator/health", null, null).statusCode()).isEqualTo(200);
    assertThat(get("/actuator/health/liveness", null, null).statusCode()).isEqualTo(200);
  }

  @Test
  void aUserWithoutGroupsIsRefusedOrShownNothing() throws Exception {
    String pw = user("nogroup");
    for (Route r : apiRoutes()) {
      HttpResponse<String> answer = call(r, "nogroup", pw);
      if (r.method().equals("GET") && r.path().equals("/api/campaigns")) {
        assertThat(answer.statusCode()).isEqualTo(200);
        assertThat(json(answer)).as("a list of what they may read").isEmpty();
      } else if (r.method().equals("GET") && r.path().startsWith("/api/campaigns/")) {
        assertThat(answer.statusCode()).as(r.toString()).isEqualTo(404);
      } else {
        assertThat(answer.statusCode()).as(r + ": " + answer.body()).isEqualTo(403);
      }
    }
    // Camunda's own API applies the same authorizations: lists come back empty
    for (String p :
        List.of(
            "/engine-rest/process-definition",
            "/engine-rest/history/process-instance",
            "/engine-rest/task",
            "/engine-rest/authorization")) {
      HttpResponse<String> answer = get(p, "nogroup", pw);
      assertThat(answer.statusCode()).as(p).isEqualTo(200);
      assertThat(json(answer)).as(p).isEmpty();
    }
    assertThat(
            send("POST", "/engine-rest/process-definition/key/campaign/start", "{}", "nogroup", pw)
                .statusCode())
        .as("Camunda hides a definition the caller may not read")
        .isIn(403, 404);
    assertThat(get("/actuator/env", "nogroup", pw).statusCode()).isIn(403, 404);
  }

  @Test
  void operatorsReachEveryApiRoute() throws Exception {
    String pw = user("opal", AccessBootstrap.OPERATORS);
    for (Route r : apiRoutes()) {
      HttpResponse<String> answer = call(r, "opal", pw);
      assertThat(answer.statusCode()).as(r + ": " + answer.body()).isNotIn(401, 403, 500);
    }
    HttpResponse<String> definitions = get("/engine-rest/process-definition", "opal", pw);
    assertThat(json(definitions)).extracting(n -> n.path("key").asText()).contains("campaign");
  }
}
