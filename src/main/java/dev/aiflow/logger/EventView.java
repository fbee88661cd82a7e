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

    /** Takes the member if it is one we read; false means "use the slow path". */
    boolean accept(byte[] b, int keyStart, int keyEnd, int valueStart, int valueEnd) {
      if (keyEnd - keyStart == 1) {
        if (b[keyStart] == 'r') {
          return (r = (int) number(b, valueStart, valueEnd)) >= 0 || isNull(b, valueStart);
        }
        if (b[keyStart] == 's') {
          return (s = (int) number(b, valueStart, valueEnd)) >= 0 || isNull(b, valueStart);
        }
        return true;
      }
      if (keyIs(b, keyStart, keyEnd, EventFields.SEQ)) {
        return (seq = number(b, valueStart, valueEnd)) >= 0;
      }
      if (keyIs(b, keyStart, keyEnd, EventFields.TASK_SEQ)) {
        return (taskSeq = number(b, valueStart, valueEnd)) >= 0;
      }
      if (keyIs(b, keyStart, keyEnd, EventFields.SCHEMA_VERSION)) {
        return (schemaVersion = (int) number(b, valueStart, valueEnd)) >= 0;
      }
      if (keyIs(b, keyStart, keyEnd, EventFields.EVENT_HASH)) {
        return (eventHash = string(b, valueStart, valueEnd)) != null;
      }
      if (keyIs(b, keyStart, keyEnd, EventFields.PREV_EVENT_HASH)) {
        return (prevHash = string(b, valueStart, valueEnd)) != null;
      }
      if (keyIs(b, keyStart, keyEnd, EventFields.PROJECT_PREV_EVENT_HASH)) {
        return (projectPrevHash = string(b, valueStart, valueEnd)) != null;
      }
      if (keyIs(b, keyStart, keyEnd, EventFields.PROJECT_ID)) {
        return (projectId = string(b, valueStart, valueEnd)) != null;
      }
      if (keyIs(b, keyStart, keyEnd, EventFields.EVENT_TYPE)) {
        return (eventType = string(b, valueStart, valueEnd)) != null;
      }
      if (keyIs(b, keyStart, keyEnd, EventFields.TASK_ID)) {
        return (taskId = string(b, valueStart, valueEnd)) != null;
      }
      if (keyIs(b, keyStart, keyEnd, EventFields.IDEMPOTENCY_KEY)) {
        return (idempotencyKey = string(b, valueStart, valueEnd)) != null;
      }
      if (keyIs(b, keyStart, keyEnd, EventFields.REVISION_KEY)) {
        return (revisionKey = string(b, valueStart, valueEnd)) != null;
      }
      if (keyIs(b, keyStart, keyEnd, EventFields.FINAL_STATUS)) {
        return (finalStatus = string(b, valueStart, valueEnd)) != null;
      }
      if (keyIs(b, keyStart, keyEnd, EventFields.FROM_PROJECT_ID)) {
        return (fromProjectId = string(b, valueStart, valueEnd)) != null;
      }
      if (keyIs(b, keyStart, keyEnd, EventFields.CODE_CONTENT_REF)) {
        try {
          contentRef =
              contentRef(
                  CanonicalJson.STRICT_MAPPER.readTree(b, valueStart, valueEnd - valueStart));
        } catch (IOException e) {
          return false;
        }
        return contentRef != null;
      }
      return true;
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

    /** A string without escapes, decoded; null when it has escapes or is not a string. */
    private static String string(byte[] b, int start, int end) {
      if (end - start < 2 || b[start] != '"' || b[end - 1] != '"') {
        return null;
      }
      if (ByteScan.indexOfQuoteOrBackslash(b, start + 1, end - 1) >= 0) {
        return null;
      }
      return new String(b, start + 1, end - start - 2, StandardCharsets.UTF_8);
    }
  }
}
