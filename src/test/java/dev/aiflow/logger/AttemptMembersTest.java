package dev.aiflow.logger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.erdtman.jcs.JsonCanonicalizer;
import org.junit.jupiter.api.Test;

/**
 * The direct writer of an attempt's members against two references: the Jackson tree the logger
 * built before (canonicalised by {@link CanonicalJson}, itself checked against RFC 8785 vectors),
 * and an independent RFC 8785 implementation over the whole encoded event.
 */
class AttemptMembersTest {

  /** Characters that exercise escaping, sorting by UTF-16 code units and surrogate pairs. */
  private static final String[] PIECES = {
    "a",
    "Z",
    "_",
    "0",
    "é",
    "€",
    "\ufb33",
    "\ud83d\ude00",
    "\"",
    "\\",
    "\n",
    "\r",
    "\t",
    "\b",
    "\f",
    "\u0000",
    "\u001f",
    "\u007f",
    "\u2028",
    "/",
    " ",
    "<",
    "code_",
    "r",
    "s",
    "usage"
  };

  @Test
  void generatedAttemptsEncodeExactlyAsTheirTreeAndAsAnIndependentCanonicaliser() throws Exception {
    Random random = new Random(8785);
    for (int n = 0; n < 2_000; n++) {
      AttemptRecord a = randomAttempt(random, n);
      AttemptMembers.ContentRef ref =
          a.codeContent() != null && random.nextInt(3) == 0
              ? new AttemptMembers.ContentRef(
                  "artifacts/code_content_R" + a.r() + "_S" + a.s() + ".txt",
                  DurableFiles.sha256Hex(a.codeContent().getBytes(StandardCharsets.UTF_8)),
                  a.codeContent().getBytes(StandardCharsets.UTF_8).length)
              : null;

      EventEncoder.Members direct = AttemptMembers.of(a, ref);
      EventEncoder.Members viaTree = EventEncoder.members(tree(a, ref));
      assertThat(direct.keys()).as("attempt %d keys", n).containsExactly(viaTree.keys());
      assertThat(direct.texts()).as("attempt %d members", n).containsExactly(viaTree.texts());

      // the whole event as the store writes it, against an independent implementation
      Map<String, Object> envelope = new HashMap<>();
      envelope.put(EventFields.SCHEMA_VERSION, EventFields.SCHEMA);
      envelope.put(EventFields.PROJECT_ID, "p");
      envelope.put(EventFields.SEQ, (long) n + 2);
      envelope.put(EventFields.EVENT_TYPE, EventFields.TYPE_ATTEMPT);
      envelope.put(EventFields.TASK_ID, a.taskId());
      envelope.put(EventFields.TASK_SEQ, (long) n + 1);
      envelope.put(EventFields.PREV_EVENT_HASH, EventFields.GENESIS);
      envelope.put(EventFields.PROJECT_PREV_EVENT_HASH, EventFields.GENESIS);
      envelope.put(EventFields.RECORDED_AT, "2026-12-01T20:00:00.123Z");
      EventEncoder.Encoded encoded =
          EventEncoder.encode(EventEncoder.scalars(envelope), direct, DurableFiles.sha256());
      String text = new String(encoded.text(), StandardCharsets.UTF_8);
      assertThat(new JsonCanonicalizer(text).getEncodedString())
          .as("attempt %d", n)
          .isEqualTo(text);
      assertThat(CanonicalJson.canonicalize(text)).isEqualTo(text);
    }
  }

  @Test
  void theFewestMembersAnAttemptCanHave() {
    AttemptRecord a = AttemptRecord.builder("T-1").result("PASS").reasonCode("OK").build();
    EventEncoder.Members m = AttemptMembers.of(a, null);
    assertThat(String.join(",", m.texts()))
        .isEqualTo(
            "\"acceptance_snapshot\":[],\"executed_commands\":[],\"executed_files\":[],"
                + "\"r\":0,\"reason_code\":\"OK\",\"result\":\"PASS\",\"s\":0");
  }

  @Test
  void anUnpairedSurrogateIsRefusedAsTheTreePathRefusedIt() {
    AttemptRecord a =
        AttemptRecord.builder("T-1").result("PASS").reasonCode("OK").testResults("x\ud800").build();
    assertThatThrownBy(() -> AttemptMembers.of(a, null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("unpaired surrogate");
    assertThatThrownBy(() -> EventEncoder.members(tree(a, null)))
        .isInstanceOf(IllegalArgumentException.class);
  }

  private static AttemptRecord randomAttempt(Random random, int n) {
    AttemptRecord.Builder b =
        AttemptRecord.builder("T-" + n)
            .pointer(random.nextInt(5), random.nextInt(50))
            .result(List.copyOf(WorkflowLogger.RESULTS).get(random.nextInt(5)))
            .reasonCode(text(random));
    if (random.nextBoolean()) {
      b.acceptanceSnapshot(texts(random));
    }
    if (random.nextBoolean()) {
      b.executedFiles(texts(random));
    }
    if (random.nextBoolean()) {
      b.executedCommands(texts(random));
    }
    b.codeChangeSummary(maybe(random));
    b.codeArtifactRef(maybe(random));
    b.codeContent(maybe(random));
    b.testResults(maybe(random));
    b.reasonDetail(maybe(random));
    b.nextAction(maybe(random));
    b.idempotencyKey(maybe(random));
    b.revisionKey(maybe(random));
    if (random.nextBoolean()) {
      b.engine(new EngineCorrelation(maybe(random), maybe(random), maybe(random), maybe(random)));
    }
    if (random.nextBoolean()) {
      Map<String, String> context = new HashMap<>();
      for (int i = random.nextInt(5); i > 0; i--) {
        context.put(text(random), text(random));
      }
      b.context(context);
    }
    if (random.nextBoolean()) {
      Map<String, Object> usage = new HashMap<>();
      for (int i = random.nextInt(6); i > 0; i--) {
        Object v =
            switch (random.nextInt(4)) {
              case 0 -> text(random);
              case 1 -> random.nextBoolean();
              case 2 -> random.nextInt();
              default -> (random.nextLong() % (1L << 53));
            };
        usage.put(text(random), v);
      }
      b.usage(usage);
    }
    return b.build();
  }

  private static String maybe(Random random) {
    return random.nextInt(3) == 0 ? null : text(random);
  }

  private static List<String> texts(Random random) {
    List<String> out = new ArrayList<>();
    for (int i = random.nextInt(4); i > 0; i--) {
      out.add(text(random));
    }
    return out;
  }

  private static String text(Random random) {
    StringBuilder s = new StringBuilder();
    for (int i = random.nextInt(8); i > 0; i--) {
      s.append(PIECES[random.nextInt(PIECES.length)]);
    }
    return s.toString();
  }

  /** The attempt's payload as a tree, exactly as the logger built it before the direct writer. */
  static ObjectNode tree(AttemptRecord a, AttemptMembers.ContentRef ref) {
    ObjectNode p = CanonicalJson.STRICT_MAPPER.createObjectNode();
    p.put(EventFields.R, a.r());
    p.put(EventFields.S, a.s());
    strings(p.putArray("acceptance_snapshot"), a.acceptanceSnapshot());
    putIfSet(p, "code_change_summary", a.codeChangeSummary());
    putIfSet(p, "code_artifact_ref", a.codeArtifactRef());
    if (ref != null) {
      p.putObject(EventFields.CODE_CONTENT_REF)
          .put("path", ref.path())
          .put("sha256", ref.sha256())
          .put("bytes", (int) ref.bytes());
    } else {
      putIfSet(p, EventFields.CODE_CONTENT, a.codeContent());
    }
    strings(p.putArray("executed_files"), a.executedFiles());
    strings(p.putArray("executed_commands"), a.executedCommands());
    putIfSet(p, "test_results", a.testResults());
    p.put("result", a.result());
    p.put("reason_code", a.reasonCode());
    putIfSet(p, "reason_detail", a.reasonDetail());
    putIfSet(p, "next_action", a.nextAction());
    if (!a.engine().isEmpty()) {
      ObjectNode engine = p.putObject("engine");
      putIfSet(engine, "process_instance_id", a.engine().processInstanceId());
      putIfSet(engine, "activity_instance_id", a.engine().activityInstanceId());
      putIfSet(engine, "activity_id", a.engine().activityId());
      putIfSet(engine, "external_task_id", a.engine().externalTaskId());
    }
    putIfSet(p, EventFields.IDEMPOTENCY_KEY, a.idempotencyKey());
    putIfSet(p, EventFields.REVISION_KEY, a.revisionKey());
    if (!a.context().isEmpty()) {
      ObjectNode context = p.putObject("context");
      a.context().forEach(context::put);
    }
    if (!a.usage().isEmpty()) {
      ObjectNode usage = p.putObject("usage");
      a.usage()
          .forEach(
              (k, v) -> {
                if (v instanceof String t) {
                  usage.put(k, t);
                } else if (v instanceof Boolean bool) {
                  usage.put(k, bool);
                } else {
                  usage.put(k, ((Number) v).longValue());
                }
              });
    }
    return p;
  }

  private static void putIfSet(ObjectNode node, String name, String value) {
    if (value != null) {
      node.put(name, value);
    }
  }

  private static void strings(ArrayNode array, List<String> values) {
    values.forEach(array::add);
  }
}
