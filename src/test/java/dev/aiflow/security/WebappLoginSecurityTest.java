package dev.aiflow.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.CookieManager;
import java.net.CookiePolicy;
import java.net.HttpCookie;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Finding 3: the webapps could not be logged into. They now work as in a stock Camunda Spring Boot
 * app (their login form, session and CSRF token; no Basic challenge that makes a browser pop up its
 * own box), the APIs stay stateless Basic (no session), and the two never stand in for each other.
 * The same is proven in a real browser by the end-to-end suite (src/test/e2e).
 */
class WebappLoginSecurityTest extends SecurityTestBase {

  @Test
  void noWebappPathChallengesTheBrowserWithBasicAuth() throws Exception {
    for (String path :
        List.of(
            "/",
            "/camunda/app/cockpit/default/",
            "/camunda/app/tasklist/default/",
            "/camunda/app/admin/default/",
            "/camunda/app/welcome/default/",
            "/camunda-welcome",
            "/camunda/api/engine/engine/",
            "/camunda/api/admin/auth/user/default",
            "/camunda/api/cockpit/plugin/cockpitPlugins/static/app/plugin.js",
            "/camunda/api/cockpit/plugin/base/default/process-definition/statistics",
            "/camunda/app/cockpit/scripts/config.js")) {
      HttpResponse<String> r = get(path, null, null);
      assertThat(r.headers().firstValue("WWW-Authenticate")).as(path).isEmpty();
      assertThat(r.statusCode()).as(path).isNotEqualTo(500);
    }
  }

  @Test
  void theWebappLoginKeepsItsSessionAndTheApisStayStateless() throws Exception {
    CookieManager cookies = new CookieManager(null, CookiePolicy.ACCEPT_ALL);
    HttpClient browser = HttpClient.newBuilder().cookieHandler(cookies).build();
    browser.send(
        HttpRequest.newBuilder(uri("/camunda/app/cockpit/default/")).build(),
        HttpResponse.BodyHandlers.ofString());
    String xsrf =
        cookies.getCookieStore().getCookies().stream()
            .filter(c -> c.getName().equals("XSRF-TOKEN"))
            .map(HttpCookie::getValue)
            .findFirst()
            .orElseThrow();
    HttpResponse<String> login =
        browser.send(
            HttpRequest.newBuilder(uri("/camunda/api/admin/auth/user/default/login/cockpit"))
                .header("X-XSRF-TOKEN", xsrf)
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(
                    HttpRequest.BodyPublishers.ofString(
                        "username=admin&password="
                            + URLEncoder.encode(adminPassword(), StandardCharsets.UTF_8)))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(login.statusCode()).as(login.body()).isEqualTo(200);
    assertThat(login.body()).contains("\"userId\":\"admin\"").contains("cockpit");

    // the session holds across calls (the webapps' own API, then Cockpit's plugin API)
    for (String path :
        List.of(
            "/camunda/api/admin/auth/user/default",
            "/camunda/api/engine/engine/default/process-definition",
            "/camunda/api/cockpit/plugin/base/default/process-definition/statistics")) {
      HttpResponse<String> r =
          browser.send(
              HttpRequest.newBuilder(uri(path)).header("X-XSRF-TOKEN", xsrf).build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(r.statusCode()).as(path + ": " + r.body()).isEqualTo(200);
    }

    // the webapp session is no key to the APIs, which answer only HTTP Basic
    HttpResponse<String> api =
        browser.send(
            HttpRequest.newBuilder(uri("/api/campaigns")).build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(api.statusCode()).isEqualTo(401);
    HttpResponse<String> engineRest =
        browser.send(
            HttpRequest.newBuilder(uri("/engine-rest/process-definition")).build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(engineRest.statusCode()).isEqualTo(401);
  }

  @Test
  void basicAuthenticatedRequestsCreateNoSession() throws Exception {
    for (String path :
        List.of(
            "/api/campaigns",
            "/engine-rest/process-definition",
            "/v3/api-docs",
            "/actuator/info",
            "/actuator/health")) {
      HttpResponse<String> r = getAsAdmin(path);
      assertThat(r.statusCode()).as(path).isEqualTo(200);
      assertThat(r.headers().allValues("Set-Cookie")).as(path).isEmpty();
    }
    // and Basic credentials do not log anyone into the webapps' API
    HttpResponse<String> webapp =
        getAsAdmin("/camunda/api/cockpit/plugin/base/default/process-definition/statistics");
    assertThat(webapp.statusCode()).isIn(401, 403);
  }
}
