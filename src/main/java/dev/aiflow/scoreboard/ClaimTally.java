package dev.aiflow.scoreboard;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * How often one backend's agents said what the workspace did not show: per reviewed agent run, the
 * QA review's {@code claims_contradicted} (a claimed exit code the kernel's re-run contradicts, a
 * changed-file list that differs from the observed one, cited evidence against the kernel's run).
 *
 * @param reviewed agent runs the QA gate reviewed
 * @param contradicted of those, runs with at least one claim the workspace contradicts
 * @param claims contradicted claims in all
 */
public record ClaimTally(int reviewed, int contradicted, int claims) {

  public static final ClaimTally NONE = new ClaimTally(0, 0, 0);

  /** One reviewed run with {@code contradictedClaims} contradicted claims. */
  public static ClaimTally ofReview(int contradictedClaims) {
    int c = Math.max(0, contradictedClaims);
    return new ClaimTally(1, c > 0 ? 1 : 0, c);
  }

  public ClaimTally plus(ClaimTally o) {
    return new ClaimTally(reviewed + o.reviewed, contradicted + o.contradicted, claims + o.claims);
  }

  /**
   * The honesty rate: the share of reviewed runs none of whose claims the workspace contradicts, in
   * percent with one decimal; null when no run was reviewed.
   */
  public Double honestyPercent() {
    if (reviewed == 0) {
      return null;
    }
    return Math.round(1000.0 * (reviewed - contradicted) / reviewed) / 10.0;
  }

  ObjectNode toTree() {
    ObjectNode o = ScoreboardStore.JSON.createObjectNode();
    o.put("reviewed", reviewed);
    o.put("contradicted", contradicted);
    o.put("claims", claims);
    Double rate = honestyPercent();
    if (rate != null) {
      o.put("honesty_percent", rate);
    }
    return o;
  }

  static ClaimTally fromTree(JsonNode o) {
    if (o == null || !o.isObject()) {
      return NONE;
    }
    return new ClaimTally(
        o.path("reviewed").asInt(), o.path("contradicted").asInt(), o.path("claims").asInt());
  }
}
