package dev.aiflow.negotiation;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.time.format.DateTimeParseException;

/** {@code input/freeze_meta.json} of an approved freeze (docs/requirements.md). */
public record FreezeMeta(
    int version,
    boolean approved,
    String approver,
    Instant approvedAt,
    String sha256,
    String requirementsFile,
    String comment,
    int taskCount) {

  ObjectNode toJson() {
    ObjectNode n = new ObjectMapper().createObjectNode();
    n.put("schema", FreezeStore.META_SCHEMA);
    n.put("version", version);
    n.put("approved", approved);
    n.put("status", "frozen");
    n.put("approver", approver);
    n.put("approved_at", approvedAt.toString());
    n.put("sha256", sha256);
    n.put("requirements_file", requirementsFile);
    if (comment != null && !comment.isBlank()) {
      n.put("comment", comment);
    }
    n.put("task_count", taskCount);
    return n;
  }

  static FreezeMeta fromJson(JsonNode n) {
    if (!n.path("version").isIntegralNumber()
        || !n.path("version").canConvertToInt()
        || n.path("version").asInt() < 1) {
      throw new IllegalArgumentException("/version must be a positive number");
    }
    String sha = n.path("sha256").asText("");
    if (!sha.matches("[0-9a-f]{64}")) {
      throw new IllegalArgumentException("/sha256 must be 64 lower-case hex digits");
    }
    Instant at;
    try {
      at = Instant.parse(n.path("approved_at").asText(""));
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException("/approved_at must be an ISO-8601 instant");
    }
    String approver = n.path("approver").asText("");
    if (approver.isBlank()) {
      throw new IllegalArgumentException("/approver is required");
    }
    return new FreezeMeta(
        n.get("version").asInt(),
        n.path("approved").asBoolean(),
        approver,
        at,
        sha,
        n.path("requirements_file").asText(null),
        n.path("comment").asText(null),
        n.path("task_count").asInt(0));
  }
}
