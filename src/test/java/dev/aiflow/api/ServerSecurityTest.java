package dev.aiflow.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.aiflow.support.ServerTestBase;
import java.nio.file.Files;
import java.nio.file.attribute.PosixFilePermissions;
import org.camunda.bpm.engine.ProcessEngine;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.beans.factory.annotation.Autowired;

/** Nothing but the health probe answers without a login. */
class ServerSecurityTest extends ServerTestBase {

  @Autowired ProcessEngine engine;

  @Test
  void engineRestNeedsCredentials() throws Exception {
    assertThat(get("/engine-rest/process-definition", null, null).statusCode()).isEqualTo(401);
    // not the admin with a wrong password: Camunda would then lock the admin out for a few
    // seconds (its brute-force protection) and the next assertion would race that delay
    assertThat(get("/engine-rest/process-definition", "nobody", "wrong").statusCode())
        .isEqualTo(401);
    assertThat(getAsAdmin("/engine-rest/process-definition").statusCode()).isEqualTo(200);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "/engine-rest/engine",
        "/engine-rest/engine/default/process-definition",
        "/engine-rest/task",
        "/engine-rest/external-task",
        "/api/campaigns",
        "/api/projects/x/tasks/y/events",
        "/v3/api-docs",
        "/swagger-ui.html",
        "/actuator",
        "/actuator/info",
        "/actuator/env",
        "/error",
        "/camunda/api/cockpit/plugin/base/default/process-definition/statistics",
        "/camunda/api/engine/engine/default/process-definition",
        "/camunda/api/engine/engine/default/task"
      })
  void everythingButTheHealthProbeRefusesAnonymousCallers(String path) throws Exception {
    int status = get(path, null, null).statusCode();
    assertThat(status).as(path).isIn(401, 403);
  }

  @Test
  void theHealthProbeIsOpenAndSaysLittle() throws Exception {
    var response = get("/actuator/health", null, null);
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.body()).contains("\"status\":\"UP\"").doesNotContain("components");
  }

  @Test
  void theWebappsShowTheirLoginPage() throws Exception {
    var page = get("/camunda/app/cockpit/default/", null, null);
    assertThat(page.statusCode()).isEqualTo(200);
    assertThat(page.body()).containsIgnoringCase("cockpit");
  }

  @Test
  void theAdministratorHasAGeneratedPasswordStoredForTheOwnerOnly() throws Exception {
    var file = dataDir().resolve("admin-password");
    assertThat(Files.getPosixFilePermissions(file))
        .isEqualTo(PosixFilePermissions.fromString("rw-------"));
    assertThat(Files.getPosixFilePermissions(dataDir()))
        .isEqualTo(PosixFilePermissions.fromString("rwx------"));
    assertThat(adminPassword()).hasSizeGreaterThanOrEqualTo(32);
    assertThat(engine.getIdentityService().checkPassword("admin", adminPassword())).isTrue();
    assertThat(engine.getIdentityService().createUserQuery().memberOfGroup("camunda-admin").count())
        .isEqualTo(1);
  }

  @Test
  void camundaAuthorizationIsOnAndHistoryIsFull() {
    var config = engine.getProcessEngineConfiguration();
    assertThat(config.isAuthorizationEnabled()).isTrue();
    assertThat(config.getHistory()).isEqualTo("full");
  }
}
