package dev.aiflow.logger;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;

/**
 * Reads one stored event line and computes its hash.
 *
 * <p>The writer stores every event in canonical form, so the hashed bytes are the stored bytes
 * minus the {@code "event_hash":"..."} member. The fast path finds the top-level members with a
 * single byte scan and hashes the line in two slices, without building a tree. A line that is not
 * in that shape (whitespace, escapes in the fields we read, a different key order) goes through
 * Jackson and the canonicalizer, which gives the same answer more slowly.
 */
final class EventReader {

  private static final HexFormat HEX = HexFormat.of();

  private EventReader() {}

  /** An event line could not be read as an event at all. */
  static final class MalformedEventException extends Exception {
    private static final long serialVersionUID = 1L;

    MalformedEventException(String message) {
      super(message);
    }
  }

  /**
   * Reads the line {@code buf[off, off+len)} (without its newline). The digest is reset and used.
   */
  static EventView read(byte[] buf, int off, int len, MessageDigest digest)
      throws MalformedEventException {
    EventView fast = scan(buf, off, len, digest);
    if (fast != null && fast.hashMatches()) {
      return fast;
    }
    // Either not in the canonical shape, or the bytes do not hash to the stored value: the tree
    // path tells a non-canonical but intact line from a tampered one.
    return parse(buf, off, len, digest);
  }

  // ---------------------------------------------------------------- fast path

  private static EventView scan(byte[] b, int off, int len, MessageDigest digest) {
    int end = off + len;
    if (len < 2 || b[off] != '{' || b[end - 1] != '}') {
      return null;
    }
    EventView.Builder v = new EventView.Builder();
    int hashMemberStart = -1;
    int hashMemberEnd = -1;
    int i = off + 1;
    boolean first = true;
    if (i != end - 1) {
      while (true) {
        int memberStart = i;
        if (b[i] != '"') {
          return null;
        }
        int keyStart = i + 1;
        int keyEnd = skipString(b, i, end);
        if (keyEnd < 0) {
          return null;
        }
        i = keyEnd + 1;
        if (i >= end || b[i] != ':') {
          return null;
        }
        int valueStart = i + 1;
        int valueEnd = skipValue(b, valueStart, end);
        if (valueEnd < 0) {
          return null;
        }
        if (!v.accept(b, keyStart, keyEnd, valueStart, valueEnd)) {
          return null;
        }
        if (v.isHashKey(b, keyStart, keyEnd)) {
          if (first) {
            hashMemberStart = memberStart;
            hashMemberEnd = valueEnd + 1; // the comma after it, or the closing brace
            if (b[valueEnd] == '}') {
              hashMemberEnd = valueEnd; // the only member
            }
          } else {
            hashMemberStart = memberStart - 1; // the comma before it
            hashMemberEnd = valueEnd;
          }
        }
        first = false;
        i = valueEnd;
        if (i == end - 1) {
          break;
        }
        if (b[i] != ',') {
          return null;
        }
        i++;
      }
    }
    if (hashMemberStart < 0 || v.eventHash == null) {
      return null;
    }
    digest.reset();
    digest.update(b, off, hashMemberStart - off);
    digest.update(b, hashMemberEnd, end - hashMemberEnd);
    v.computedHash = HEX.formatHex(digest.digest());
    v.canonicalStored = true;
    return v.build(b, off, len);
  }

  /** Returns the index of the closing quote of the string that opens at {@code i}, or -1. */
  static int skipString(byte[] b, int i, int end) {
    int j = i + 1;
    while (true) {
      j = ByteScan.indexOfQuoteOrBackslash(b, j, end);
      if (j < 0) {
        return -1;
      }
      if (b[j] == '"') {
        return j;
      }
      j += 2; // an escape: skip the backslash and the escaped character
    }
  }

  /**
   * Returns the index just after the value that starts at {@code i} (that is, the ',' or '}' that
   * follows it at the top level), or -1 when the value is not in canonical shape.
   */
  private static int skipValue(byte[] b, int i, int end) {
    if (i >= end) {
      return -1;
    }
    byte c = b[i];
    if (c == '"') {
      int close = skipString(b, i, end);
      return close < 0 ? -1 : close + 1;
    }
    if (c == '{' || c == '[') {
      int depth = 0;
      for (int j = i; j < end; j++) {
        byte d = b[j];
        if (d == '"') {
          j = skipString(b, j, end);
          if (j < 0) {
            return -1;
          }
        } else if (d == '{' || d == '[') {
          depth++;
        } else if (d == '}' || d == ']') {
          depth--;
          if (depth == 0) {
            return j + 1;
          }
        } else if (d == ' ' || d == '\n' || d == '\r' || d == '\t') {
          return -1;
        }
      }
      return -1;
    }
    int j = i;
    while (j < end && b[j] != ',' && b[j] != '}') {
      byte d = b[j];
      if (d == ' ' || d == '\n' || d == '\r' || d == '\t' || d == '"' || d == '{' || d == '[') {
        return -1;
      }
      j++;
    }
    return j == i ? -1 : j;
  }

  // ---------------------------------------------------------------- slow path

  private static EventView parse(byte[] b, int off, int len, MessageDigest digest)
      throws MalformedEventException {
    JsonNode node;
    try {
      node = CanonicalJson.STRICT_MAPPER.readTree(b, off, len);
    } catch (JsonProcessingException e) {
      throw new MalformedEventException("not valid JSON: " + e.getOriginalMessage());
    } catch (IOException e) {
      throw new MalformedEventException("not readable: " + e.getMessage());
    }
    if (node == null || !node.isObject()) {
      throw new MalformedEventException("not a JSON object");
    }
    ObjectNode event = (ObjectNode) node;
    JsonNode storedHash = event.get(EventFields.EVENT_HASH);
    if (storedHash == null || !storedHash.isTextual()) {
      throw new MalformedEventException("no event_hash");
    }
    ObjectNode unsigned = event.deepCopy();
    unsigned.remove(EventFields.EVENT_HASH);
    byte[] canonical;
    try {
      canonical = CanonicalJson.toCanonicalBytes(unsigned);
    } catch (IllegalArgumentException e) {
      throw new MalformedEventException("has no canonical form: " + e.getMessage());
    }
    digest.reset();
    EventView.Builder v = EventView.Builder.fromTree(event);
    v.computedHash = HEX.formatHex(digest.digest(canonical));
    v.canonicalStored =
        new String(b, off, len, StandardCharsets.UTF_8)
            .equals(CanonicalJson.toCanonicalString(event));
    return v.build(b, off, len);
  }
}
