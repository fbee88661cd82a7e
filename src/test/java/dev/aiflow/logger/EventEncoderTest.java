package dev.aiflow.logger;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** The writer's member-wise encoding is exactly the RFC 8785 form of the whole event. */
class EventEncoderTest {

  @Test
  void mergedEncodingEqualsTheCanonicalFormOfTheWholeEvent() {
    Random random = new Random(42);
    String[] keys = {
      "a", "acceptance", "engine", "event_type", "events", "f", "seq", "z", "é", "Z"
    };
    for (int n = 0; n < 300; n++) {
      ObjectNode payload = CanonicalJson.STRICT_MAPPER.createObjectNode();
      Map<String, Object> envelope = new TreeMap<>();
      for (String key : keys) {
        switch (random.nextInt(4)) {
          case 0 -> payload.put(key, "v\"" + random.nextInt(1000) + "\n€");
          case 1 -> payload.putArray(key).add(random.nextInt()).add("x");
          case 2 ->
              envelope.put(key, random.nextBoolean() ? (Object) ("s" + n) : (Object) (long) n);
          default -> {
            // absent
          }
        }
      }
      EventEncoder.Encoded encoded =
          EventEncoder.encode(
              EventEncoder.scalars(envelope), EventEncoder.members(payload), DurableFiles.sha256());

      ObjectNode whole = payload.deepCopy();
      envelope.forEach(
          (k, v) -> {
            if (v instanceof String s) {
              whole.put(k, s);
            } else {
              whole.put(k, (Long) v);
            }
          });
      String unsigned = CanonicalJson.toCanonicalString(whole);
      String hash = DurableFiles.sha256Hex(unsigned.getBytes(StandardCharsets.UTF_8));
      whole.put("event_hash", hash);
      assertThat(encoded.hash()).isEqualTo(hash);
      assertThat(new String(encoded.text(), StandardCharsets.UTF_8))
          .isEqualTo(CanonicalJson.toCanonicalString(whole));
      assertThat(encoded.line()[encoded.line().length - 1]).isEqualTo((byte) '\n');
    }
  }

  @Test
  void anEmptyEventStillGetsItsHash() {
    EventEncoder.Encoded encoded =
        EventEncoder.encode(CanonicalJson.STRICT_MAPPER.createObjectNode(), DurableFiles.sha256());
    assertThat(new String(encoded.text(), StandardCharsets.UTF_8))
        .isEqualTo("{\"event_hash\":\"" + DurableFiles.sha256Hex("{}".getBytes()) + "\"}");
  }

  @Test
  void theDirectEnvelopeHasTheMembersOfTheSortedMap() {
    Random random = new Random(7);
    String[] samples = {"a", "T-1", "é\"\n", "\ud83d\ude00x", "0".repeat(64), ""};
    for (int n = 0; n < 500; n++) {
      String taskId = random.nextInt(3) == 0 ? null : samples[random.nextInt(samples.length)];
      String[] v = new String[5];
      for (int i = 0; i < v.length; i++) {
        v[i] = samples[random.nextInt(samples.length)];
      }
      long seq = random.nextLong() & ((1L << 53) - 1);
      long taskSeq = random.nextInt(1_000_000);
      Map<String, Object> map = new TreeMap<>();
      map.put("event_type", v[0]);
      map.put("prev_event_hash", v[1]);
      map.put("project_id", v[2]);
      map.put("project_prev_event_hash", v[3]);
      map.put("recorded_at", v[4]);
      map.put("schema_version", 1);
      map.put("seq", seq);
      if (taskId != null) {
        map.put("task_id", taskId);
        map.put("task_seq", taskSeq);
      }
      EventEncoder.Members expected = EventEncoder.scalars(map);
      EventEncoder.Members direct =
          EventEncoder.envelope(v[0], v[1], v[2], v[3], v[4], 1, seq, taskId, taskSeq);
      assertThat(direct.keys()).containsExactly(expected.keys());
      assertThat(direct.texts()).containsExactly(expected.texts());
    }
  }
}
