package dev.aiflow.logger;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/** The fields of a stored event that the store and the verifier need, and its computed hash. */
record EventView(
    int schemaVersion,
    String projectId,
    long seq,
    String eventType,
    String taskId,
    long taskSeq,
    String prevHash,
    String projectPrevHash,
    String eventHash,
    String computedHash,
    boolean canonicalStored,
    int r,
    int s,
    String idempotencyKey,
    String revisionKey,
    String finalStatus,
    String fromProjectId,
    ContentRef contentRef) {

  /** Where large code content was put. */
  record ContentRef(String path, String sha256, long bytes) {}

  boolean hashMatches() {
    return eventHash != null && eventHash.equals(computedHash);
  }

  boolean isTaskEvent() {
    return taskId != null;
  }

  /** Collects fields while the fast scanner walks a line, or from a parsed tree. */
  static final class Builder {
    int schemaVersion = -1;
    String projectId;
    long seq = -1;
    String eventType;
    String taskId;
    long taskSeq = -1;
    String prevHash;
    String projectPrevHash;
    String eventHash;
    String computedHash;
    boolean canonicalStored;
    int r = -1;
    int s = -1;
    String idempotencyKey;
    String revisionKey;
    String finalStatus;
    String fromProjectId;
    ContentRef contentRef;

    boolean isHashKey(byte[] b, int keyStart, int keyEnd) {
      return keyIs(b, keyStart, keyEnd, EventFields.EVENT_HASH);
    }

    /**
     * Checks the canonical value of a top-level member that starts at {@code valueStart} and takes
     * it if it is one we read, in one pass. Returns the index after the value, or -1 for "use the
     * slow path" (not canonical, or not in the shape the store writes).
     */
    int member(byte[] b, int keyStart, int keyEnd, int valueStart, int end) {
      switch (keyEnd - keyStart) {
        case 1:
          if (b[keyStart] == 'r') {
            int e = CanonicalBytes.value(b, valueStart, end, 0);
            return e >= 0 && ((r = (int) number(b, valueStart, e)) >= 0 || isNull(b, valueStart))
                ? e
                : -1;
          }
          if (b[keyStart] == 's') {
            int e = CanonicalBytes.value(b, valueStart, end, 0);
            return e >= 0 && ((s = (int) number(b, valueStart, e)) >= 0 || isNull(b, valueStart))
                ? e
                : -1;
          }
          break;
        case 3:
          if (keyIs(b, keyStart, keyEnd, EventFields.SEQ)) {
            int e = CanonicalBytes.value(b, valueStart, end, 0);
            return e >= 0 && (seq = number(b, valueStart, e)) >= 0 ? e : -1;
          }
          break;
        case 7:
          if (keyIs(b, keyStart, keyEnd, EventFields.TASK_ID)) {
            return (taskId = string(b, valueStart, end)) != null ? stringEnd : -1;
          }
          break;
        case 8:
          if (keyIs(b, keyStart, keyEnd, EventFields.TASK_SEQ)) {
            int e = CanonicalBytes.value(b, valueStart, end, 0);
            return e >= 0 && (taskSeq = number(b, valueStart, e)) >= 0 ? e : -1;
          }
          break;
        case 10:
          if (keyIs(b, keyStart, keyEnd, EventFields.EVENT_HASH)) {
            return (eventHash = string(b, valueStart, end)) != null ? stringEnd : -1;
          }
          if (keyIs(b, keyStart, keyEnd, EventFields.PROJECT_ID)) {
            return (projectId = string(b, valueStart, end)) != null ? stringEnd : -1;
          }
          if (keyIs(b, keyStart, keyEnd, EventFields.EVENT_TYPE)) {
            return (eventType = string(b, valueStart, end)) != null ? stringEnd : -1;
          }
          break;
        case 12:
          if (keyIs(b, keyStart, keyEnd, EventFields.REVISION_KEY)) {
            return (revisionKey = string(b, valueStart, end)) != null ? stringEnd : -1;
          }
          if (keyIs(b, keyStart, keyEnd, EventFields.FINAL_STATUS)) {
            return (finalStatus = string(b, valueStart, end)) != null ? stringEnd : -1;
          }
          break;
        case 14:
          if (keyIs(b, keyStart, keyEnd, EventFields.SCHEMA_VERSION)) {
            int e = CanonicalBytes.value(b, valueStart, end, 0);
            return e >= 0 && (schemaVersion = (int) number(b, valueStart, e)) >= 0 ? e : -1;
          }
          break;
        case 15:
          if (keyIs(b, keyStart, keyEnd, EventFields.PREV_EVENT_HASH)) {
            return (prevHash = string(b, valueStart, end)) != null ? stringEnd : -1;
          }
          if (keyIs(b, keyStart, keyEnd, EventFields.IDEMPOTENCY_KEY)) {
            return (idempotencyKey = string(b, valueStart, end)) != null ? stringEnd : -1;
          }
          if (keyIs(b, keyStart, keyEnd, EventFields.FROM_PROJECT_ID)) {
            return (fromProjectId = string(b, valueStart, end)) != null ? stringEnd : -1;
          }
          break;
        case 16:
          if (keyIs(b, keyStart, keyEnd, EventFields.CODE_CONTENT_REF)) {
            int e = CanonicalBytes.value(b, valueStart, end, 0);
            if (e < 0) {
              return -1;
            }
            try {
              contentRef =
                  contentRef(CanonicalJson.STRICT_MAPPER.readTree(b, valueStart, e - valueStart));
            } catch (IOException ex) {
              return -1;
            }
            return contentRef != null ? e : -1;
          }
          break;
        case 23:
          if (keyIs(b, keyStart, keyEnd, EventFields.PROJECT_PREV_EVENT_HASH)) {
            return (projectPrevHash = string(b, valueStart, end)) != null ? stringEnd : -1;
          }
          break;
        default:
          break;
      }
      return CanonicalBytes.value(b, valueStart, end, 0);
    }

    private int stringEnd; // after string(): the index after its closing quote

    /**
     * A canonical string without escapes, decoded, with {@link #stringEnd} set; null when it is not
     * a string, has escapes (the slow path decodes those), or is not canonical.
     */
    private String string(byte[] b, int start, int end) {
      if (start >= end || b[start] != '"') {
        return null;
      }
      int close = CanonicalBytes.unescapedString(b, start, end);
      if (close < 0) {
        return null;
      }
      stringEnd = close + 1;
      return new String(b, start + 1, close - start - 1, StandardCharsets.UTF_8);
    }

    EventView build(byte[] b, int off, int len) {
      return new EventView(
          schemaVersion,
          projectId,
          seq,
          eventType,
          taskId,
          taskSeq,
          prevHash,
          projectPrevHash,
          eventHash,
          computedHash,
          canonicalStored,
          r,
          s,
          idempotencyKey,
          revisionKey,
          finalStatus,
          fromProjectId,
          contentRef);
    }

    static Builder fromTree(JsonNode e) {
      Builder v = new Builder();
      v.schemaVersion = e.path(EventFields.SCHEMA_VERSION).asInt(-1);
      v.projectId = text(e, EventFields.PROJECT_ID);
      v.seq = e.path(EventFields.SEQ).asLong(-1);
      v.eventType = text(e, EventFields.EVENT_TYPE);
      v.taskId = text(e, EventFields.TASK_ID);
      v.taskSeq = e.path(EventFields.TASK_SEQ).asLong(-1);
      v.prevHash = text(e, EventFields.PREV_EVENT_HASH);
      v.projectPrevHash = text(e, EventFields.PROJECT_PREV_EVENT_HASH);
      v.eventHash = text(e, EventFields.EVENT_HASH);
      v.r = e.path(EventFields.R).asInt(-1);
      v.s = e.path(EventFields.S).asInt(-1);
      v.idempotencyKey = text(e, EventFields.IDEMPOTENCY_KEY);
      v.revisionKey = text(e, EventFields.REVISION_KEY);
      v.finalStatus = text(e, EventFields.FINAL_STATUS);
      v.fromProjectId = text(e, EventFields.FROM_PROJECT_ID);
      v.contentRef = contentRef(e.get(EventFields.CODE_CONTENT_REF));
      return v;
    }

    private static String text(JsonNode e, String name) {
      JsonNode n = e.get(name);
      return n != null && n.isTextual() ? n.textValue() : null;
    }

    private static ContentRef contentRef(JsonNode n) {
      if (n == null || !n.isObject()) {
        return null;
      }
      return new ContentRef(
          n.path("path").asText(null), n.path("sha256").asText(null), n.path("bytes").asLong(-1));
    }

    private static boolean keyIs(byte[] b, int start, int end, String name) {
      int len = end - start;
      if (len != name.length()) {
        return false;
      }
      for (int i = 0; i < len; i++) {
        if (b[start + i] != name.charAt(i)) {
          return false;
        }
      }
      return true;
    }

    private static boolean isNull(byte[] b, int start) {
      return b[start] == 'n';
    }

    /** A non-negative integer without sign, exponent or fraction; -1 otherwise. */
    private static long number(byte[] b, int start, int end) {
      if (end - start > 18 || end == start) {
        return -1;
      }
      long v = 0;
      for (int i = start; i < end; i++) {
        int d = b[i] - '0';
        if (d < 0 || d > 9) {
          return -1;
        }
        v = v * 10 + d;
      }
      return v;
    }
  }
}
