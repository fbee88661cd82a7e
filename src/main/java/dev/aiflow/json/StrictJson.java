package dev.aiflow.json;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.core.io.JsonEOFException;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.type.LogicalType;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * The one strict JSON reader of aiflow: the REST API's request bodies and every JSON file aiflow
 * reads (queues, step-pack maps, intake, snapshots, freeze meta, manifests) go through it.
 *
 * <p>Refused: duplicate members, content after the document, a leading byte-order mark, scalars of
 * the wrong type when bound to Java types (a number given as a string, {@code 1.5} or {@code 1.0}
 * for an integer, a number for a string). Explicit nulls are the readers' business ({@link
 * #firstNull}). Errors say what kind of problem and where (line, column), never quote the document:
 * it may be a file the caller named that holds a secret.
 */
public final class StrictJson {

  private static final ObjectMapper MAPPER = configure(JsonMapper.builder().build());

  private StrictJson() {}

  /** The strict mapper (thread-safe, shared); do not reconfigure it. */
  public static ObjectMapper mapper() {
    return MAPPER;
  }

  /**
   * Applies the strict rules to {@code mapper} (used for Spring's own mapper, so request bodies
   * bound by Spring MVC follow the same rules).
   */
  public static ObjectMapper configure(ObjectMapper mapper) {
    mapper.enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION.mappedFeature());
    mapper.disable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS.mappedFeature());
    mapper.enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    mapper.enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES);
    mapper.enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
    mapper.disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT);
    mapper.disable(DeserializationFeature.ACCEPT_SINGLE_VALUE_AS_ARRAY);
    mapper.disable(MapperFeature.ALLOW_COERCION_OF_SCALARS);
    for (LogicalType type :
        new LogicalType[] {LogicalType.Integer, LogicalType.Float, LogicalType.Boolean}) {
      mapper
          .coercionConfigFor(type)
          .setCoercion(CoercionInputShape.String, CoercionAction.Fail)
          .setCoercion(CoercionInputShape.EmptyString, CoercionAction.Fail);
    }
    mapper
        .coercionConfigFor(LogicalType.Integer)
        .setCoercion(CoercionInputShape.Float, CoercionAction.Fail);
    mapper
        .coercionConfigFor(LogicalType.Textual)
        .setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
        .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
        .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail);
    return mapper;
  }

  /** Parses one JSON document from UTF-8 bytes. */
  public static JsonNode readTree(byte[] utf8) {
    if (utf8.length >= 3
        && (utf8[0] & 0xff) == 0xEF
        && (utf8[1] & 0xff) == 0xBB
        && (utf8[2] & 0xff) == 0xBF) {
      throw new JsonInputException("starts with a byte-order mark", 1, 1);
    }
    if (isBlank(utf8)) {
      throw new JsonInputException("is empty", 1, 1);
    }
    try {
      JsonNode node = MAPPER.readTree(utf8);
      if (node == null || node.isMissingNode()) {
        throw new JsonInputException("is empty", 1, 1);
      }
      return node;
    } catch (JsonProcessingException e) {
      throw translate(e);
    } catch (IOException e) {
      throw new JsonInputException("could not be read", 1, 1);
    }
  }

  /**
   * The JSON pointer of the first explicit {@code null} in the tree (document order), or null when
   * there is none: where omitting a member means "the default", an explicit null is refused.
   */
  public static String firstNull(JsonNode node) {
    return firstNull(node, "");
  }

  private static String firstNull(JsonNode node, String at) {
    if (node == null || node.isNull()) {
      return at;
    }
    if (node.isObject()) {
      for (var it = node.fields(); it.hasNext(); ) {
        var e = it.next();
        String found =
            firstNull(e.getValue(), at + "/" + e.getKey().replace("~", "~0").replace("/", "~1"));
        if (found != null) {
          return found;
        }
      }
    } else if (node.isArray()) {
      for (int i = 0; i < node.size(); i++) {
        String found = firstNull(node.get(i), at + "/" + i);
        if (found != null) {
          return found;
        }
      }
    }
    return null;
  }

  /** Parses one JSON document. */
  public static JsonNode readTree(String json) {
    if (!json.isEmpty() && json.charAt(0) == '\uFEFF') {
      throw new JsonInputException("starts with a byte-order mark", 1, 1);
    }
    return readTree(json.getBytes(StandardCharsets.UTF_8));
  }

  /**
   * Translates a parser failure into a content-free {@link JsonInputException}: Jackson's own
   * messages quote the offending token, which may be a secret.
   */
  public static JsonInputException translate(JsonProcessingException e) {
    JsonLocation at = e.getLocation();
    int line = at == null ? 0 : at.getLineNr();
    int column = at == null ? 0 : at.getColumnNr();
    return new JsonInputException(kind(e), line, column);
  }

  private static String kind(JsonProcessingException e) {
    String m = e.getOriginalMessage() == null ? "" : e.getOriginalMessage();
    if (e instanceof JsonEOFException || m.startsWith("Unexpected end-of-input")) {
      return "ends before the document is complete";
    }
    if (e instanceof StreamConstraintsException) {
      return "exceeds a parser limit (nesting depth, number or string length)";
    }
    if (m.startsWith("Duplicate field") || m.startsWith("Duplicate Object property")) {
      return "has a duplicate member";
    }
    if (m.startsWith("Trailing token")) {
      return "has content after the JSON document";
    }
    if (m.startsWith("Invalid UTF-8") || m.contains("Invalid UTF-8")) {
      return "is not valid UTF-8";
    }
    return "is not valid JSON";
  }

  private static boolean isBlank(byte[] b) {
    for (byte x : b) {
      if (x != ' ' && x != '\n' && x != '\r' && x != '\t') {
        return false;
      }
    }
    return true;
  }
}
