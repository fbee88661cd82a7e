package dev.aiflow.logger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Random;
import org.erdtman.jcs.JsonCanonicalizer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** RFC 8785 test vectors, and a cross-check against an independent implementation. */
class CanonicalJsonTest {

  @Test
  void rfc8785MainExample() {
    // RFC 8785, section 3.2.2
    String input =
        "{\n  \"numbers\": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001],\n"
            + "  \"string\": \"\\u20ac$\\u000F\\u000aA'\\u0042\\u0022\\u005c\\\\\\\"\\/\",\n"
            + "  \"literals\": [null, true, false]\n}";
    assertThat(CanonicalJson.canonicalize(input))
        .isEqualTo(
            "{\"literals\":[null,true,false],\"numbers\":[333333333.3333333,1e+30,4.5,0.002,1e-27],"
                + "\"string\":\"\u20ac$\\u000f\\nA'B\\\"\\\\\\\\\\\"/\"}");
  }

  @Test
  void rfc8785SortsByUtf16CodeUnits() {
    // RFC 8785, section 3.2.3
    String input =
        "{\"\\u20ac\":\"Euro Sign\",\"\\r\":\"Carriage Return\",\"\\ufb33\":\"Hebrew Letter Dalet"
            + " With Dagesh\",\"1\":\"One\",\"\\ud83d\\ude00\":\"Emoji: Grinning Face\","
            + "\"\\u0080\":\"Control\",\"\\u00f6\":\"Latin Small Letter O With Diaeresis\"}";
    String out = CanonicalJson.canonicalize(input);
    assertThat(out)
        .isEqualTo(
            "{\"\\r\":\"Carriage Return\",\"1\":\"One\",\"\u0080\":\"Control\",\"\u00f6\":\"Latin"
                + " Small Letter O With Diaeresis\",\"\u20ac\":\"Euro Sign\",\"\ud83d\ude00\":\"Emoji:"
                + " Grinning Face\",\"\ufb33\":\"Hebrew Letter Dalet With Dagesh\"}");
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource({
    // RFC 8785, appendix B: IEEE-754 bit pattern -> ECMAScript string
    "0000000000000000, 0",
    "8000000000000000, 0",
    "0000000000000001, 5e-324",
    "8000000000000001, -5e-324",
    "7fefffffffffffff, 1.7976931348623157e+308",
    "ffefffffffffffff, -1.7976931348623157e+308",
    "4340000000000000, 9007199254740992",
    "c340000000000000, -9007199254740992",
    "4430000000000000, 295147905179352830000",
    "44b52d02c7e14af5, 9.999999999999997e+22",
    "44b52d02c7e14af6, 1e+23",
    "44b52d02c7e14af7, 1.0000000000000001e+23",
    "444b1ae4d6e2ef4e, 999999999999999700000",
    "444b1ae4d6e2ef4f, 999999999999999900000",
    "444b1ae4d6e2ef50, 1e+21",
    "3eb0c6f7a0b5ed8c, 9.999999999999997e-7",
    "3eb0c6f7a0b5ed8d, 0.000001",
    "41b3de4355555553, 333333333.3333332",
    "41b3de4355555554, 333333333.33333325",
    "41b3de4355555555, 333333333.3333333",
    "41b3de4355555556, 333333333.3333334",
    "41b3de4355555557, 333333333.33333343",
    "becbf647612f3696, -0.0000033333333333333333",
    "43143ff3c1cb0959, 1424953923781206.2"
  })
  void rfc8785NumberVectors(String bits, String expected) {
    double value = Double.longBitsToDouble(Long.parseUnsignedLong(bits, 16));
    JsonNode node = JsonNodeFactory.instance.numberNode(value);
    assertThat(CanonicalJson.toCanonicalString(node)).isEqualTo(expected);
  }

  @Test
  void integersBeyondTwoToThe53AreFormattedAsDoubles() {
    assertThat(
            CanonicalJson.canonicalize(
                "[9007199254740993, 295147905179352825856, 10000000000000000000000]"))
        .isEqualTo("[9007199254740992,295147905179352830000,1e+22]");
  }

  @Test
  void refusesDuplicateKeysAndUnpairedSurrogates() {
    assertThatThrownBy(() -> CanonicalJson.canonicalize("{\"a\":1,\"a\":2}"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("Duplicate field");
    assertThatThrownBy(() -> CanonicalJson.canonicalize("[\"\\ud83d\"]"))
        .hasMessageContaining("unpaired surrogate");
    assertThatThrownBy(() -> CanonicalJson.canonicalize("[\"\\ude00x\"]"))
        .hasMessageContaining("unpaired surrogate");
  }

  @Test
  void escapesControlCharactersWithLowerCaseHex() {
    assertThat(CanonicalJson.canonicalize("\"\\u0001\\u001f\\b\\f\\t\\r\\n\\u007f\""))
        .isEqualTo("\"\\u0001\\u001f\\b\\f\\t\\r\\n\u007f\"");
  }

  @Test
  void agreesWithAnIndependentImplementationOnRandomDocuments() throws Exception {
    Random random = new Random(8785);
    for (int i = 0; i < 500; i++) {
      // the reference implementation wants an object or array at the top
      JsonNode doc = JsonNodeFactory.instance.objectNode().set("doc", randomNode(random, 0));
      String text = CanonicalJson.STRICT_MAPPER.writeValueAsString(doc);
      String reference = new JsonCanonicalizer(text).getEncodedString();
      assertThat(CanonicalJson.canonicalize(text))
          .as("document %d: %s", i, text)
          .isEqualTo(reference);
    }
  }

  private static JsonNode randomNode(Random r, int depth) {
    JsonNodeFactory f = JsonNodeFactory.instance;
    int kind = depth > 3 ? r.nextInt(4) : r.nextInt(6);
    switch (kind) {
      case 0:
        return f.textNode(randomString(r));
      case 1:
        return r.nextBoolean()
            ? f.numberNode(r.nextInt())
            : f.numberNode(Double.longBitsToDouble(r.nextLong() & 0x7fefffffffffffffL));
      case 2:
        return f.booleanNode(r.nextBoolean());
      case 3:
        return f.nullNode();
      case 4:
        {
          ObjectNode o = f.objectNode();
          int n = r.nextInt(6);
          for (int i = 0; i < n; i++) {
            o.set(randomString(r), randomNode(r, depth + 1));
          }
          return o;
        }
      default:
        {
          ArrayNode a = f.arrayNode();
          int n = r.nextInt(6);
          for (int i = 0; i < n; i++) {
            a.add(randomNode(r, depth + 1));
          }
          return a;
        }
    }
  }

  private static String randomString(Random r) {
    int[] pool = {
      'a', 'Z', '0', ' ', '"', '\\', '/', 0x01, 0x1f, 0x7f, 0xe9, 0x20ac, 0xfb33, 0x1f600
    };
    StringBuilder s = new StringBuilder();
    int n = r.nextInt(8);
    for (int i = 0; i < n; i++) {
      s.appendCodePoint(pool[r.nextInt(pool.length)]);
    }
    return s.toString();
  }
}
