package dev.aiflow.agent;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/** Lenient reading of the CLIs' JSON lines: a line that is not an object is no event. */
final class Json {

  static final ObjectMapper MAPPER = new ObjectMapper();

  private Json() {}

  static JsonNode object(String line) {
    String t = line.strip();
    if (!t.startsWith("{")) {
      return null;
    }
    try {
      JsonNode n = MAPPER.readTree(t);
      return n != null && n.isObject() ? n : null;
    } catch (JsonProcessingException e) {
      return null;
    }
  }

  static String text(JsonNode n, String field) {
    JsonNode v = n == null ? null : n.get(field);
    return v != null && v.isValueNode() && !v.isNull() ? v.asText() : null;
  }

  static Long count(JsonNode n, String field) {
    JsonNode v = n == null ? null : n.get(field);
    return v != null && v.isNumber() && v.asLong() >= 0 ? v.asLong() : null;
  }

  static String oneLine(String s, int max) {
    if (s == null) {
      return "";
    }
    String t = s.replace('\r', ' ').replace('\n', ' ').strip();
    return t.length() > max ? t.substring(0, max) + "..." : t;
  }
}
