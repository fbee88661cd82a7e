package dev.aiflow.engine.requirements;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.aiflow.json.JsonInputException;
import dev.aiflow.json.StrictJson;

/** The campaign variables of a launch, in one textual form for sealing and checking. */
final class LaunchRequest {

  private static final ObjectMapper JSON = new ObjectMapper();

  private LaunchRequest() {}

  /** Compact JSON of the object (members in their order), or null for none. */
  static String canonical(String json) {
    if (json == null || json.isBlank()) {
      return null;
    }
    try {
      var node = StrictJson.readTree(json);
      if (node == null || !node.isObject()) {
        throw new IllegalArgumentException("campaignVariables: must be a JSON object");
      }
      return JSON.writeValueAsString(node);
    } catch (JsonInputException e) {
      throw new IllegalArgumentException("campaignVariables: " + e.getMessage());
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalArgumentException("campaignVariables: cannot be written back", e);
    }
  }
}
