package dev.aiflow.logger;

import static dev.aiflow.logger.Attempts.attempt;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Any change, deletion, reordering or insertion of an event is found and named. */
class TamperDetectionTest {

  static final String PROJECT = "events.jsonl";
  static final String TASK = "tasks/T-1/events.jsonl";

  @TempDir Path root;
  Path dir;

  @BeforeEach
  void buildProject() {
    WorkflowLogger.init(root, "p");
    try (WorkflowLogger log = WorkflowLogger.open(root, "p")) {
      log.logAttempt(attempt("T-1", 0, 0));
      log.logAttempt(attempt("T-2", 0, 0));
      log.logAttempt(attempt("T-1", 0, 1));
      log.logAttempt(attempt("T-1", 1, 0));
      log.closeTask("T-1", "accepted", "done");
    }
    dir = root.resolve("p");
    assertThat(verify().ok()).isTrue();
  }

  static Stream<Arguments> everyLineOfBothChains() {
    return Stream.concat(
        IntStream.rangeClosed(1, 6).mapToObj(i -> Arguments.of(PROJECT, i)),
        IntStream.rangeClosed(1, 4).mapToObj(i -> Arguments.of(TASK, i)));
  }

  @ParameterizedTest(name = "{0} line {1}: every 5th byte changed in turn")
  @MethodSource("everyLineOfBothChains")
  void changingAnyByteOfAnEventIsFoundAtThatLine(String file, int line) throws Exception {
    List<String> original = lines(file);
    byte[] bytes = original.get(line - 1).getBytes(StandardCharsets.UTF_8);
    for (int i = 0; i < bytes.length; i += 5) {
      byte[] changed = bytes.clone();
      changed[i] = (byte) (changed[i] == 'x' ? 'y' : 'x');
      List<String> tampered = new ArrayList<>(original);
      tampered.set(line - 1, new String(changed, StandardCharsets.ISO_8859_1));
      write(file, tampered, true);
      VerificationReport report = verify();
      assertThat(report.ok()).as("byte %d of %s line %d", i, file, line).isFalse();
      assertThat(report.firstProblem().file()).isEqualTo(file);
      assertThat(report.firstProblem().line()).isEqualTo(line);
    }
    write(file, original, false);
    assertThat(verify().ok()).isTrue();
  }

  @ParameterizedTest(name = "{0} line {1} deleted")
  @MethodSource("everyLineOfBothChains")
  void deletingALineIsFound(String file, int line) throws Exception {
    List<String> tampered = new ArrayList<>(lines(file));
    tampered.remove(line - 1);
    write(file, tampered, false);
    VerificationReport report = verify();
    assertThat(report.ok()).isFalse();
    if (line <= tampered.size()) {
      assertThat(report.firstProblem().file()).isEqualTo(file);
      assertThat(report.firstProblem().line()).isEqualTo(line);
      assertThat(report.firstProblem().kind()).isIn("BROKEN_LINK", "SEQ_GAP");
    } else {
      // the last line: that chain is shorter but consistent; the other chain still has it
      assertThat(report.firstProblem().file()).isEqualTo(TASK);
      assertThat(report.firstProblem().kind()).isIn("MIRROR_MISMATCH", "MIRROR_LAGS");
    }
  }

  @ParameterizedTest(name = "{0} lines {1} and {1}+1 swapped")
  @MethodSource("everyLineOfBothChains")
  void reorderingIsFound(String file, int line) throws Exception {
    List<String> tampered = new ArrayList<>(lines(file));
    if (line == tampered.size()) {
      return;
    }
    Collections.swap(tampered, line - 1, line);
    write(file, tampered, false);
    VerificationReport report = verify();
    assertThat(report.ok()).isFalse();
    assertThat(report.firstProblem().file()).isEqualTo(file);
    assertThat(report.firstProblem().line()).isEqualTo(line);
  }

  @ParameterizedTest(name = "{0}: a copy of line {1} inserted after it")
  @MethodSource("everyLineOfBothChains")
  void insertingADuplicateIsFound(String file, int line) throws Exception {
    List<String> tampered = new ArrayList<>(lines(file));
    tampered.add(line, tampered.get(line - 1));
    write(file, tampered, false);
    VerificationReport report = verify();
    assertThat(report.ok()).isFalse();
    assertThat(report.firstProblem().file()).isEqualTo(file);
    assertThat(report.firstProblem().line()).isEqualTo(line + 1);
  }

  @Test
  void insertingAForgedEventWithAValidHashIsFoundByItsLink() throws Exception {
    List<String> project = new ArrayList<>(lines(PROJECT));
    ObjectNode forged = (ObjectNode) CanonicalJson.STRICT_MAPPER.readTree(project.get(1));
    forged.remove("event_hash");
    forged.put("code_change_summary", "nothing to see here");
    String forgedLine =
        new String(
            ProjectStore.encode(forged, DurableFiles.sha256()).text(), StandardCharsets.UTF_8);
    project.add(2, forgedLine);
    write(PROJECT, project, false);
    VerificationReport report = verify();
    assertThat(report.ok()).isFalse();
    assertThat(report.firstProblem().line()).isEqualTo(3);
    assertThat(report.firstProblem().kind()).isIn("BROKEN_LINK", "SEQ_GAP");
  }

  @Test
  void aTruncatedTailNeedsTheExpectedHeadToBeFound() throws Exception {
    String head;
    try (WorkflowLogger log = WorkflowLogger.open(root, "p")) {
      head = log.head();
    }
    List<String> project = new ArrayList<>(lines(PROJECT));
    List<String> task = new ArrayList<>(lines(TASK));
    project.remove(project.size() - 1); // the close of T-1
    task.remove(task.size() - 1);
    write(PROJECT, project, false);
    write(TASK, task, false);

    assertThat(verify().ok()).as("a bare chain cannot see a cut tail").isTrue();
    VerificationReport anchored = WorkflowLogger.verify(root, "p", null, head);
    assertThat(anchored.ok()).isFalse();
    assertThat(anchored.firstProblem().kind()).isEqualTo("HEAD_MISMATCH");
    assertThat(anchored.firstProblem().expected()).isEqualTo(head);

    // an anchor recorded before events were added names the event it ends at
    String earlier =
        CanonicalJson.STRICT_MAPPER.readTree(project.get(2)).get("event_hash").asText();
    VerificationReport added = WorkflowLogger.verify(root, "p", null, earlier);
    assertThat(added.firstProblem().kind()).isEqualTo("HEAD_MISMATCH");
    assertThat(added.firstProblem().line()).isEqualTo(3);
    assertThat(added.firstProblem().message()).contains("added since the head was recorded");
  }

  @Test
  void verifyingOneTaskChecksItsFileAgainstTheProjectChain() throws Exception {
    assertThat(WorkflowLogger.verify(root, "p", "T-1", null).ok()).isTrue();
    assertThat(WorkflowLogger.verify(root, "p", "T-1", null).events()).isEqualTo(4);
    List<String> project = new ArrayList<>(lines(PROJECT));
    project.remove(project.size() - 1);
    write(PROJECT, project, false);
    VerificationReport report = WorkflowLogger.verify(root, "p", "T-1", null);
    assertThat(report.firstProblem().kind()).isEqualTo("MIRROR_MISMATCH");
  }

  @Test
  void anEventFromAnotherProjectIsFound() throws Exception {
    List<String> project = new ArrayList<>(lines(PROJECT));
    ObjectNode foreign = (ObjectNode) CanonicalJson.STRICT_MAPPER.readTree(project.get(5));
    foreign.remove("event_hash");
    foreign.put("project_id", "other");
    project.set(
        5,
        new String(
            ProjectStore.encode(foreign, DurableFiles.sha256()).text(), StandardCharsets.UTF_8));
    write(PROJECT, project, false);
    assertThat(verify().problems()).anyMatch(p -> p.kind().equals("FOREIGN_PROJECT"));
  }

  static Stream<Arguments> nonCanonicalRewrites() {
    return Stream.of(
        Arguments.of(
            "a duplicated result",
            (java.util.function.UnaryOperator<String>)
                l ->
                    l.replace(
                        "\"final_status\":\"accepted\"",
                        "\"final_status\":\"rejected\",\"final_status\":\"accepted\""),
            "UNREADABLE_EVENT"),
        Arguments.of(
            "members out of order",
            (java.util.function.UnaryOperator<String>)
                l -> l.replace("\"summary\":\"done\",", "").replace("{", "{\"summary\":\"done\","),
            "HASH_MISMATCH"),
        Arguments.of(
            "an escape spelled otherwise",
            (java.util.function.UnaryOperator<String>) l -> l.replace("done", "d\\u006fne"),
            "NOT_CANONICAL"),
        Arguments.of(
            "1.0 for 1",
            (java.util.function.UnaryOperator<String>)
                l -> l.replace("\"schema_version\":1", "\"schema_version\":1.0"),
            "HASH_MISMATCH"));
  }

  /**
   * The last event rewritten in both chains without breaking a link: its bytes are no longer
   * canonical, and its hash is recomputed over those bytes (the fast path's own rule), or, for the
   * escape, left as it was (the canonical content did not change). None may verify clean.
   */
  @ParameterizedTest(name = "{0} in the last event is named")
  @MethodSource("nonCanonicalRewrites")
  void aNonCanonicalLastEventIsNamedEvenWithAHashOverItsOwnBytes(
      String name, java.util.function.UnaryOperator<String> rewrite, String kind) throws Exception {
    List<String> project = new ArrayList<>(lines(PROJECT));
    List<String> task = new ArrayList<>(lines(TASK));
    String last = project.get(project.size() - 1);
    String changed = rewrite.apply(last);
    assertThat(changed).isNotEqualTo(last);
    if (!kind.equals("NOT_CANONICAL")) {
      changed = rehashOwnBytes(changed);
    }
    project.set(project.size() - 1, changed);
    task.set(task.size() - 1, changed);
    write(PROJECT, project, false);
    write(TASK, task, false);

    VerificationReport report = verify();
    assertThat(report.ok()).as(name).isFalse();
    assertThat(report.firstProblem().file()).isEqualTo(PROJECT);
    assertThat(report.firstProblem().line()).isEqualTo(project.size());
    assertThat(report.firstProblem().kind()).isEqualTo(kind);
    assertThatThrownBy(() -> WorkflowLogger.open(root, "p").close())
        .isInstanceOf(LogRefusedException.class)
        .hasMessageContaining("line " + project.size());
  }

  /** SHA-256 of the line without its event_hash member, put back in: the old fast-path rule. */
  private static String rehashOwnBytes(String line) {
    java.util.regex.Matcher m =
        java.util.regex.Pattern.compile("(,?)\"event_hash\":\"([0-9a-f]{64})\"(,?)").matcher(line);
    assertThat(m.find()).isTrue();
    // cut the member with the comma before it, or the one after it when it comes first
    String without =
        line.substring(0, m.start())
            + (m.group(1).isEmpty() ? "" : m.group(3))
            + line.substring(m.end());
    String hash = DurableFiles.sha256Hex(without.getBytes(StandardCharsets.UTF_8));
    return line.substring(0, m.start(2)) + hash + line.substring(m.end(2));
  }

  private VerificationReport verify() {
    return WorkflowLogger.verify(root, "p", null, null);
  }

  private List<String> lines(String file) throws Exception {
    return Files.readAllLines(dir.resolve(file), StandardCharsets.UTF_8);
  }

  private void write(String file, List<String> lines, boolean latin1) throws Exception {
    StringBuilder s = new StringBuilder();
    for (String l : lines) {
      s.append(l).append('\n');
    }
    Files.write(
        dir.resolve(file),
        s.toString().getBytes(latin1 ? StandardCharsets.ISO_8859_1 : StandardCharsets.UTF_8));
  }
}
