package dev.aiflow.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.aiflow.engine.metrics.EngineStatePoller;
import dev.aiflow.engine.security.AccessBootstrap;
import dev.aiflow.metrics.AiflowMetrics;
import dev.aiflow.support.EngineTestBase;
import dev.aiflow.support.ServerTestBase;
import java.net.http.HttpResponse;
import org.camunda.bpm.engine.IdentityService;
import org.camunda.bpm.engine.identity.User;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.autoconfigure.actuate.observability.AutoConfigureObservability;
import org.springframework.boot.test.context.SpringBootTest;

/**
 * /actuator/prometheus answers the group aiflow-metrics only (401 without a login, 403 without the
 * group); /actuator/health tells anyone the status and a signed-in caller the engine's job
 * executor.
 */
@SpringBootTest(
    webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = {
      ServerTestBase.OWN_DATABASE,
      ServerTestBase.OWN_DATA_DIR,
      ServerTestBase.NO_ADMIN_PASSWORD,
      ServerTestBase.NO_DEMO,
      EngineTestBase.MOCK_SHIM,
      EngineTestBase.FAST_WORKER
    })
// Spring Boot's tests turn metrics export off unless asked: this test asks
@AutoConfigureObservability(tracing = false)
class MetricsEndpointTest extends ServerTestBase {

  static final ObjectMapper JSON = new ObjectMapper();

  @Autowired IdentityService identity;
  @Autowired AiflowMetrics metrics;
  @Autowired EngineStatePoller poller;

  @BeforeEach
  void users() {
    user("scraper", "scraper-pw-1", AccessBootstrap.METRICS);
    user("operator", "operator-pw-1", AccessBootstrap.OPERATORS);
  }

  @Test
  void withoutALoginThePrometheusEndpointIs401() throws Exception {
    assertThat(get("/actuator/prometheus", null, null).statusCode()).isEqualTo(401);
    assertThat(get("/actuator/prometheus", "scraper", "wrong").statusCode()).isEqualTo(401);
  }

  @Test
  void anOperatorWithoutTheMetricsGroupIs403() throws Exception {
    HttpResponse<String> r = get("/actuator/prometheus", "operator", "operator-pw-1");
    assertThat(r.statusCode()).isEqualTo(403);
    assertThat(r.body()).doesNotContain("aiflow_");
  }

  @Test
  void theMetricsGroupAndTheAdministratorScrapeAiflowsMetrics() throws Exception {
    metrics.cycleFinished("completed");
    metrics.qaVerdict("PASS", null);
    poller.refresh();

    HttpResponse<String> r = get("/actuator/prometheus", "scraper", "scraper-pw-1");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("Content-Type").orElse("")).startsWith("text/plain");
    assertThat(r.body())
        .contains("aiflow_cycles_total{outcome=\"completed\"}")
        .contains("aiflow_qa_verdicts_total{reason=\"none\",verdict=\"PASS\"}")
        .contains("aiflow_campaigns_running 0.0")
        .contains("jvm_memory_used_bytes")
        .contains("hikaricp_connections");

    assertThat(getAsAdmin("/actuator/prometheus").statusCode()).isEqualTo(200);
  }

  @Test
  void healthTellsAnyoneTheStatusAndASignedInCallerTheJobExecutor() throws Exception {
    HttpResponse<String> open = get("/actuator/health", null, null);
    assertThat(open.statusCode()).isEqualTo(200);
    JsonNode anonymous = JSON.readTree(open.body());
    assertThat(anonymous.path("status").asText()).isEqualTo("UP");
    assertThat(anonymous.has("components")).isFalse();
    assertThat(open.body()).doesNotContain("jobExecutor", "lockOwner", "jdbc", "PostgreSQL", "H2");

    HttpResponse<String> signedIn = get("/actuator/health", "scraper", "scraper-pw-1");
    assertThat(signedIn.statusCode()).isEqualTo(200);
    JsonNode health = JSON.readTree(signedIn.body());
    JsonNode jobExecutor = health.path("components").path("jobExecutor");
    assertThat(jobExecutor.path("status").asText()).isEqualTo("UP");
    JsonNode details = jobExecutor.path("details").path("jobExecutor");
    assertThat(details.path("lockOwner").asText()).isNotBlank();
    assertThat(details.path("lockTimeInMillis").asLong()).isPositive();
    assertThat(health.path("components").path("processEngine").path("status").asText())
        .isEqualTo("UP");
    assertThat(health.path("components").path("db").path("status").asText()).isEqualTo("UP");
  }

  private void user(String id, String password, String group) {
    if (identity.createUserQuery().userId(id).count() > 0) {
      return;
    }
    User u = identity.newUser(id);
    u.setPassword(password);
    identity.saveUser(u);
    identity.createMembership(id, group);
  }
}
