package dev.aiflow.logger;

import static dev.aiflow.logger.Attempts.attempt;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.aiflow.cli.Cli;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import picocli.CommandLine;

/**
 * What someone with write access to the files does: rewrite an event, or delete one, and recompute
 * every hash after it, the task chains and the manifest, so that the chain is consistent again. For
 * every kind of event, a bare {@code verify} cannot tell (that is the limit docs/chain-format.md
 * states), and {@code aiflow log verify --expect-head} with a head recorded elsewhere names it.
 */
class AttackerRewriteTest {

  @TempDir Path tmp;
  Path root;
  Path dir;
  String anchoredHead;

  /** One project holding every kind of event, imported so that it has a migration too. */
  @BeforeEach
  void build() {
    root = tmp.resolve("workflow");
    WorkflowLogger.init(root, "orig");
    try (WorkflowLogger log = WorkflowLogger.open(root, "orig")) {
      log.logAttempt(attempt("T-1", 0, 0));
      log.logProjectEvent("execution_started", Map.of("queue", "q1"));
      log.export(tmp.resolve("orig.zip"));
    }
    WorkflowLogger.importProject(root, tmp.resolve("orig.zip"), "p");
    try (WorkflowLogger log = WorkflowLogger.open(root, "p")) {
      log.logAttempt(
          AttemptRecord.builder("T-1")
              .pointer(0, 1)
              .result("FAIL")
              .reasonCode("TESTS_FAIL")
              .codeContent("c".repeat(70_000))
              .build());
      log.logTaskEvent("T-1", "qa_review", Map.of("verdict", "REWORK"), null);
      log.logAttempt(attempt("T-2", 0, 0));
      log.closeTask("T-1", "accepted", "done");
      log.logProjectEvent("execution_finished", Map.of("tasks", 2));
      log.logAttempt(attempt("T-2", 0, 1));
      anchoredHead = log.head(); // what an anchor held elsewhere (engine history, a ticket) says
    }
    dir = root.resolve("p");
    assertThat(WorkflowLogger.verify(root, "p", null, null).problems()).isEmpty();
  }

  static Stream<String> kinds() {
    return Stream.of(
        "project_initialized",
        "attempt",
        "execution_started",
        "project_migrated",
        "qa_review",
        "task_closed",
        "execution_finished");
  }

  @ParameterizedTest(name = "a rewritten {0} with every later hash recomputed")
  @MethodSource("kinds")
  void aRewriteWithEveryLaterHashRecomputedIsNamedByTheAnchor(String kind) throws Exception {
    List<ObjectNode> events = events();
    ObjectNode target = events.get(firstIndexOf(events, kind));
    switch (kind) {
      case "attempt" -> target.put("reason_detail", "rewritten by someone with write access");
      case "task_closed" -> target.put("final_status", "rejected");
      case "qa_review" -> target.put("verdict", "PASS");
      case "project_initialized" ->
          target.put(
              "recorded_at",
              Instant.parse(target.get("recorded_at").asText()).minusSeconds(3600).toString());
      case "project_migrated" -> target.put("archive_sha256", "0".repeat(64));
      default -> target.put("note", "rewritten");
    }
    rewriteEverything(events);

    assertThat(WorkflowLogger.verify(root, "p", null, null).problems())
        .as("the rewrite is complete: a bare chain cannot tell")
        .isEmpty();
    assertTheAnchorNamesIt();
  }

  @ParameterizedTest(name = "the last {0} deleted, every later hash recomputed")
  @MethodSource("kinds")
  void deletingTheLastEventOfAKindIsNamedByTheAnchor(String kind) throws Exception {
    List<ObjectNode> events = events();
    int last = -1;
    for (int i = 0; i < events.size(); i++) {
      if (events.get(i).get("event_type").asText().equals(kind)) {
        last = i;
      }
    }
    events.remove(last);
    if (kind.equals("project_migrated")) {
      // without its migration the project never had another id: rewrite the old one too
      for (ObjectNode e : events) {
        e.put("project_id", "p");
      }
    }
    rewriteEverything(events);

    if (kind.equals("project_initialized")) {
      // the one deletion a consistent rewrite cannot hide: a project starts with it
      assertThat(WorkflowLogger.verify(root, "p", null, null).firstProblem())
          .satisfies(p -> assertThat(p.kind()).isEqualTo("PROTOCOL_VIOLATION"))
          .satisfies(p -> assertThat(p.line()).isEqualTo(1));
    } else {
      assertThat(WorkflowLogger.verify(root, "p", null, null).problems())
          .as("the deletion is complete: a bare chain cannot tell")
          .isEmpty();
    }
    assertTheAnchorNamesIt();
  }

  private void assertTheAnchorNamesIt() {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cli = Cli.commandLine();
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    int exit =
        cli.execute(
            "log",
            "--root-dir",
            root.toString(),
            "--project-id",
            "p",
            "verify",
            "--expect-head",
            anchoredHead);
    assertThat(exit).isEqualTo(1);
    assertThat(err.toString())
        .contains("HEAD_MISMATCH")
        .contains(anchoredHead)
        .contains("no event of the chain has the expected hash");
  }

  // ------------------------------------------------------------------ the attacker

  private List<ObjectNode> events() throws Exception {
    return ChainAttacker.events(dir);
  }

  private static int firstIndexOf(List<ObjectNode> events, String kind) {
    for (int i = 0; i < events.size(); i++) {
      if (events.get(i).get("event_type").asText().equals(kind)) {
        return i;
      }
    }
    throw new IllegalStateException("no " + kind);
  }

  private void rewriteEverything(List<ObjectNode> events) throws Exception {
    ChainAttacker.rewrite(dir, events);
  }
}
