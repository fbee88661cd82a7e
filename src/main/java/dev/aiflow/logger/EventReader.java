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
 * <p>The fast path accepts a line only when its bytes are exactly the RFC 8785 canonical form of
 * the event ({@link CanonicalBytes}: members strictly ordered at every level, so no duplicates; no
 * whitespace; canonical strings and integers). Then the canonical form of the event without its
 * hash is the line minus the {@code "event_hash":"..."} member, and the line is hashed in two
 * slices without building a tree. Every other line (a different key order, a duplicated key, an
 * escape spelled otherwise, {@code 1.0} for {@code 1}, a space) goes through Jackson and the
 * canonicaliser, which decide: a duplicated key makes the line unreadable, any other difference
 * makes it {@link EventView#canonicalStored() not canonical}, and the hash is always computed over
 * the canonical form, never over the stored bytes. So a reader that parses a verified line sees
 * exactly the event that was hashed.
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
    if (fast != null) {
      return fast; // the bytes are canonical: the strict path would compute the same
    }
    return parse(buf, off, len, digest);
  }

  // ---------------------------------------------------------------- fast path

  /**
   * The fast path: the event when the line is exactly canonical and its members are in the shape
   * the store writes, otherwise null (then only {@link #parse} can tell).
   */
  static EventView scan(byte[] b, int off, int len, MessageDigest digest) {
    if (len < 2 || b[off + len - 1] != '}') {
      return null;
    }
    return scan(b, off, off + len, true, digest, null);
  }

  /**
   * The fast path over a buffer whose next line has not been split yet: when the bytes from {@code
   * off} are a canonical event followed by '\n' before {@code limit}, returns it and puts the
   * line's length (without the newline) in {@code length[0]}. A canonical line holds no raw
   * newline, so this finds the line's end and checks it in one pass. Null when the caller must
   * split the line at its newline and {@link #read} it (not canonical, or not wholly in the
   * buffer).
   */
  static EventView scanLine(byte[] b, int off, int limit, MessageDigest digest, int[] length) {
    return scan(b, off, limit, false, digest, length);
  }

  private static EventView scan(
      byte[] b, int off, int end, boolean exactEnd, MessageDigest digest, int[] length) {
    if (end - off < 2 || b[off] != '{') {
      return null;
    }
    EventView.Builder v = new EventView.Builder();
    int hashMemberStart = -1;
    int hashMemberEnd = -1;
    int prevKeyStart = -1;
    int prevKeyEnd = -1;
    int i = off + 1;
    int close; // index of the object's closing brace
    while (true) {
      int memberStart = i;
      int keyEnd = CanonicalBytes.key(b, i, end);
      if (keyEnd < 0) {
        return null;
      }
      int keyStart = i + 1;
      if (prevKeyStart >= 0
          && CanonicalBytes.compareKeys(b, prevKeyStart, prevKeyEnd, keyStart, keyEnd) >= 0) {
        return null; // out of order, or a duplicate
      }
      prevKeyStart = keyStart;
      prevKeyEnd = keyEnd;
      i = keyEnd + 1;
      if (i >= end || b[i] != ':') {
        return null;
      }
      int valueEnd = v.member(b, keyStart, keyEnd, i + 1, end);
      if (valueEnd < 0 || valueEnd >= end) {
        return null;
      }
      boolean last = b[valueEnd] == '}';
      if (v.isHashKey(b, keyStart, keyEnd)) {
        if (memberStart == off + 1) {
          // the first member: cut it and the comma after it (or nothing else when it is alone)
          hashMemberStart = memberStart;
          hashMemberEnd = last ? valueEnd : valueEnd + 1;
        } else {
          hashMemberStart = memberStart - 1; // the comma before it
          hashMemberEnd = valueEnd;
        }
      }
      if (last) {
        close = valueEnd;
        break;
      }
      if (b[valueEnd] != ',') {
        return null;
      }
      i = valueEnd + 1;
    }
    if (exactEnd ? close != end - 1 : close + 1 >= end || b[close + 1] != '\n') {
      return null;
    }
    if (hashMemberStart < 0 || v.eventHash == null) {
      return null;
    }
    digest.reset();
    digest.update(b, off, hashMemberStart - off);
    digest.update(b, hashMemberEnd, close + 1 - hashMemberEnd);
    byte[] hash = digest.digest();
    // the usual case, an intact event: no second hex string for the same hash
    v.computedHash = spells(v.eventHash, hash) ? v.eventHash : HEX.formatHex(hash);
    v.canonicalStored = true;
    if (length != null) {
      length[0] = close + 1 - off;
    }
    return v.build(b, off, close + 1 - off);
  }

  /**
   * The {@code task_id} of a line, null for a project event, without hashing the line: for copying
   * lines that were verified when the store read them. A line the fast path cannot walk is read in
   * full.
   */
  static String taskIdOf(byte[] b, int off, int len, MessageDigest digest)
      throws MalformedEventException {
    int end = off + len;
    if (len >= 2 && b[off] == '{' && b[end - 1] == '}') {
      int i = off + 1;
      while (true) {
        int keyEnd = CanonicalBytes.key(b, i, end);
        if (keyEnd < 0 || keyEnd + 1 >= end || b[keyEnd + 1] != ':') {
          break;
        }
        int valueStart = keyEnd + 2;
        if (keyEnd - i - 1 == EventFields.TASK_ID.length()
            && new String(b, i + 1, keyEnd - i - 1, StandardCharsets.US_ASCII)
                .equals(EventFields.TASK_ID)) {
          int close =
              b[valueStart] == '"' ? CanonicalBytes.unescapedString(b, valueStart, end) : -1;
          if (close < 0) {
            break;
          }
          return new String(b, valueStart + 1, close - valueStart - 1, StandardCharsets.UTF_8);
        }
        int valueEnd = CanonicalBytes.value(b, valueStart, end, 0);
        if (valueEnd < 0 || valueEnd >= end) {
          break;
        }
        if (b[valueEnd] == '}') {
          return null; // no task_id: a project event
        }
        i = valueEnd + 1;
      }
    }
    return read(b, off, len, digest).taskId();
  }

  private static final byte[] HEX_DIGITS = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);

  /** Whether {@code hex} is the lower-case hex spelling of {@code hash}. */
  private static boolean spells(String hex, byte[] hash) {
    if (hex.length() != hash.length * 2) {
      return false;
    }
    for (int k = 0; k < hash.length; k++) {
      if (hex.charAt(2 * k) != HEX_DIGITS[(hash[k] >> 4) & 0xF]
          || hex.charAt(2 * k + 1) != HEX_DIGITS[hash[k] & 0xF]) {
        return false;
      }
    }
    return true;
  }

  // ---------------------------------------------------------------- slow path

  /** The strict path: Jackson (refusing duplicate keys) and the canonicaliser. */
  static EventView parse(byte[] b, int off, int len, MessageDigest digest)
      throws MalformedEventException {
    JsonNode node;
    try {
      node = CanonicalJson.STRICT_MAPPER.readTree(b, off, len);
    } catch (JsonProcessingException e) {
      throw new MalformedEventException(CanonicalJson.describe(e));
    } catch (IOException e) {
      throw new MalformedEventException("not readable as JSON");
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
      // named by kind only: the message may quote a value of the line
      throw new MalformedEventException(
          "has no canonical form ("
              + (String.valueOf(e.getMessage()).startsWith("unpaired")
                  ? "an unpaired surrogate"
                  : "a number or value that JSON cannot hold")
              + ")");
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
