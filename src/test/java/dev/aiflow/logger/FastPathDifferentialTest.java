package dev.aiflow.logger;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The verifier's fast path against the strict path (Jackson refusing duplicate keys, then {@link
 * CanonicalJson}), as {@link CanonicalJsonTest} checks the encoder: on canonical lines both must
 * give the same event, and a line that is not exactly canonical must never pass the fast path, even
 * when its hash was computed over its own bytes (what someone who knows only the fast path's rule
 * would do). Such a line must not read as a clean event at all.
 */
class FastPathDifferentialTest {

  private final MessageDigest digest = DurableFiles.sha256();

  /** A non-canonical spelling of an event, with a short name for failure messages. */
  record Variant(String name, String text) {}

  @Test
  void fastAndStrictPathsAgreeOnGeneratedCanonicalAndNonCanonicalLines() throws Exception {
    Random random = new Random(8785_15);
    int canonical = 0;
    int nonCanonical = 0;
    for (int n = 0; n < 1500; n++) {
      ObjectNode event = randomEvent(random);
      String line = new String(EventEncoder.encode(event, digest).text(), StandardCharsets.UTF_8);
      assertThat(line).isEqualTo(CanonicalJson.canonicalize(line));
      EventView fast = EventReader.scan(bytes(line), 0, bytes(line).length, digest);
      EventView strict = strict(line);
      if (fast != null) {
        assertThat(fast).as("event %d: %s", n, line).isEqualTo(strict);
      } else {
        // only keys the fast path does not order by bytes (escapes, non-ASCII) may fall back
        assertThat(line).as("event %d fell back: %s", n, line).contains("odd key");
      }
      assertThat(clean(read(line))).as("event %d", n).isTrue();
      canonical++;

      JsonNode signed = CanonicalJson.STRICT_MAPPER.readTree(line);
      for (Variant v : variants(signed, random)) {
        String text = selfConsistent(v.text());
        assertThat(text).as(v.name()).isNotEqualTo(line);
        byte[] b = bytes(text);
        assertThat(EventReader.scan(b, 0, b.length, digest))
            .as("the fast path took a %s line: %s", v.name(), text)
            .isNull();
        assertThat(clean(strict(text)))
            .as("strict path on a %s line: %s", v.name(), text)
            .isFalse();
        assertThat(clean(read(text))).as("a %s line read clean: %s", v.name(), text).isFalse();
        nonCanonical++;
      }
    }
    assertThat(canonical).isEqualTo(1500);
    assertThat(nonCanonical).isGreaterThan(10_000);
  }

  @Test
  void theIssuesExampleADuplicatedResultReadsAsNeitherFailNorPass() throws Exception {
    ObjectNode event = randomEvent(new Random(1));
    event.put("result", "PASS");
    String line = new String(EventEncoder.encode(event, digest).text(), StandardCharsets.UTF_8);
    String forged =
        selfConsistent(
            line.replace("\"result\":\"PASS\"", "\"result\":\"FAIL\",\"result\":\"PASS\""));
    byte[] b = bytes(forged);
    assertThat(EventReader.scan(b, 0, b.length, digest)).isNull();
    assertThat(read(forged)).isNull(); // unreadable: no reader may pick one of the two values
  }

  @Test
  void theTaskIdOfALineIsItsTopLevelMemberNotANestedOne() throws Exception {
    ObjectNode event = randomEvent(new Random(2));
    event.put("task_id", "T-REAL");
    event.putObject("context").put("task_id", "T-DECOY");
    event.putObject("verdict").put("task_id", "T-DECOY-2");
    byte[] line = EventEncoder.encode(event, digest).text();
    assertThat(EventReader.taskIdOf(line, 0, line.length, digest)).isEqualTo("T-REAL");
    event.remove("task_id");
    byte[] projectEvent = EventEncoder.encode(event, digest).text();
    assertThat(EventReader.taskIdOf(projectEvent, 0, projectEvent.length, digest)).isNull();
  }

  // ------------------------------------------------------------------ generating events

  private static final String[] POOL = {
    "PASS",
    "A",
    "/",
    "\u00e9",
    "\u20ac",
    "\ud83d\ude00",
    "\n",
    "\t",
    "\u0001",
    "\u001f",
    "\u007f",
    "\"",
    "\\",
    " ",
    "0",
    "x"
  };

  private static String randomString(Random r) {
    StringBuilder s = new StringBuilder();
    int n = r.nextInt(6);
    for (int i = 0; i < n; i++) {
      s.append(POOL[r.nextInt(POOL.length)]);
    }
    return s.toString();
  }

  private static String hex(Random r) {
    byte[] b = new byte[32];
    r.nextBytes(b);
    return HexFormat.of().formatHex(b);
  }

  static ObjectNode randomEvent(Random r) {
    ObjectNode e = CanonicalJson.STRICT_MAPPER.createObjectNode();
    e.put("schema_version", 1);
    e.put("project_id", "p");
    e.put("seq", 1 + r.nextInt(100_000));
    e.put("event_type", r.nextBoolean() ? "attempt" : "qa_review");
    e.put("recorded_at", "2026-12-01T10:00:00.123Z");
    e.put("project_prev_event_hash", hex(r));
    e.put("prev_event_hash", hex(r));
    e.put("task_id", "T-" + r.nextInt(50));
    e.put("task_seq", 1 + r.nextInt(1000));
    e.put("r", r.nextInt(3));
    e.put("s", r.nextInt(3));
    e.put("result", r.nextBoolean() ? "PASS" : "FAIL");
    e.put("reason_detail", randomString(r));
    e.putArray("executed_commands").add(randomString(r)).add("mvn -q test");
    e.put("count", r.nextInt(2000) - 1000);
    e.put("big", r.nextBoolean() ? 9007199254740992L : -9007199254740992L);
    e.put("flag", r.nextBoolean());
    e.putNull("nothing");
    ObjectNode engine = e.putObject("engine");
    engine.put("process_instance_id", "pi-" + r.nextInt(99));
    engine.put("activity_id", "log");
    engine.put("external_task_id", randomString(r));
    ObjectNode context = e.putObject("context");
    for (int i = 0; i < r.nextInt(4); i++) {
      context.put("k" + r.nextInt(10), randomString(r));
    }
    if (r.nextInt(5) == 0) {
      context.put(r.nextBoolean() ? "\u00e9t\u00e9" : "line\nbreak", "odd key");
    }
    ArrayNode nested = e.putArray("nested");
    nested.addObject().put("b", 1).put("a", randomString(r));
    nested.addArray().add(0).add(-7).add(true);
    return e;
  }

  // ------------------------------------------------------------------ non-canonical spellings

  /** Members of an object as canonical "key":value texts, in canonical order. */
  private static List<String[]> members(JsonNode object) {
    List<String> names = new ArrayList<>();
    for (Iterator<String> it = object.fieldNames(); it.hasNext(); ) {
      names.add(it.next());
    }
    Collections.sort(names);
    List<String[]> out = new ArrayList<>();
    for (String name : names) {
      StringBuilder k = new StringBuilder();
      CanonicalJson.writeString(name, k);
      out.add(new String[] {k.toString(), CanonicalJson.toCanonicalString(object.get(name))});
    }
    return out;
  }

  private static String join(List<String[]> members, String colon, String comma) {
    StringBuilder s = new StringBuilder("{");
    for (int i = 0; i < members.size(); i++) {
      if (i > 0) {
        s.append(comma);
      }
      s.append(members.get(i)[0]).append(colon).append(members.get(i)[1]);
    }
    return s.append('}').toString();
  }

  private static String withValue(JsonNode event, String key, String valueText) {
    List<String[]> m = members(event);
    for (String[] member : m) {
      if (member[0].equals("\"" + key + "\"")) {
        member[1] = valueText;
      }
    }
    return join(m, ":", ",");
  }

  private List<Variant> variants(JsonNode event, Random r) {
    List<Variant> out = new ArrayList<>();
    List<String[]> m = members(event);
    // 1. two adjacent top-level members swapped (every pair position in turn would be slow)
    int i = r.nextInt(m.size() - 1);
    List<String[]> swapped = new ArrayList<>(m);
    Collections.swap(swapped, i, i + 1);
    out.add(new Variant("swapped members", join(swapped, ":", ",")));
    // 2. a duplicated key, before and after the real one, with another value
    for (String key : List.of("result", "seq", "event_type", "task_id", "engine")) {
      int at = indexOf(m, key);
      String[] dup = {m.get(at)[0], key.equals("seq") ? "1" : "\"FORGED\""};
      List<String[]> before = new ArrayList<>(m);
      before.add(at, dup);
      out.add(new Variant("duplicate " + key + " first", join(before, ":", ",")));
      List<String[]> after = new ArrayList<>(m);
      after.add(at + 1, dup);
      out.add(new Variant("duplicate " + key + " second", join(after, ":", ",")));
    }
    // 3. members of a nested object out of order
    ObjectNode engine = (ObjectNode) event.get("engine");
    List<String[]> inner = members(engine);
    Collections.reverse(inner);
    out.add(
        new Variant("nested members reversed", withValue(event, "engine", join(inner, ":", ","))));
    // 4. numbers spelled otherwise
    String seq = event.get("seq").asText();
    for (String spelling : List.of(seq + ".0", seq + "e0", seq + "E0", seq + ".00", "0" + seq)) {
      out.add(new Variant("seq as " + spelling, withValue(event, "seq", spelling)));
    }
    out.add(new Variant("r as 0.0", withValue(event, "r", event.get("r").asText() + ".0")));
    out.add(new Variant("-0", withValue(event, "count", "-0")));
    out.add(new Variant("beyond 2^53", withValue(event, "big", "9007199254740993")));
    out.add(new Variant("1.0 in an array", withValue(event, "nested", "[{\"a\":\"\",\"b\":1.0}]")));
    // 5. strings spelled otherwise: an escaped A, an escaped slash, an escaped newline as u000a,
    // upper-case hex digits, an escaped e-acute
    for (String[] swap :
        List.of(
            new String[] {"FAIL", "F\\u0041IL"},
            new String[] {"PASS", "P\\u0041SS"},
            new String[] {"mvn -q test", "mvn -q\\u0020test"},
            new String[] {"mvn -q test", "mvn -q test\\/"},
            new String[] {"\"log\"", "\"l\\u006fg\""})) {
      String text = join(m, ":", ",");
      if (text.contains(swap[0])) {
        out.add(
            new Variant("escape " + swap[1], text.replaceFirst(quote(swap[0]), quote2(swap[1]))));
      }
    }
    String detail = event.get("reason_detail").textValue();
    if (detail.contains("\n")) {
      out.add(
          new Variant("\\u000a for \\n", stringVariant(event, "reason_detail", "\\n", "\\u000a")));
    }
    if (detail.contains("\u001f")) {
      out.add(
          new Variant(
              "upper-case hex", stringVariant(event, "reason_detail", "\\u001f", "\\u001F")));
    }
    if (detail.contains("\u00e9")) {
      out.add(
          new Variant("\\u00e9 for é", stringVariant(event, "reason_detail", "\u00e9", "\\u00e9")));
    }
    if (detail.contains("\u007f")) {
      out.add(
          new Variant(
              "\\u007f for DEL", stringVariant(event, "reason_detail", "\u007f", "\\u007f")));
    }
    // 6. whitespace: after a colon, after a comma, inside an array, at the end
    String text = join(m, ":", ",");
    out.add(new Variant("space after colons", join(m, ": ", ",")));
    out.add(new Variant("space after commas", join(m, ":", ", ")));
    out.add(new Variant("space before the brace", text.substring(0, text.length() - 1) + " }"));
    out.add(new Variant("space in an array", text.replace("[0,-7,true]", "[0, -7,true]")));
    out.add(new Variant("tab after the brace", "{\t" + text.substring(1)));
    return out;
  }

  private static String stringVariant(JsonNode event, String key, String from, String to) {
    StringBuilder value = new StringBuilder();
    CanonicalJson.writeString(event.get(key).textValue(), value);
    return withValue(event, key, value.toString().replace(from, to));
  }

  private static String quote(String s) {
    return java.util.regex.Pattern.quote(s);
  }

  private static String quote2(String s) {
    return java.util.regex.Matcher.quoteReplacement(s);
  }

  private static int indexOf(List<String[]> members, String key) {
    for (int i = 0; i < members.size(); i++) {
      if (members.get(i)[0].equals("\"" + key + "\"")) {
        return i;
      }
    }
    throw new IllegalStateException("no member " + key);
  }

  /**
   * Puts back the hash computed over the line's own bytes without its {@code event_hash} member:
   * the rule the fast path follows, applied to a line that is not canonical.
   */
  private String selfConsistent(String text) {
    java.util.regex.Matcher member =
        java.util.regex.Pattern.compile("(,\\s*)?\"event_hash\"\\s*:\\s*\"([0-9a-f]{64})\"(\\s*,)?")
            .matcher(text);
    assertThat(member.find()).as("an event_hash member in %s", text).isTrue();
    String without =
        member.group(1) != null
            ? text.substring(0, member.start()) + text.substring(member.end(2) + 1)
            : text.substring(0, member.start()) + text.substring(member.end());
    String hash = HexFormat.of().formatHex(digest.digest(bytes(without)));
    return text.substring(0, member.start(2)) + hash + text.substring(member.end(2));
  }

  // ------------------------------------------------------------------ the two readers

  private EventView strict(String line) {
    byte[] b = bytes(line);
    try {
      return EventReader.parse(b, 0, b.length, digest);
    } catch (EventReader.MalformedEventException e) {
      return null;
    }
  }

  private EventView read(String line) {
    byte[] b = bytes(line);
    try {
      return EventReader.read(b, 0, b.length, digest);
    } catch (EventReader.MalformedEventException e) {
      return null;
    }
  }

  private static boolean clean(EventView v) {
    return v != null && v.hashMatches() && v.canonicalStored();
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
