package dev.aiflow.triage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** task_queue.json read strictly, with pointers to what is wrong, and written back losslessly. */
class QueueCodecTest {

  static final Instant NOW = Instant.parse("2026-11-23T12:00:00Z");

  @Test
  void aMinimalQueueGetsItsDefaults() {
    TaskQueue q = QueueCodec.parse("{\"tasks\": [{\"key\": \"T-1\"}]}", NOW);
    QueueTask t = q.require("T-1");
    assertThat(t.title()).isEqualTo("T-1");
    assertThat(t.priority()).isEqualTo(2);
    assertThat(t.status()).isEqualTo(TaskStatus.PENDING);
    assertThat(t.attempts()).isZero();
    assertThat(t.createdAt()).isEqualTo(NOW);
    assertThat(q.maxAttempts()).isEqualTo(TaskQueue.DEFAULT_MAX_ATTEMPTS);
  }

  @Test
  void unknownMembersSurviveARewriteAndTheRoundTripIsExact() {
    String text =
        "{\"schema_version\": 1, \"owner\": \"team-a\", \"tasks\": [{\"key\": \"T-1\", \"title\": \"x\","
            + " \"priority\": 1, \"status\": \"in_progress\", \"attempts\": 1, \"claimed_by\": \"run:r\","
            + " \"created_at\": \"2026-11-01T00:00:00Z\", \"notes\": {\"ticket\": 42},"
            + " \"plan\": {\"allowed_paths\": [\"src/a.txt\"], \"acceptance_criteria\": [\"works\"]}}]}";
    TaskQueue q = QueueCodec.parse(text, NOW);
    String written = QueueCodec.toJson(q);
    assertThat(written).contains("\"owner\" : \"team-a\"").contains("\"ticket\" : 42");
    assertThat(QueueCodec.parse(written, NOW)).isEqualTo(q);
    assertThat(q.require("T-1").plan().allowedPaths()).containsExactly("src/a.txt");
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "[1, 2]                                                       | '' | a JSON object",
        "{}                                                           | /tasks | required",
        "{\"tasks\": {}}                                              | /tasks | required: an array",
        "{\"schema_version\": 2, \"tasks\": []}                       | /schema_version | not supported",
        "{\"max_attempts\": 0, \"tasks\": []}                         | /max_attempts | at least 1",
        "{\"tasks\": [7]}                                             | /tasks/0 | a task is a JSON object",
        "{\"tasks\": [{\"title\": \"x\"}]}                            | /tasks/0/key | required",
        "{\"tasks\": [{\"key\": \"../x\"}]}                           | /tasks/0/key | not a valid task key",
        "{\"tasks\": [{\"key\": \"A\", \"priority\": \"high\"}]}      | /tasks/0/priority | must be an integer",
        "{\"tasks\": [{\"key\": \"A\", \"priority\": -1}]}            | /tasks/0/priority | 0 (most urgent) or more",
        "{\"tasks\": [{\"key\": \"A\", \"status\": \"done\"}]}        | /tasks/0/status | must be one of pending",
        "{\"tasks\": [{\"key\": \"A\", \"status\": \"in_progress\"}]} | /tasks/0/claimed_by | names who holds it",
        "{\"tasks\": [{\"key\": \"A\", \"attempts\": -1}]}            | /tasks/0/attempts | cannot be negative",
        "{\"tasks\": [{\"key\": \"A\", \"created_at\": \"monday\"}]}  | /tasks/0/created_at | must be an ISO-8601 instant",
        "{\"tasks\": [{\"key\": \"A\"}, {\"key\": \"A\"}]}            | /tasks/1/key | a duplicate key (the same as /tasks/0/key)",
        "{\"tasks\": [{\"key\": \"A\", \"depends_on\": [\"B\"]}]}     | /tasks/0/depends_on/0 | names no task of this queue",
        "{\"tasks\": [{\"key\": \"A\", \"depends_on\": [\"A\"]}]}     | /tasks/0/depends_on/0 | cannot depend on itself",
        "{\"tasks\": [{\"key\": \"A\", \"depends_on\": [\"B\"]}, {\"key\": \"B\", \"depends_on\": [\"C\"]}, {\"key\": \"C\", \"depends_on\": [\"A\"]}]} | /tasks/0/depends_on | a dependency cycle: /tasks/0 -> /tasks/1 -> /tasks/2 -> /tasks/0",
        "{\"tasks\": [{\"key\": \"X\"}, {\"key\": \"A\", \"depends_on\": [\"X\", \"B\"]}, {\"key\": \"B\", \"depends_on\": [\"A\"]}]} | /tasks/1/depends_on | a dependency cycle: /tasks/1 -> /tasks/2 -> /tasks/1",
        "{\"tasks\": [{\"key\": \"A\", \"plan\": {\"paths\": []}}]}   | /tasks/0/plan | member 1 is not a plan member",
        "{\"tasks\": [                                                | '' | ends before the document is complete at line 1",
        "{\"tasks\": [{\"key\": \"A\", \"key\": \"B\"}]}            | '' | has a duplicate member at line 1",
        "{\"tasks\": []} {\"tasks\": []}                              | '' | has content after the JSON document",
        "{\"tasks\": [{\"key\": \"A\", \"priority\": 1.5}]}          | /tasks/0/priority | must be an integer",
        "{\"tasks\": [{\"key\": \"A\", \"priority\": 1.0}]}          | /tasks/0/priority | must be an integer",
        "{\"tasks\": [{\"key\": \"A\", \"priority\": null}]}         | /tasks/0/priority | not null",
        "{\"tasks\": [{\"key\": \"A\", \"title\": 12}]}             | /tasks/0/title | must be a string",
        "{\"tasks\": [{\"key\": \"a:b\"}]}                          | /tasks/0/key | not a valid task key"
      })
  void aBrokenQueueIsRefusedWithThePointerToTheProblem(
      String json, String pointer, String message) {
    assertThatThrownBy(() -> QueueCodec.parse(json, NOW))
        .isInstanceOfSatisfying(
            QueueFormatException.class, e -> assertThat(e.pointer()).isEqualTo(pointer))
        .hasMessageContaining(message);
  }

  @Test
  void aTasksOwnEscalationSettingIsABooleanKeptWithTheTask() {
    TaskQueue q =
        QueueCodec.parse(
            "{\"tasks\": [{\"key\": \"A\", \"escalate_exhausted_rework\": true},"
                + " {\"key\": \"B\"}]}",
            NOW);
    assertThat(q.require("A").escalateExhaustedRework()).contains(true);
    assertThat(q.require("B").escalateExhaustedRework()).isEmpty();
    assertThat(QueueCodec.toJson(q)).contains("\"escalate_exhausted_rework\" : true");
    assertThatThrownBy(
            () ->
                QueueCodec.parse(
                    "{\"tasks\": [{\"key\": \"A\", \"escalate_exhausted_rework\": \"yes\"}]}", NOW))
        .isInstanceOf(QueueFormatException.class)
        .hasMessageContaining("/tasks/0/escalate_exhausted_rework")
        .hasMessageContaining("true or false");
  }

  @Test
  void aQueueStartingWithAByteOrderMarkIsRefused() {
    assertThatThrownBy(() -> QueueCodec.parse("\uFEFF{\"tasks\": []}", NOW))
        .hasMessageContaining("byte-order mark");
  }

  @Test
  void noMessageQuotesTheDocument() {
    // a file named as a queue may hold a secret: what is wrong and where, never the bytes
    String secret = "k" + java.util.UUID.randomUUID().toString().replace("-", "");
    for (String doc :
        List.of(
            secret,
            "{\"tasks\": [{\"key\": \"" + secret + ":x\"}]}",
            "{\"tasks\": [{\"key\": \"A\", \"status\": \"" + secret + "\"}]}",
            "{\"tasks\": [{\"key\": \"A\", \"created_at\": \"" + secret + "\"}]}",
            "{\"tasks\": [{\"key\": \"A\", \"depends_on\": [\"" + secret + "\"]}]}",
            "{\"tasks\": [{\"key\": \"A\", \"plan\": {\"" + secret + "\": 1}}]}",
            "{\"tasks\": [{\"key\": \"" + secret + "\"}, {\"key\": \"" + secret + "\"}]}",
            "{\"tasks\": [" + secret + "]}")) {
      assertThatThrownBy(() -> QueueCodec.parse(doc, NOW))
          .isInstanceOf(QueueFormatException.class)
          .satisfies(
              e -> assertThat(e.getMessage()).doesNotContain(secret).doesNotContain("s3cr3t"));
    }
  }

  @Test
  void theSameBytesAreParsedOnceButAQueueThatReadsTheClockEveryTime() {
    String dated =
        "{\"tasks\": [{\"key\": \"T-1\", \"created_at\": \"2026-11-01T00:00:00Z\","
            + " \"notes\": {\"ticket\": 42}}]}";
    TaskQueue first = QueueCodec.parse(dated, NOW);
    assertThat(QueueCodec.parse(dated, NOW.plusSeconds(60))).isSameAs(first);
    // what a caller does with a written tree does not reach the queue handed out again
    var tree = QueueCodec.toTree(first);
    ((com.fasterxml.jackson.databind.node.ObjectNode) tree.get("tasks").get(0).get("notes"))
        .put("ticket", 7);
    assertThat(QueueCodec.toJson(QueueCodec.parse(dated, NOW))).contains("\"ticket\" : 42");

    // no created_at: its default is the time of each read, so nothing is kept
    String undated = "{\"tasks\": [{\"key\": \"T-1\"}]}";
    assertThat(QueueCodec.parse(undated, NOW).require("T-1").createdAt()).isEqualTo(NOW);
    assertThat(QueueCodec.parse(undated, NOW.plusSeconds(60)).require("T-1").createdAt())
        .isEqualTo(NOW.plusSeconds(60));
    // a document that does not parse is refused every time, never remembered
    assertThatThrownBy(() -> QueueCodec.parse("{\"tasks\": 1}", NOW))
        .isInstanceOf(QueueFormatException.class);
    assertThatThrownBy(() -> QueueCodec.parse("{\"tasks\": 1}", NOW))
        .isInstanceOf(QueueFormatException.class);
  }

  @Test
  void aQueueIsHandedOutAgainOnlyForTheSameBytesNotForADocumentOfTheSameLength() {
    String text = "{\"tasks\": [{\"key\": \"T-1\", \"created_at\": \"2026-11-01T00:00:00Z\"}]}";
    byte[] a = text.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    TaskQueue parsed = QueueCodec.parse(a, NOW);
    // another valid document of the same length, remembered too: each read gets its own queue
    byte[] b = text.replace("T-1", "T-2").getBytes(java.nio.charset.StandardCharsets.UTF_8);
    assertThat(b).hasSameSizeAs(a);
    TaskQueue other = QueueCodec.parse(b, NOW);
    assertThat(other.tasks().get(0).key()).isEqualTo("T-2");
    assertThat(QueueCodec.parse(a.clone(), NOW)).isSameAs(parsed);
    assertThat(QueueCodec.parse(b.clone(), NOW)).isSameAs(other);
    // a document of the same length that differs only in its last byte is parsed, and refused
    byte[] c = a.clone();
    c[c.length - 1] = ' ';
    assertThatThrownBy(() -> QueueCodec.parse(c, NOW)).isInstanceOf(QueueFormatException.class);
    assertThat(QueueCodec.parse(a.clone(), NOW)).isSameAs(parsed);
  }

  /**
   * The queue's text is put together from its tasks' remembered text (QueueCodec.toJson): it must
   * be byte for byte what Jackson writes for the whole tree, for any task, before and after an
   * update that keeps most tasks, with two queues written in turn.
   */
  @Test
  void theQueueIsWrittenExactlyAsItsWholeTreeWhateverItsTasksHold() throws Exception {
    java.util.Random random = new java.util.Random(21);
    TaskQueue a = randomQueue(random, "A", 1 + random.nextInt(30));
    TaskQueue b = randomQueue(random, "B", 1 + random.nextInt(30));
    for (int round = 0; round < 400; round++) {
      for (TaskQueue q : List.of(a, b)) {
        String expected = QueueCodec.JSON.writeValueAsString(QueueCodec.toTree(q));
        assertThat(QueueCodec.toJson(q)).isEqualTo(expected);
        assertThat(QueueCodec.toBytes(q))
            .isEqualTo((expected + "\n").getBytes(java.nio.charset.StandardCharsets.UTF_8));
        // read back (new task objects, so encoded afresh), it is written as the same text
        assertThat(QueueCodec.toJson(QueueCodec.parse(expected, NOW))).isEqualTo(expected);
      }
      // as a campaign's steps do: one task changes, the others are the same objects, written
      // straight away (their remembered bytes reused)
      a = a.replace(randomTask(random, a.tasks().get(random.nextInt(a.tasks().size())).key()));
      assertThat(QueueCodec.toBytes(a))
          .isEqualTo(
              (QueueCodec.JSON.writeValueAsString(QueueCodec.toTree(a)) + "\n")
                  .getBytes(java.nio.charset.StandardCharsets.UTF_8));
      if (round % 50 == 49) {
        b = randomQueue(random, "B" + round, 1 + random.nextInt(30));
      }
    }
  }

  @Test
  void aQueueWithoutTasksAndOneWithMembersAroundThemAreWrittenAsTheirTrees() throws Exception {
    java.util.Random random = new java.util.Random(7);
    TaskQueue empty = new TaskQueue(1, 3, List.of(), extraMembers(random));
    assertThat(QueueCodec.toJson(empty))
        .isEqualTo(QueueCodec.JSON.writeValueAsString(QueueCodec.toTree(empty)));
    // a member that holds the stand-in's text itself cannot take the tasks' place
    var extra = QueueCodec.JSON.createObjectNode();
    extra.put("aaa", "\u0000aiflow:tasks\u0000");
    extra.putArray("zzz").add("\u0000aiflow:tasks\u0000");
    extra.putArray("max_attempts").add("\u0000aiflow:tasks\u0000");
    TaskQueue tricky = new TaskQueue(1, 3, List.of(randomTask(random, "T-1")), extra);
    assertThat(QueueCodec.toJson(tricky))
        .isEqualTo(QueueCodec.JSON.writeValueAsString(QueueCodec.toTree(tricky)));
  }

  private static TaskQueue randomQueue(java.util.Random random, String prefix, int size) {
    List<QueueTask> tasks = new java.util.ArrayList<>();
    for (int i = 0; i < size; i++) {
      tasks.add(randomTask(random, prefix + "-" + i));
    }
    return new TaskQueue(
        1, 1 + random.nextInt(4), tasks, random.nextBoolean() ? extraMembers(random) : null);
  }

  private static QueueTask randomTask(java.util.Random random, String key) {
    TaskPlan plan =
        random.nextBoolean()
            ? null
            : new TaskPlan(
                random.nextBoolean() ? text(random) : null,
                texts(random),
                texts(random),
                texts(random),
                texts(random),
                random.nextBoolean() ? text(random) : null);
    Instant created = NOW.minusSeconds(random.nextInt(100_000)).plusNanos(random.nextInt(1000));
    TaskStatus status = TaskStatus.values()[random.nextInt(TaskStatus.values().length)];
    return new QueueTask(
        key,
        text(random),
        random.nextInt(5),
        status,
        random.nextInt(4),
        random.nextBoolean() ? 1 + random.nextInt(5) : null,
        List.of(),
        created,
        created.plusMillis(random.nextInt(10_000)),
        random.nextBoolean() ? text(random) : null,
        status == TaskStatus.IN_PROGRESS ? "campaign:" + text(random) : null,
        plan,
        random.nextInt(3) == 0 ? extraMembers(random) : null);
  }

  private static com.fasterxml.jackson.databind.node.ObjectNode extraMembers(
      java.util.Random random) {
    var o = QueueCodec.JSON.createObjectNode();
    int n = random.nextInt(4);
    for (int i = 0; i < n; i++) {
      switch (random.nextInt(5)) {
        case 0 -> o.put("x-" + text(random), text(random));
        case 1 -> o.put("n" + i, random.nextLong());
        case 2 -> o.putObject("nested" + i).put("deep", text(random)).putArray("list").add(1.5);
        case 3 -> o.putObject("empty" + i);
        default -> o.putArray("array" + i).add(text(random)).addObject().put("k", i);
      }
    }
    return o;
  }

  private static List<String> texts(java.util.Random random) {
    List<String> out = new java.util.ArrayList<>();
    for (int i = random.nextInt(3); i > 0; i--) {
      out.add(text(random));
    }
    return out;
  }

  /** Text with what needs escaping: quotes, backslashes, control characters, non-ASCII. */
  private static String text(java.util.Random random) {
    String[] parts = {
      "a", "Z", " ", "\"", "\\", "\n", "\t", "\u0001", "\u001f", "é", "\u2028", "😀", "/", "{", "]"
    };
    StringBuilder sb = new StringBuilder("t"); // never blank: a queue refuses blank text
    for (int i = random.nextInt(12); i >= 0; i--) {
      sb.append(parts[random.nextInt(parts.length)]);
    }
    return sb.toString();
  }
}
