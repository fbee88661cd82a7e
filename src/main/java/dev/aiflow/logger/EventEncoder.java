package dev.aiflow.logger;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Encodes events as canonical lines. The payload is canonicalised member by member before the
 * writer takes its lock; under the lock only the few envelope members are merged in, the result
 * hashed, and {@code event_hash} spliced in at its sorted place. The output is byte for byte the
 * RFC 8785 form of the whole event (a test compares it with {@link CanonicalJson}).
 */
final class EventEncoder {

  private static final HexFormat HEX = HexFormat.of();
  private static final String HASH_KEY = EventFields.EVENT_HASH;

  private EventEncoder() {}

  /** Members sorted by key; {@code texts[i]} is the canonical {@code "key":value}. */
  record Members(String[] keys, String[] texts) {

    static final Members EMPTY = new Members(new String[0], new String[0]);
  }

  /** A stored line: the hash, the canonical event with its hash, and the same plus '\n'. */
  record Encoded(String hash, byte[] text, byte[] line) {}

  static Members members(ObjectNode node) {
    List<String> names = new ArrayList<>(node.size());
    for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
      names.add(it.next());
    }
    String[] keys = names.toArray(String[]::new);
    Arrays.sort(keys);
    String[] texts = new String[keys.length];
    StringBuilder s = new StringBuilder(64);
    for (int i = 0; i < keys.length; i++) {
      s.setLength(0);
      CanonicalJson.writeString(keys[i], s);
      s.append(':');
      CanonicalJson.write(node.get(keys[i]), s);
      texts[i] = s.toString();
    }
    return new Members(keys, texts);
  }

  /** Envelope members from scalar values (String, Long, Integer), in any order. */
  static Members scalars(Map<String, Object> values) {
    String[] keys = values.keySet().toArray(String[]::new);
    Arrays.sort(keys);
    String[] texts = new String[keys.length];
    StringBuilder s = new StringBuilder(96);
    for (int i = 0; i < keys.length; i++) {
      s.setLength(0);
      CanonicalJson.writeString(keys[i], s);
      s.append(':');
      Object v = values.get(keys[i]);
      if (v instanceof String text) {
        CanonicalJson.writeString(text, s);
      } else if (v instanceof Long || v instanceof Integer) {
        s.append(v);
      } else {
        throw new IllegalArgumentException("envelope values are strings or integers: " + keys[i]);
      }
      texts[i] = s.toString();
    }
    return new Members(keys, texts);
  }

  /**
   * The envelope of a stored event, written in its sorted order without a map or a sort (the same
   * members as {@link #scalars} makes of them; {@code EventEncoderTest} compares the two). A
   * project event ({@code taskId} null) has no {@code task_id} or {@code task_seq}.
   */
  static Members envelope(
      String eventType,
      String prevEventHash,
      String projectId,
      String projectPrevEventHash,
      String recordedAt,
      long schemaVersion,
      long seq,
      String taskId,
      long taskSeq) {
    boolean task = taskId != null;
    String[] keys = task ? TASK_ENVELOPE : PROJECT_ENVELOPE;
    String[] texts = new String[keys.length];
    StringBuilder s = new StringBuilder(96);
    texts[0] = member(s, keys[0], eventType);
    texts[1] = member(s, keys[1], prevEventHash);
    texts[2] = member(s, keys[2], projectId);
    texts[3] = member(s, keys[3], projectPrevEventHash);
    texts[4] = member(s, keys[4], recordedAt);
    texts[5] = "\"" + keys[5] + "\":" + schemaVersion;
    texts[6] = "\"" + keys[6] + "\":" + seq;
    if (task) {
      texts[7] = member(s, keys[7], taskId);
      texts[8] = "\"" + keys[8] + "\":" + taskSeq;
    }
    return new Members(keys, texts);
  }

  private static final String[] TASK_ENVELOPE = {
    EventFields.EVENT_TYPE,
    EventFields.PREV_EVENT_HASH,
    EventFields.PROJECT_ID,
    EventFields.PROJECT_PREV_EVENT_HASH,
    EventFields.RECORDED_AT,
    EventFields.SCHEMA_VERSION,
    EventFields.SEQ,
    EventFields.TASK_ID,
    EventFields.TASK_SEQ
  };
  private static final String[] PROJECT_ENVELOPE = Arrays.copyOf(TASK_ENVELOPE, 7);

  private static String member(StringBuilder s, String key, String value) {
    s.setLength(0);
    s.append('"').append(key).append("\":"); // the envelope's keys need no escaping
    CanonicalJson.writeString(value, s);
    return s.toString();
  }

  /** Merges the two member lists, hashes the event and splices {@code event_hash} in. */
  static Encoded encode(Members a, Members b, MessageDigest digest) {
    StringBuilder s = new StringBuilder(512);
    s.append('{');
    int i = 0;
    int j = 0;
    int hashAt = -1; // char index where the event_hash member goes
    boolean hashFirst = false;
    boolean first = true;
    while (i < a.keys().length || j < b.keys().length) {
      String key;
      String text;
      if (j >= b.keys().length || (i < a.keys().length && a.keys()[i].compareTo(b.keys()[j]) < 0)) {
        key = a.keys()[i];
        text = a.texts()[i++];
      } else {
        key = b.keys()[j];
        text = b.texts()[j++];
      }
      int cmp = HASH_KEY.compareTo(key);
      if (cmp == 0) {
        throw new IllegalArgumentException("an event must not carry event_hash before hashing");
      }
      if (hashAt < 0 && cmp < 0) {
        hashAt = s.length();
        hashFirst = first;
      }
      if (!first) {
        s.append(',');
      }
      first = false;
      s.append(text);
    }
    if (hashAt < 0) {
      hashAt = s.length();
      hashFirst = first;
    }
    s.append('}');
    byte[] prefix = s.substring(0, hashAt).getBytes(StandardCharsets.UTF_8);
    byte[] suffix = s.substring(hashAt).getBytes(StandardCharsets.UTF_8);
    digest.reset();
    digest.update(prefix);
    digest.update(suffix);
    String hash = HEX.formatHex(digest.digest());
    String member = "\"" + HASH_KEY + "\":\"" + hash + "\"";
    // before the first member: "member," ; after one: ",member" (suffix starts with ',' or '}')
    byte[] inserted =
        (hashFirst ? member + (suffix[0] == '}' ? "" : ",") : "," + member)
            .getBytes(StandardCharsets.US_ASCII);
    byte[] line = new byte[prefix.length + inserted.length + suffix.length + 1];
    System.arraycopy(prefix, 0, line, 0, prefix.length);
    System.arraycopy(inserted, 0, line, prefix.length, inserted.length);
    System.arraycopy(suffix, 0, line, prefix.length + inserted.length, suffix.length);
    line[line.length - 1] = '\n';
    return new Encoded(hash, Arrays.copyOf(line, line.length - 1), line);
  }

  /** Encodes a complete event given as a tree (without {@code event_hash}). */
  static Encoded encode(ObjectNode event, MessageDigest digest) {
    return encode(Members.EMPTY, members(event), digest);
  }
}
