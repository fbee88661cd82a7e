package dev.aiflow.logger;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import org.erdtman.jcs.NumberToJSON;

/**
 * RFC 8785 (JSON Canonicalization Scheme) serialisation of Jackson trees.
 *
 * <p>Members are sorted by their UTF-16 code units ({@link String#compareTo} does exactly that),
 * strings use the minimal JSON escapes, and numbers use the ECMAScript {@code Number.toString}
 * algorithm. Integers within +-2^53 are written directly; everything else goes through the double
 * formatting of {@code org.erdtman.jcs}, because I-JSON numbers are IEEE-754 doubles.
 */
public final class CanonicalJson {

  private static final long MAX_SAFE_INTEGER = 9007199254740992L; // 2^53
  private static final char[] HEX = "0123456789abcdef".toCharArray();

  /** A mapper that refuses what I-JSON refuses (duplicate keys), and text after the value. */
  static final ObjectMapper STRICT_MAPPER =
      JsonMapper.builder()
          .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
          .disable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
          .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
          .build();

  private CanonicalJson() {}

  /** Parses JSON text (refusing duplicate keys) and returns its canonical form. */
  public static String canonicalize(String json) {
    try {
      return toCanonicalString(STRICT_MAPPER.readTree(json));
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("not valid JSON: " + e.getOriginalMessage(), e);
    }
  }

  /**
   * Why a document could not be parsed, named by its position only: the parser's own message quotes
   * the offending text, and a report must never echo a file's content.
   */
  static String describe(JsonProcessingException e) {
    String what =
        e.getOriginalMessage() != null && e.getOriginalMessage().startsWith("Duplicate field")
            ? "a member name appears twice"
            : "not valid JSON";
    com.fasterxml.jackson.core.JsonLocation at = e.getLocation();
    return at == null || at.getLineNr() < 1
        ? what
        : what + " (line " + at.getLineNr() + ", column " + at.getColumnNr() + ")";
  }

  /** The canonical form of a tree as a string. */
  public static String toCanonicalString(JsonNode node) {
    StringBuilder out = new StringBuilder(256);
    write(node, out);
    return out.toString();
  }

  /** The canonical form of a tree as UTF-8 bytes, the input of every chain hash. */
  public static byte[] toCanonicalBytes(JsonNode node) {
    return toCanonicalString(node).getBytes(StandardCharsets.UTF_8);
  }

  static void write(JsonNode node, StringBuilder out) {
    switch (node.getNodeType()) {
      case OBJECT -> writeObject(node, out);
      case ARRAY -> {
        out.append('[');
        boolean first = true;
        for (JsonNode element : node) {
          if (!first) {
            out.append(',');
          }
          first = false;
          write(element, out);
        }
        out.append(']');
      }
      case STRING -> writeString(node.textValue(), out);
      case NUMBER -> writeNumber(node, out);
      case BOOLEAN -> out.append(node.booleanValue() ? "true" : "false");
      case NULL -> out.append("null");
      default ->
          throw new IllegalArgumentException(
              "JSON node type " + node.getNodeType() + " has no canonical form");
    }
  }

  private static void writeObject(JsonNode node, StringBuilder out) {
    List<String> names = new ArrayList<>(node.size());
    for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
      names.add(it.next());
    }
    Collections.sort(names);
    out.append('{');
    boolean first = true;
    for (String name : names) {
      if (!first) {
        out.append(',');
      }
      first = false;
      writeString(name, out);
      out.append(':');
      write(node.get(name), out);
    }
    out.append('}');
  }

  static void writeString(String value, StringBuilder out) {
    out.append('"');
    int length = value.length();
    int plain = 0;
    while (plain < length) {
      char c = value.charAt(plain);
      if (c < 0x20 || c == '"' || c == '\\' || Character.isSurrogate(c)) {
        break;
      }
      plain++;
    }
    if (plain == length) {
      // the common case (ids, hashes, prose): nothing to escape, one copy
      out.append(value).append('"');
      return;
    }
    out.append(value, 0, plain);
    for (int i = plain; i < length; i++) {
      char c = value.charAt(i);
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case '\b' -> out.append("\\b");
        case '\f' -> out.append("\\f");
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        default -> {
          if (c < 0x20) {
            out.append("\\u00").append(HEX[c >> 4]).append(HEX[c & 0xF]);
          } else if (Character.isHighSurrogate(c)) {
            if (i + 1 >= length || !Character.isLowSurrogate(value.charAt(i + 1))) {
              throw new IllegalArgumentException("unpaired surrogate at index " + i);
            }
            out.append(c).append(value.charAt(++i));
          } else if (Character.isLowSurrogate(c)) {
            throw new IllegalArgumentException("unpaired surrogate at index " + i);
          } else {
            out.append(c);
          }
        }
      }
    }
    out.append('"');
  }

  private static void writeNumber(JsonNode node, StringBuilder out) {
    if (node.canConvertToLong() && node.isIntegralNumber()) {
      long value = node.longValue();
      if (value >= -MAX_SAFE_INTEGER && value <= MAX_SAFE_INTEGER) {
        out.append(value);
        return;
      }
    }
    double value =
        node.isBigInteger() ? new BigInteger(node.asText()).doubleValue() : node.doubleValue();
    if (Double.isNaN(value) || Double.isInfinite(value)) {
      throw new IllegalArgumentException("NaN and Infinity have no JSON form");
    }
    try {
      out.append(NumberToJSON.serializeNumber(value));
    } catch (IOException e) {
      throw new IllegalArgumentException("number has no canonical form: " + value, e);
    }
  }
}
