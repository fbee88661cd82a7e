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
}
