package dev.aiflow.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.core.JsonPointer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ContainerNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Each schema: its example parses; each kind of violation is refused with its pointer. */
class ProtocolTest {

  static final ObjectMapper JSON = new ObjectMapper();

  static String example(String name) throws Exception {
    return Files.readString(Path.of("examples/protocol", name));
  }

  @Test
  void theExamplesParseAndRoundTrip() throws Exception {
    StepPack pack = Protocol.parseStepPack(example("step_pack.example.json"));
    assertThat(pack.acceptanceCriteria())
        .extracting(AcceptanceCriterion::id)
        .containsExactly("AC-1", "AC-2");
    assertThat(pack.limits().maxSilenceSec()).isEqualTo(120);
    assertThat(Protocol.parseStepPack(Protocol.toJson(pack))).isEqualTo(pack);

    StepResult result = Protocol.parseStepResult(example("step_result.example.json"));
    assertThat(result.commands()).singleElement().extracting(CommandRecord::exitCode).isEqualTo(0);
    assertThat(Protocol.parseStepResult(Protocol.toJson(result))).isEqualTo(result);

    ReworkPack rework = Protocol.parseReworkPack(example("rework_pack.example.json"));
    assertThat(rework.failingChecks()).hasSize(2);
    assertThat(Protocol.parseReworkPack(Protocol.toJson(rework))).isEqualTo(rework);
    ReworkPack withoutThread = rework.withThreadId(null);
    assertThat(Protocol.parseReworkPack(Protocol.toJson(withoutThread)).threadId()).isNull();
  }

  record Case(
      String kind, String example, String name, String pointer, Object value, String code) {}

  static final Object REMOVE = new Object();

  static Stream<Arguments> violations() {
    return Stream.of(
            // StepPack
            new Case("STEP_PACK", "step_pack", "unknown field", "/surprise", "x", "UNKNOWN_FIELD"),
            new Case(
                "STEP_PACK",
                "step_pack",
                "unknown nested field",
                "/limits/max_cpu",
                2,
                "UNKNOWN_FIELD"),
            new Case(
                "STEP_PACK", "step_pack", "missing field", "/objective", REMOVE, "MISSING_FIELD"),
            new Case(
                "STEP_PACK",
                "step_pack",
                "missing nested field",
                "/acceptance_criteria/0/description",
                REMOVE,
                "MISSING_FIELD"),
            new Case(
                "STEP_PACK",
                "step_pack",
                "string for an integer",
                "/limits/max_runtime_sec",
                "900",
                "WRONG_TYPE"),
            new Case(
                "STEP_PACK",
                "step_pack",
                "object for an array",
                "/allowed_paths",
                JSON.createObjectNode(),
                "WRONG_TYPE"),
            new Case(
                "STEP_PACK", "step_pack", "unknown tier", "/tier", "tier9", "UNKNOWN_ENUM_VALUE"),
            new Case(
                "STEP_PACK",
                "step_pack",
                "another document kind",
                "/schema",
                "aiflow.step_result.v1",
                "UNKNOWN_ENUM_VALUE"),
            new Case(
                "STEP_PACK",
                "step_pack",
                "escaping allowed path",
                "/allowed_paths/0",
                "../secrets/*",
                "INVALID_VALUE"),
            new Case(
                "STEP_PACK",
                "step_pack",
                "absolute allowed path",
                "/allowed_paths/1",
                "/etc/passwd",
                "INVALID_VALUE"),
            new Case(
                "STEP_PACK",
                "step_pack",
                "backslash allowed path",
                "/allowed_paths/0",
                "src\\..\\x",
                "INVALID_VALUE"),
            new Case(
                "STEP_PACK",
                "step_pack",
                "no acceptance criteria",
                "/acceptance_criteria",
                JSON.createArrayNode(),
                "INVALID_VALUE"),
            new Case(
                "STEP_PACK",
                "step_pack",
                "evidence outside .artifacts",
                "/evidence_dir",
                "logs/here",
                "INVALID_VALUE"),
            new Case(
                "STEP_PACK",
                "step_pack",
                "traversal in an id",
                "/task_id",
                "T..1",
                "INVALID_VALUE"),
            new Case(
                "STEP_PACK",
                "step_pack",
                "tier3 without contract",
                "/tier",
                "tier3",
                "MISSING_FIELD"),
            new Case(
                "STEP_PACK",
                "step_pack",
                "zero runtime",
                "/limits/max_runtime_sec",
                0,
                "INVALID_VALUE"),
            // StepResult
            new Case(
                "STEP_RESULT",
                "step_result",
                "unknown result",
                "/result",
                "OK",
                "UNKNOWN_ENUM_VALUE"),
            new Case(
                "STEP_RESULT",
                "step_result",
                "string exit code",
                "/commands/0/exit_code",
                "0",
                "WRONG_TYPE"),
            new Case(
                "STEP_RESULT",
                "step_result",
                "unknown command field",
                "/commands/0/stdout",
                "...",
                "UNKNOWN_FIELD"),
            new Case(
                "STEP_RESULT",
                "step_result",
                "missing next action",
                "/next_action",
                REMOVE,
                "MISSING_FIELD"),
            new Case(
                "STEP_RESULT",
                "step_result",
                "lower-case reason code",
                "/reason_code",
                "pass",
                "INVALID_VALUE"),
            new Case(
                "STEP_RESULT",
                "step_result",
                "missing evidence list",
                "/acceptance/0/evidence_paths",
                REMOVE,
                "MISSING_FIELD"),
            // ReworkPack
            new Case("REWORK_PACK", "rework_pack", "round zero", "/round", 0, "INVALID_VALUE"),
            new Case(
                "REWORK_PACK",
                "rework_pack",
                "no failing check",
                "/failing_checks",
                JSON.createArrayNode(),
                "INVALID_VALUE"),
            new Case(
                "REWORK_PACK",
                "rework_pack",
                "unknown check",
                "/failing_checks/0/check",
                "VIBES",
                "UNKNOWN_ENUM_VALUE"),
            new Case(
                "REWORK_PACK",
                "rework_pack",
                "thread id omitted",
                "/thread_id",
                REMOVE,
                "MISSING_FIELD"),
            new Case(
                "REWORK_PACK",
                "rework_pack",
                "number for a thread id",
                "/thread_id",
                7,
                "WRONG_TYPE"))
        .map(c -> Arguments.of(c.kind() + ": " + c.name(), c));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("violations")
  void eachViolationIsRefusedWithItsPointer(String name, Case c) throws Exception {
    ObjectNode doc = (ObjectNode) JSON.readTree(example(c.example() + ".example.json"));
    set(doc, c.pointer(), c.value());
    Protocol.Kind kind = Protocol.Kind.valueOf(c.kind());
    String json = JSON.writeValueAsString(doc);
    assertThatThrownBy(() -> Protocol.parse(kind, json, Object.class))
        .isInstanceOf(ProtocolException.class)
        .satisfies(
            e -> {
              ProtocolException p = (ProtocolException) e;
              String expectedPointer =
                  c.name().equals("tier3 without contract") ? "/contract_ref" : c.pointer();
              assertThat(p.errors())
                  .as(p.getMessage())
                  .anySatisfy(
                      err -> {
                        assertThat(err.pointer()).isEqualTo(expectedPointer);
                        assertThat(err.code()).isEqualTo(c.code());
                      });
            });
  }

  @Test
  void syntaxErrorsAndDuplicateKeysAreRefusedWithALocation() throws Exception {
    assertThatThrownBy(() -> Protocol.parseStepResult("{\"schema\": "))
        .isInstanceOf(ProtocolException.class)
        .satisfies(e -> assertThat(((ProtocolException) e).isSyntaxError()).isTrue())
        .hasMessageContaining("line 1");
    String duplicated =
        example("step_result.example.json")
            .replaceFirst("\"result\": \"PASS\",", "\"result\": \"PASS\", \"result\": \"FAIL\",");
    assertThatThrownBy(() -> Protocol.parseStepResult(duplicated))
        .hasMessageContaining("JSON_SYNTAX")
        .hasMessageContaining("has a duplicate member at line");
    assertThatThrownBy(() -> Protocol.parseStepPack("")).hasMessageContaining("JSON_SYNTAX");
  }

  @Test
  void everyErrorIsReportedNotJustTheFirst() throws Exception {
    ObjectNode doc = (ObjectNode) JSON.readTree(example("step_pack.example.json"));
    doc.put("tier", "tier9");
    doc.remove("objective");
    doc.put("extra", 1);
    ProtocolException e =
        org.junit.jupiter.api.Assertions.assertThrows(
            ProtocolException.class, () -> Protocol.parseStepPack(JSON.writeValueAsString(doc)));
    assertThat(e.errors())
        .extracting(ProtocolError::pointer)
        .contains("/tier", "/objective", "/extra");
  }

  @Test
  void recordsBuiltInCodeAreValidatedToo() throws Exception {
    StepPack pack = Protocol.parseStepPack(example("step_pack.example.json"));
    StepPack bad = pack.withLimits(new Limits(0, 1, 16));
    assertThatThrownBy(() -> Protocol.validate(Protocol.Kind.STEP_PACK, bad))
        .hasMessageContaining("/limits/max_runtime_sec");
    StepResult synthesized =
        StepResult.synthesized("r", "T-1", "S1", "SILENCE", "no output for 30 s", null);
    assertThat(Protocol.validate(Protocol.Kind.STEP_RESULT, synthesized)).isEqualTo(synthesized);
  }

  @Test
  void aStepsBudgetIsOptionalAndTravelsWithThePack() throws Exception {
    StepPack pack = Protocol.parseStepPack(example("step_pack.example.json"));
    assertThat(pack.limits().hasBudget()).isFalse();
    assertThat(Protocol.toJson(pack)).doesNotContain("max_tokens");

    StepPack budgeted = pack.withLimits(pack.limits().withBudget(50_000L, 0.75, 12));
    String json = Protocol.toJson(Protocol.validate(Protocol.Kind.STEP_PACK, budgeted));
    assertThat(json)
        .contains("\"max_tokens\" : 50000", "\"max_cost_usd\" : 0.75", "\"max_turns\" : 12");
    assertThat(Protocol.parseStepPack(json)).isEqualTo(budgeted);

    ObjectNode doc = (ObjectNode) JSON.readTree(json);
    ((ObjectNode) doc.get("limits")).put("max_cost_usd", 0);
    ((ObjectNode) doc.get("limits")).put("max_turns", 0);
    ((ObjectNode) doc.get("limits")).put("max_tokens", "many");
    ProtocolException e =
        org.junit.jupiter.api.Assertions.assertThrows(
            ProtocolException.class, () -> Protocol.parseStepPack(JSON.writeValueAsString(doc)));
    assertThat(e.errors())
        .extracting(ProtocolError::pointer)
        .contains("/limits/max_cost_usd", "/limits/max_turns", "/limits/max_tokens");
  }

  static void set(ObjectNode doc, String pointer, Object value) {
    JsonPointer p = JsonPointer.compile(pointer);
    ContainerNode<?> parent = (ContainerNode<?>) doc.at(p.head());
    String last = p.last().getMatchingProperty();
    if (parent instanceof ObjectNode o) {
      if (value == REMOVE) {
        o.remove(last);
      } else {
        o.set(last, JSON.valueToTree(value));
      }
    } else {
      ArrayNode a = (ArrayNode) parent;
      int index = p.last().getMatchingIndex();
      if (value == REMOVE) {
        a.remove(index);
      } else {
        a.set(index, (JsonNode) JSON.valueToTree(value));
      }
    }
  }
}
