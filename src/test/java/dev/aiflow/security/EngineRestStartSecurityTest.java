package dev.aiflow.security;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

/**
 * Finding 7: a campaign started over {@code /engine-rest} without {@code queuePath} answered 500
 * with a Java exception type and logged a stack trace. Now the first step checks the variables by
 * the same rules as {@code /api} and ends at a documented end event, for every process a caller may
 * start.
 */
@ExtendWith(OutputCaptureExtension.class)
class EngineRestStartSecurityTest extends SecurityTestBase {

  private JsonNode start(String key, String variables) throws Exception {
    HttpResponse<String> r =
        send(
            "POST",
            "/engine-rest/process-definition/key/" + key + "/start",
            "{\"variables\": " + variables + "}",
            "admin",
            adminPassword());
    assertThat(r.statusCode()).as(key + " " + variables + ": " + r.body()).isEqualTo(200);
    assertThat(r.body()).doesNotContain("Exception");
    return json(r);
  }

  private Map<String, Object> variables(String id) throws Exception {
    Map<String, Object> out = new HashMap<>();
    for (JsonNode v :
        json(
            getAsAdmin(
                "/engine-rest/history/variable-instance?deserializeValues=false&processInstanceId="
                    + id))) {
      JsonNode value = v.path("value");
      out.put(
          v.path("name").asText(),
          value.isNull() ? null : value.isTextual() ? value.asText() : value.toString());
    }
    return out;
  }

  private String endActivity(String id) throws Exception {
    for (JsonNode a :
        json(getAsAdmin("/engine-rest/history/activity-instance?processInstanceId=" + id))) {
      if (a.path("activityType").asText().endsWith("EndEvent")) {
        return a.path("activityId").asText();
      }
    }
    return "(no end event)";
  }

  @Test
  void badCampaignVariablesEndAtInvalidInput(CapturedOutput output) throws Exception {
    int from = output.getAll().length();
    Map<String, String> cases =
        Map.of(
            "{}", "queuePath",
            "{\"queuePath\": {\"value\": 7, \"type\": \"Integer\"}}", "queuePath",
            "{\"queuePath\": {\"value\": \"/etc/passwd\"}}", "queuePath",
            "{\"projectId\": {\"value\": \"../x\"}, \"queuePath\": {\"value\": \"q.json\"}}",
                "projectId",
            "{\"queuePath\": {\"value\": \"nowhere.json\"}}", "queuePath",
            "{\"queuePath\": {\"value\": \"pom.xml\"}}", "queuePath",
            "{\"queuePath\": {\"value\": \"pom.xml\"}, \"workspace\": {\"value\": \".\"}}",
                "workspace");
    for (var c : cases.entrySet()) {
      JsonNode started = start("campaign", c.getKey());
      String id = started.path("id").asText();
      assertThat(started.path("ended").asBoolean()).as(c.getKey()).isTrue();
      assertThat(endActivity(id)).isEqualTo("EndEvent_InvalidInput");
      Map<String, Object> v = variables(id);
      assertThat(v).containsEntry("endReason", "invalid_input");
      assertThat(v).containsEntry("invalidField", c.getValue());
      assertThat(v.get("endDetail").toString()).as(c.getKey()).startsWith(c.getValue() + ": ");
    }
    String log = output.getAll().substring(from);
    assertThat(log)
        .doesNotContain("\tat ")
        .doesNotContain("Exception")
        .doesNotContain("ENGINE-16004");
  }

  @Test
  void badFreezeAndCycleVariablesEndAtTheirOwnEnds(CapturedOutput output) throws Exception {
    int from = output.getAll().length();
    String freeze = start("requirementsFreeze", "{}").path("id").asText();
    assertThat(endActivity(freeze)).isEqualTo("EndEvent_InvalidInput");
    assertThat(variables(freeze).get("inputProblem").toString()).contains("dialogue");
    String badProject =
        start(
                "requirementsFreeze",
                "{\"projectId\": {\"value\": \"a/../../b\"}, "
                    + "\"dialogue\": {\"value\": \"Task: x\"}}")
            .path("id")
            .asText();
    assertThat(endActivity(badProject)).isEqualTo("EndEvent_InvalidInput");

    String cycle = start("stepCycle", "{}").path("id").asText();
    assertThat(endActivity(cycle)).isEqualTo("EndEvent_Rejected");
    String wrongType =
        start("stepCycle", "{\"maxReworkRounds\": {\"value\": \"many\"}}").path("id").asText();
    assertThat(endActivity(wrongType)).isEqualTo("EndEvent_Rejected");
    String badProjectCycle =
        start("stepCycle", "{\"projectId\": {\"value\": \"..\"}}").path("id").asText();
    assertThat(endActivity(badProjectCycle)).isEqualTo("EndEvent_Rejected");
    assertThat(variables(badProjectCycle).get("intakeFindings").toString())
        .contains("INVALID_PROJECT_ID");
    String log = output.getAll().substring(from);
    assertThat(log).doesNotContain("\tat ").doesNotContain("ENGINE-16004");
  }
}
