package dev.aiflow.scoreboard;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.aiflow.logger.ChainEvent;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * Claims contradicted by the workspace, read from the chain: every {@code qa_review} event carries
 * {@code claims_contradicted} and {@code backend}; the model is the one the reviewed attempt (the
 * task's attempt before the review) reported in {@code usage.model}. Grouped under {@code
 * backend/model}, the key the scoreboard's spend uses.
 */
public final class ClaimsLedger {

  private static final ObjectMapper JSON = new ObjectMapper();

  private ClaimsLedger() {}

  /**
   * The reviews among {@code events} (a task's events, in chain order) that {@code reviewFilter}
   * accepts (for example {@code n -> runId.equals(n.path("run_id").asText())} for one cycle), by
   * {@code backend/model}.
   */
  public static Map<String, ClaimTally> byBackendModel(
      List<ChainEvent> events, Predicate<JsonNode> reviewFilter) {
    Map<String, ClaimTally> out = new LinkedHashMap<>();
    JsonNode lastAttempt = null;
    for (ChainEvent e : events) {
      if ("attempt".equals(e.eventType())) {
        lastAttempt = tree(e);
        continue;
      }
      if (!"qa_review".equals(e.eventType())) {
        continue;
      }
      JsonNode n = tree(e);
      if (n == null || !n.has("claims_contradicted") || !reviewFilter.test(n)) {
        continue; // reviews from before the kernel compared claims say nothing either way
      }
      out.merge(
          key(n, lastAttempt),
          ClaimTally.ofReview(n.path("claims_contradicted").asInt()),
          ClaimTally::plus);
    }
    return out;
  }

  /** Every review among {@code events}, by {@code backend/model}. */
  public static Map<String, ClaimTally> byBackendModel(List<ChainEvent> events) {
    return byBackendModel(events, n -> true);
  }

  static String key(JsonNode review, JsonNode attempt) {
    JsonNode usage = attempt == null ? null : attempt.path("usage");
    String backend = review.path("backend").asText("");
    if (backend.isBlank() && usage != null) {
      backend =
          usage.hasNonNull("backend")
              ? usage.get("backend").asText()
              : attempt.path("context").path("backend").asText("");
    }
    String model = usage != null && usage.hasNonNull("model") ? usage.get("model").asText() : "";
    return (backend.isBlank() ? "unknown" : backend) + "/" + (model.isBlank() ? "unknown" : model);
  }

  private static JsonNode tree(ChainEvent e) {
    try {
      return JSON.readTree(e.json());
    } catch (IOException ex) {
      return null; // verification names an unreadable line
    }
  }
}
