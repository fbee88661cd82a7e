package dev.aiflow.logger;

import com.fasterxml.jackson.databind.JsonNode;

/** Renders task events as {@code task_log.md}: for people, never read back by the logger. */
final class TaskLogRenderer {

  private TaskLogRenderer() {}

  static String header(String taskId) {
    return "# Task "
        + taskId
        + "\n\n"
        + "Rendered from `events.jsonl` in this folder, which is the record; this file is"
        + " regenerated from it and never read back.\n\n";
  }

  /** A section for a stored event. */
  static String section(JsonNode e) {
    return section(
        e,
        e.path(EventFields.EVENT_TYPE).asText(),
        e.path(EventFields.TASK_SEQ).asLong(),
        e.path(EventFields.RECORDED_AT).asText(),
        e.path(EventFields.EVENT_HASH).asText());
  }

  /** One line for an attempt's usage: tokens, cost, turns, wall time; null when none is known. */
  static String usage(JsonNode u) {
    if (!u.isObject() || !u.path("reported").asBoolean(false)) {
      return null;
    }
    StringBuilder t = new StringBuilder();
    if (u.has("total_tokens")) {
      t.append(u.path("total_tokens").asLong()).append(" tokens");
    }
    if (u.has("cost_usd")) {
      t.append(t.length() == 0 ? "" : ", ")
          .append('$')
          .append(u.path("cost_usd").asText())
          .append(" (")
          .append(u.path("cost_source").asText())
          .append(')');
    }
    if (u.has("turns")) {
      t.append(t.length() == 0 ? "" : ", ").append(u.path("turns").asLong()).append(" turns");
    }
    if (u.has("model")) {
      t.append(t.length() == 0 ? "" : ", ").append("model ").append(u.path("model").asText());
    }
    return t.length() == 0 ? null : t.toString();
  }

  /** A section from an event's payload and envelope values, as the writer has them. */
  static String section(JsonNode e, String type, long taskSeq, String recordedAt, String hash) {
    StringBuilder s = new StringBuilder(768);
    s.append("## #").append(taskSeq).append(' ');
    switch (type) {
      case EventFields.TYPE_ATTEMPT -> {
        s.append("Attempt R")
            .append(e.path(EventFields.R).asInt())
            .append("/S")
            .append(e.path(EventFields.S).asInt())
            .append(": ")
            .append(e.path("result").asText("?"));
        heading(s, recordedAt);
        item(s, "Reason", code(e.path("reason_code").asText(null)), e.path("reason_detail"));
        item(s, "Next action", e.path("next_action").asText(null));
        item(s, "Change", e.path("code_change_summary").asText(null));
        item(s, "Code artifact", e.path("code_artifact_ref").asText(null));
        JsonNode ref = e.path(EventFields.CODE_CONTENT_REF);
        if (ref.isObject()) {
          item(
              s,
              "Code content",
              "`" + ref.path("path").asText() + "` (sha256 " + ref.path("sha256").asText() + ")");
        }
        list(s, "Acceptance", e.path("acceptance_snapshot"));
        list(s, "Executed commands", e.path("executed_commands"));
        list(s, "Executed files", e.path("executed_files"));
        item(s, "Test results", e.path("test_results").asText(null));
        item(s, "Usage", usage(e.path("usage")));
      }
      case EventFields.TYPE_TASK_CLOSED -> {
        s.append("Closed: ").append(e.path(EventFields.FINAL_STATUS).asText());
        heading(s, recordedAt);
        item(s, "Summary", e.path("summary").asText(null));
      }
      default -> {
        s.append(type);
        heading(s, recordedAt);
        e.fields()
            .forEachRemaining(
                f -> {
                  if (f.getValue().isValueNode() && !isEnvelope(f.getKey())) {
                    item(s, f.getKey(), f.getValue().asText());
                  }
                });
      }
    }
    s.append("- Event hash: `").append(hash).append("`\n\n");
    return s.toString();
  }

  private static boolean isEnvelope(String key) {
    return switch (key) {
      case EventFields.SCHEMA_VERSION,
          EventFields.PROJECT_ID,
          EventFields.SEQ,
          EventFields.EVENT_TYPE,
          EventFields.RECORDED_AT,
          EventFields.PREV_EVENT_HASH,
          EventFields.PROJECT_PREV_EVENT_HASH,
          EventFields.EVENT_HASH,
          EventFields.TASK_ID,
          EventFields.TASK_SEQ ->
          true;
      default -> false;
    };
  }

  private static void heading(StringBuilder s, String recordedAt) {
    s.append("\n\n_").append(recordedAt).append("_\n\n");
  }

  private static String code(String v) {
    return v == null ? null : "`" + v + "`";
  }

  private static void item(StringBuilder s, String label, String value, JsonNode detail) {
    if (value == null && (detail == null || detail.isMissingNode() || detail.isNull())) {
      return;
    }
    s.append("- ").append(label).append(": ");
    if (value != null) {
      s.append(value);
    }
    if (detail != null && detail.isTextual()) {
      s.append(value != null ? " - " : "").append(oneLine(detail.asText()));
    }
    s.append('\n');
  }

  private static void item(StringBuilder s, String label, String value) {
    if (value != null && !value.isEmpty()) {
      s.append("- ").append(label).append(": ").append(oneLine(value)).append('\n');
    }
  }

  private static void list(StringBuilder s, String label, JsonNode values) {
    if (!values.isArray() || values.isEmpty()) {
      return;
    }
    s.append("- ").append(label).append(":\n");
    for (JsonNode v : values) {
      s.append("  - `").append(oneLine(v.asText()).replace("`", "'")).append("`\n");
    }
  }

  private static String oneLine(String v) {
    return v.replace("\r", " ").replace("\n", " ");
  }
}
