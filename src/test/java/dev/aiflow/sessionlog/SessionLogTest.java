package dev.aiflow.sessionlog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SessionLogTest {

  @TempDir Path dir;

  static SessionLog.Entry entry(String kind, String task) {
    return new SessionLog.Entry(kind, "p", "c1", "pi1", task, "RUN-1", Map.of("verdict", "PASS"));
  }

  @Test
  void appendsAreNumberedAndReadBackInOrder() {
    SessionLog log = new SessionLog(dir.resolve("s/session_log.jsonl"));
    log.append(entry("task_selected", "T-1"));
    log.append(entry("qa_verdict", "T-1"));
    SessionLog.Contents c = log.read();
    assertThat(c.events()).extracting(SessionEvent::seq).containsExactly(1L, 2L);
    assertThat(c.events())
        .extracting(SessionEvent::kind)
        .containsExactly("task_selected", "qa_verdict");
    assertThat(c.events().get(1).details()).containsEntry("verdict", "PASS");
    assertThat(c.problems()).isEmpty();
  }

  @Test
  void aTornLastLineIsReportedAndTheNextAppendStartsClean() throws Exception {
    SessionLog log = new SessionLog(dir.resolve("session_log.jsonl"));
    log.append(entry("task_selected", "T-1"));
    Files.writeString(log.file(), "{\"schema\":\"aiflow.sess", StandardOpenOption.APPEND);
    assertThat(log.read().problems()).hasSize(1);

    SessionEvent next = log.append(entry("dispatch", "T-1"));
    assertThat(next.seq()).isEqualTo(2);
    SessionLog.Contents c = log.read();
    assertThat(c.events())
        .extracting(SessionEvent::kind)
        .containsExactly("task_selected", "dispatch");
    assertThat(c.problems()).singleElement().asString().startsWith("line 2:");
  }

  @Test
  void unknownKindsAreRefused() {
    SessionLog log = new SessionLog(dir.resolve("session_log.jsonl"));
    assertThatThrownBy(() -> log.append(entry("made_up", null)))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(log.file()).doesNotExist();
  }

  @Test
  void replayPrintsATimelineFilteredByTask() {
    SessionLog log = new SessionLog(dir.resolve("session_log.jsonl"));
    log.append(entry("task_selected", "T-1"));
    log.append(entry("task_selected", "T-2"));
    log.append(entry("rollback", "T-1"));
    StringWriter out = new StringWriter();
    int n = Replay.print(log.read(), "T-1", null, new PrintWriter(out, true));
    assertThat(n).isEqualTo(2);
    assertThat(out.toString().lines())
        .hasSize(2)
        .allMatch(l -> l.contains("T-1") && l.contains("run=RUN-1"));
    assertThat(out.toString()).contains("rollback").doesNotContain("T-2");
    assertThat(Replay.summary(log.read().events())).isEqualTo("rollback=1, task_selected=2");
  }

  static SessionLog.Entry keyed(String task, String key, String other) {
    return new SessionLog.Entry(
        "task_selected", "p", "c1", "pi1", task, "RUN-1", Map.of("key", key, "note", other));
  }

  @Test
  void aRetriedKeyedAppendReturnsTheFirstEventEvenWithOthersAfterIt() {
    SessionLog log = new SessionLog(dir.resolve("session_log.jsonl"));
    SessionEvent first = log.append(keyed("T-1", "select:T-1", "-"));
    for (int i = 0; i < 50; i++) {
      // other events, some naming the key in another detail or as a key's prefix
      log.append(keyed("T-" + i, "select:T-1:" + i, i % 2 == 0 ? "select:T-1" : "-"));
    }
    SessionEvent again = log.append(keyed("T-1", "select:T-1", "-"));
    assertThat(again).isEqualTo(first);
    assertThat(log.read().events()).hasSize(51);
    // a key seen only as another detail's value is not taken for an appended one
    SessionEvent fresh = log.append(keyed("T-9", "-", "-"));
    assertThat(fresh.seq()).isEqualTo(52);
    assertThat(log.append(keyed("T-9", "-", "x")).seq()).isEqualTo(52);
  }

  @Test
  void aLogLongerThanTheWindowKeepsItsNumbersItsKeysAndItsTornLastLine() throws Exception {
    Path file = dir.resolve("session_log.jsonl");
    SessionLog log = new SessionLog(file);
    int n = 0;
    while (!Files.exists(file) || Files.size(file) < 3 * 64 * 1024) {
      n++;
      log.append(keyed("T-" + n, "k:" + n, "x".repeat(n % 7 == 0 ? 300 : 10)));
    }
    // the last events are in the window, the first ones long before it
    assertThat(log.append(keyed("T-again", "k:" + n, "-")).seq()).isEqualTo(n);
    assertThat(log.append(keyed("T-again", "k:" + (n - 5), "-")).seq()).isEqualTo(n - 5);
    assertThat(log.append(keyed("T-new", "k:new", "-")).seq()).isEqualTo(n + 1);
    // a key only before the last 64 KiB is not looked for (docs/session-log.md): a new line
    assertThat(log.append(keyed("T-old", "k:1", "-")).seq()).isEqualTo(n + 2);

    // a torn last line, holding a key's text: skipped, the numbers go on after the last whole line
    Files.writeString(
        file, "{\"seq\":999,\"details\":{\"key\":\"k:torn\"", StandardOpenOption.APPEND);
    assertThat(log.append(keyed("T-torn", "k:torn", "-")).seq()).isEqualTo(n + 3);
    assertThat(log.append(keyed("T-torn", "k:torn", "-")).seq()).isEqualTo(n + 3);
    assertThat(log.read().events()).hasSize(n + 3);
  }
}
