package dev.aiflow.scoreboard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.aiflow.budget.Spend;
import dev.aiflow.triage.QueueCounts;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;

/** Counters, one trend snapshot per cycle, and a summary people can read. */
class ScoreboardStoreTest {

  static final Instant T = Instant.parse("2026-11-23T12:00:00Z");

  @TempDir Path dir;

  CycleReport cycle(
      String run,
      String task,
      CycleReport.Outcome o,
      int rework,
      String verdict,
      String reason,
      QueueCounts q) {
    return new CycleReport(T, "c1", run, task, o, rework, verdict, reason, q, 1500);
  }

  /** The same, ended {@code seconds} after T, picked 1.5 s before its end. */
  CycleReport cycleAt(int seconds, String run, String task, CycleReport.Outcome o, QueueCounts q) {
    return new CycleReport(T.plusSeconds(seconds), "c1", run, task, o, 0, null, null, q, 1500);
  }

  @Test
  void countersTrendsAndSummaryFollowTheCycles() throws Exception {
    ScoreboardStore board = new ScoreboardStore(dir);
    assertThat(board.read()).isEqualTo(Scoreboard.empty());
    board.recordCycle(
        cycle(
            "R1",
            "A",
            CycleReport.Outcome.COMPLETED,
            0,
            "PASS",
            "PASS_ALL_CRITERIA",
            new QueueCounts(2, 0, 1, 0)));
    board.recordCycle(
        cycle(
            "R2",
            "B",
            CycleReport.Outcome.REQUEUED,
            1,
            "REWORK",
            "REWORK_FIXABLE_FINDINGS",
            new QueueCounts(2, 0, 1, 0)));
    board.recordSkip("C", "R3", T.minusSeconds(5)); // before R4 was picked
    board.recordCycle(
        cycle(
            "R4",
            "B",
            CycleReport.Outcome.FAILED,
            1,
            "FAIL",
            "FAIL_SCOPE_VIOLATION",
            new QueueCounts(1, 0, 1, 1)));

    Scoreboard s = board.read();
    assertThat(s.cycles()).isEqualTo(3);
    assertThat(s.selected()).isEqualTo(4); // each cycle's pick and the skipped one
    assertThat(s.completed()).isEqualTo(1);
    assertThat(s.requeued()).isEqualTo(1);
    assertThat(s.failed()).isEqualTo(1);
    assertThat(s.skipped()).isEqualTo(1);
    assertThat(s.reworkRounds()).isEqualTo(2);
    assertThat(s.qaVerdicts())
        .containsEntry("PASS", 1)
        .containsEntry("REWORK", 1)
        .containsEntry("FAIL", 1);
    assertThat(s.qaReasons()).containsEntry("FAIL_SCOPE_VIOLATION", 1);
    // R4's pick, made 1.5 s before its end at T, after the skip
    assertThat(s.lastSelected())
        .isEqualTo(new Scoreboard.LastSelected("B", "R4", T.minusMillis(1500)));

    assertThat(board.trends()).extracting(TrendPoint::cycle).containsExactly(1, 2, 3);
    assertThat(board.trends().get(2).queue()).isEqualTo(new QueueCounts(1, 0, 1, 1));
    assertThat(board.trends().get(2).failedTotal()).isEqualTo(1);

    board.render(new QueueCounts(1, 0, 1, 1));
    String md = Files.readString(board.summaryFile());
    assertThat(md)
        .contains("**1 of 3 tasks completed** (33 %) after 3 cycle(s); last selected B (run R4)")
        .contains("| tasks | 1 | 0 | 1 | 1 | 3 |")
        .contains("![Queue after each cycle](summary.svg)")
        .contains("| 3 | 4 | 1 | 1 | 1 | 1 | 2 |")
        .contains("| FAIL_SCOPE_VIOLATION | 1 |")
        .contains(
            "| 3 | "
                + T
                + " | B | ❌ failed | FAIL (FAIL_SCOPE_VIOLATION) | 1 | 0 | 0.000000 | 1/0/1/1 |");
    // newest cycle first
    assertThat(md.indexOf("| 3 | " + T)).isLessThan(md.indexOf("| 1 | " + T));
  }

  @Test
  void theChartIsWellFormedSvgWithALinePerSeries() throws Exception {
    ScoreboardStore board = new ScoreboardStore(dir);
    for (int i = 1; i <= 12; i++) {
      board.recordCycle(
          cycle(
              "R" + i,
              "T" + i,
              CycleReport.Outcome.COMPLETED,
              0,
              "PASS",
              "PASS_ALL_CRITERIA",
              new QueueCounts(12 - i, 0, i, 0)));
    }
    board.render(new QueueCounts(0, 0, 12, 0));
    byte[] svg = Files.readAllBytes(board.chartFile());
    Document doc =
        DocumentBuilderFactory.newInstance()
            .newDocumentBuilder()
            .parse(new ByteArrayInputStream(svg));
    assertThat(doc.getDocumentElement().getTagName()).isEqualTo("svg");
    assertThat(doc.getElementsByTagName("polyline").getLength()).isEqualTo(3);
    assertThat(new String(svg))
        .contains("completed: 12")
        .contains("open: 0")
        .doesNotContain("<script");
  }

  @Test
  void spendIsSummedPerTaskAndPerBackendAndModelAndCharted() throws Exception {
    ScoreboardStore board = new ScoreboardStore(dir);
    // task A: one claude run with a reported cost, completed
    Spend claude = new Spend(1, 1, 12_000, 24_120, 0, 0, 4, 900);
    // task B: a codex run (estimated) and a run of an external shim that reported nothing
    Spend codex = new Spend(1, 1, 3_400, 5_500, 0, 1, 1, 1200);
    Spend unknown = new Spend(1, 0, 0, 0, 1, 0, 0, 700);
    board.recordCycle(
        new CycleReport(
            T,
            "c1",
            "R1",
            "A",
            CycleReport.Outcome.COMPLETED,
            0,
            "PASS",
            "PASS_ALL_CRITERIA",
            new QueueCounts(1, 0, 1, 0),
            1500,
            Map.of("claude/claude-sonnet-4-5", claude)));
    board.recordCycle(
        new CycleReport(
            T,
            "c1",
            "R2",
            "B",
            CycleReport.Outcome.COMPLETED,
            1,
            "PASS",
            "PASS_ALL_CRITERIA",
            new QueueCounts(0, 0, 2, 0),
            1500,
            Map.of("codex/gpt-5-codex", codex, "mock/unknown", unknown)));

    Scoreboard s = board.read();
    SpendBoard spend = s.spend();
    assertThat(spend.total().tokens()).isEqualTo(15_400);
    assertThat(spend.total().costMicros()).isEqualTo(29_620);
    assertThat(spend.total().attempts()).isEqualTo(3);
    assertThat(spend.total().costUnknown()).isEqualTo(1);
    assertThat(spend.byTask().get("A").costMicros()).isEqualTo(24_120);
    assertThat(spend.byTask().get("B").tokens()).isEqualTo(3_400);
    assertThat(spend.byBackendModel())
        .containsOnlyKeys("claude/claude-sonnet-4-5", "codex/gpt-5-codex", "mock/unknown");
    assertThat(spend.costPerAcceptedTaskMicros(s.completed())).isEqualTo(14_810);
    // the JSON file is what the REST API shows: a reader sees the same figures
    assertThat(new ScoreboardStore(dir).read().spend()).isEqualTo(spend);
    assertThat(Files.readString(board.scoreboardFile()))
        .contains("\"cost_per_accepted_task_usd\" : \"0.014810\"");
    assertThat(board.trends().get(1).costTotalMicros()).isEqualTo(29_620);
    assertThat(board.trends().get(1).costMicros()).isEqualTo(5_500);

    board.render(new QueueCounts(0, 0, 2, 0));
    String md = Files.readString(board.summaryFile());
    assertThat(md)
        .contains("## Spend")
        .contains("**15400 tokens, $0.029620 or more** over 3 agent run(s)")
        .contains("$0.014810 per accepted task")
        .contains("1 run(s) of unknown cost")
        .contains("| claude/claude-sonnet-4-5 | 1 | 12000 | 0.024120 | 4 |")
        .contains("| mock/unknown | 1 | 0 | 0.000000+ | 0 |")
        .contains(
            "| 2 | " + T + " | B | ✅ completed | PASS (PASS_ALL_CRITERIA) | 1 | 3400 | 0.005500 |");
    byte[] svg = Files.readAllBytes(board.chartFile());
    Document doc =
        DocumentBuilderFactory.newInstance()
            .newDocumentBuilder()
            .parse(new ByteArrayInputStream(svg));
    assertThat(doc.getElementsByTagName("polyline").getLength()).isEqualTo(4);
    assertThat(new String(svg)).contains("spend so far (USD)").contains("spend: $0.029620");
  }

  @Test
  void recordingTheSameRunTwiceCountsItOnce() {
    ScoreboardStore board = new ScoreboardStore(dir);
    CycleReport r =
        cycle(
            "R1",
            "A",
            CycleReport.Outcome.COMPLETED,
            0,
            "PASS",
            "PASS_ALL_CRITERIA",
            new QueueCounts(0, 0, 1, 0));
    board.recordCycle(r);
    board.recordCycle(r); // a retried engine job
    assertThat(board.read().cycles()).isEqualTo(1);
    assertThat(board.trends()).hasSize(1);
  }

  @Test
  void anEmptyBoardStillRendersAnHonestSummary() throws Exception {
    ScoreboardStore board = new ScoreboardStore(dir);
    board.render(new QueueCounts(3, 0, 0, 0));
    assertThat(Files.readString(board.summaryFile()))
        .contains("0 of 3 tasks completed")
        .doesNotContain("summary.svg)");
    assertThat(Files.readString(board.chartFile())).contains("no cycle yet");
  }

  @Test
  void aPickIsCountedWithItsCycleAndTheLastSelectedIsThePickMadeLast() {
    ScoreboardStore board = new ScoreboardStore(dir);
    QueueCounts q = new QueueCounts(1, 1, 1, 0);
    // two lanes: B is picked after A but its cycle ends first
    board.recordCycle(cycleAt(10, "RB", "B", CycleReport.Outcome.COMPLETED, q));
    board.recordCycle(cycleAt(20, "RA", "A", CycleReport.Outcome.COMPLETED, q));
    assertThat(board.read().lastSelected())
        .isEqualTo(new Scoreboard.LastSelected("A", "RA", T.plusMillis(18_500)));
    board.recordCycle(cycleAt(15, "RC", "C", CycleReport.Outcome.FAILED, q));

    Scoreboard s = board.read();
    assertThat(s.selected()).isEqualTo(3);
    assertThat(s.cycles()).isEqualTo(3);
    assertThat(s.lastSelected())
        .isEqualTo(new Scoreboard.LastSelected("A", "RA", T.plusMillis(18_500)));
    // a retried job records nothing twice, its pick included
    board.recordCycle(cycleAt(20, "RA", "A", CycleReport.Outcome.COMPLETED, q));
    assertThat(board.read().selected()).isEqualTo(3);
  }

  @Test
  void aCorruptScoreboardIsReportedAndLeftAlone() throws Exception {
    Files.writeString(dir.resolve("scoreboard.json"), "{\"cycles\": ");
    ScoreboardStore board = new ScoreboardStore(dir);
    assertThatThrownBy(() -> board.recordSelection("A", "R", T))
        .hasMessageContaining("scoreboard.json")
        .hasMessageContaining("left as it is");
    assertThat(Files.readString(dir.resolve("scoreboard.json"))).isEqualTo("{\"cycles\": ");
  }

  @Test
  void claimsContradictedAreSummedPerBackendAndSurviveARereadAndTheSummary() throws Exception {
    ScoreboardStore board = new ScoreboardStore(dir);
    QueueCounts q = new QueueCounts(0, 0, 1, 0);
    board.recordCycle(
        cycle("R1", "A", CycleReport.Outcome.FAILED, 0, "FAIL", "FAIL_CLAIM_MISMATCH", q)
            .withClaims(
                Map.of(
                    "claude/sonnet", new ClaimTally(2, 1, 3),
                    "codex/gpt", new ClaimTally(1, 0, 0))));
    board.recordCycle(
        cycle("R2", "B", CycleReport.Outcome.COMPLETED, 0, "PASS", "PASS_ALL_CRITERIA", q)
            .withClaims(Map.of("claude/sonnet", new ClaimTally(2, 0, 0))));
    board.recordCycle(
        cycle("R2", "B", CycleReport.Outcome.COMPLETED, 0, "PASS", "PASS_ALL_CRITERIA", q)
            .withClaims(Map.of("claude/sonnet", new ClaimTally(9, 9, 9))));

    Scoreboard s = new ScoreboardStore(dir).read();
    assertThat(s.claims())
        .as("a retried run is recorded once")
        .containsEntry("claude/sonnet", new ClaimTally(4, 1, 3))
        .containsEntry("codex/gpt", new ClaimTally(1, 0, 0));
    assertThat(s.claimsTotal()).isEqualTo(new ClaimTally(5, 1, 3));
    assertThat(s.claims().get("claude/sonnet").honestyPercent()).isEqualTo(75.0);
    board.render(q);
    assertThat(Files.readString(board.summaryFile()))
        .contains("**1 of 5** reviewed agent run(s) claimed what the workspace did not show")
        .contains("| claude/sonnet | 4 | 1 | 3 | 75.0% |")
        .contains("| codex/gpt | 1 | 0 | 0 | 100.0% |");
  }

  @Test
  void withoutTalliedClaimsTheSummaryHasNoHonestySection() throws Exception {
    ScoreboardStore board = new ScoreboardStore(dir);
    board.recordCycle(
        cycle(
            "R1",
            "A",
            CycleReport.Outcome.COMPLETED,
            0,
            "PASS",
            "OK",
            new QueueCounts(0, 0, 1, 0)));
    board.render(new QueueCounts(0, 0, 1, 0));
    assertThat(Files.readString(board.summaryFile())).doesNotContain("Claims contradicted");
    assertThat(Files.readString(board.scoreboardFile())).doesNotContain("\"claims\"");
  }

  private CycleReport passed(String run, String task) {
    return cycle(
        run,
        task,
        CycleReport.Outcome.COMPLETED,
        0,
        "PASS",
        "PASS_ALL_CRITERIA",
        new QueueCounts(0, 0, 1, 0));
  }

  @Test
  void aCycleAppendsOneTrendRecordAndRendersNothing() throws Exception {
    ScoreboardStore board = new ScoreboardStore(dir);
    board.recordCycle(passed("R1", "A"));
    byte[] first = Files.readAllBytes(board.trendsFile());
    board.recordCycle(passed("R2", "B"));
    byte[] both = Files.readAllBytes(board.trendsFile());

    // appended: the first record's bytes are untouched, one line per cycle
    assertThat(java.util.Arrays.copyOf(both, first.length)).isEqualTo(first);
    List<String> lines = Files.readAllLines(board.trendsFile());
    assertThat(lines).hasSize(2);
    assertThat(lines.get(1)).startsWith("{\"cycle\":2,").contains("\"run_id\":\"R2\"");
    // the summary waits for the campaign's end or a request
    assertThat(board.summaryFile()).doesNotExist();
    assertThat(board.chartFile()).doesNotExist();
    board.render(new QueueCounts(0, 0, 2, 0));
    assertThat(Files.readString(board.summaryFile())).contains("2 of 2 tasks completed");
  }

  @Test
  void aRetriedRunIsFoundEvenWithOtherCyclesRecordedInBetween() {
    ScoreboardStore board = new ScoreboardStore(dir);
    board.recordCycle(passed("R1", "A"));
    for (int i = 2; i <= 20; i++) {
      board.recordCycle(passed("R" + i, "T" + i));
    }
    board.recordCycle(passed("R1", "A")); // lane A's job retried after 19 other cycles
    assertThat(board.read().cycles()).isEqualTo(20);
    assertThat(board.trends()).extracting(TrendPoint::runId).doesNotHaveDuplicates().hasSize(20);
  }

  @Test
  void aTornLastRecordIsLeftOutAndCutOffByTheNextAppend() throws Exception {
    ScoreboardStore board = new ScoreboardStore(dir);
    board.recordCycle(passed("R1", "A"));
    // a crash in the middle of the second append
    appendRaw(board, "{\"cycle\":2,\"at\":\"20");
    assertThat(board.trends()).extracting(TrendPoint::runId).containsExactly("R1");

    board.recordCycle(passed("R2", "B"));
    assertThat(board.trends()).extracting(TrendPoint::runId).containsExactly("R1", "R2");
    assertThat(Files.readAllLines(board.trendsFile())).hasSize(2);
  }

  @Test
  void aDamagedRecordIsReportedByItsLineNeverItsContentAndLeftAlone() throws Exception {
    ScoreboardStore board = new ScoreboardStore(dir);
    board.recordCycle(passed("R1", "A"));
    // well-formed JSON whose date a parser would quote in its own message
    appendRaw(board, "{\"cycle\":2,\"at\":\"hunter2\"}\n");
    byte[] before = Files.readAllBytes(board.trendsFile());
    assertThatThrownBy(board::trends)
        .hasMessageContaining("trends.jsonl, line 2")
        .hasMessageContaining("left as it is")
        .satisfies(
            e -> {
              java.io.StringWriter trace = new java.io.StringWriter();
              e.printStackTrace(new java.io.PrintWriter(trace));
              assertThat(trace.toString()).as("the whole trace").doesNotContain("hunter2");
            });
    assertThatThrownBy(() -> board.render(new QueueCounts(0, 0, 1, 0)))
        .hasMessageContaining("line 2");
    assertThat(Files.readAllBytes(board.trendsFile())).isEqualTo(before);
  }

  @Test
  void trendsKeptByAnEarlierVersionAreCarriedOverOnTheFirstCycle() throws Exception {
    ScoreboardStore board = new ScoreboardStore(dir);
    board.recordCycle(passed("R1", "A"));
    // the same record as the document an earlier version rewrote per cycle
    String record = Files.readAllLines(board.trendsFile()).get(0);
    Files.delete(board.trendsFile());
    Files.writeString(
        dir.resolve("trends.json"),
        "{\n  \"schema_version\" : 1,\n  \"snapshots\" : [ " + record + " ]\n}\n");
    assertThat(board.trends()).extracting(TrendPoint::runId).containsExactly("R1");

    board.recordCycle(passed("R1", "A")); // still recognised as recorded
    board.recordCycle(passed("R2", "B"));
    assertThat(dir.resolve("trends.json")).doesNotExist();
    assertThat(board.trends()).extracting(TrendPoint::runId).containsExactly("R1", "R2");
    assertThat(board.read().cycles()).isEqualTo(2);
  }

  private CycleReport at(String run, Instant when, long elapsedMs) {
    return new CycleReport(
        when,
        "c1",
        run,
        "T-" + run,
        CycleReport.Outcome.COMPLETED,
        0,
        "PASS",
        "PASS_ALL_CRITERIA",
        new QueueCounts(0, 0, 1, 0),
        elapsedMs);
  }

  @Test
  void aRunRetriedByHandLongAfterItsCycleBeganIsStillRecordedOnce() throws Exception {
    ScoreboardStore board = new ScoreboardStore(dir);
    board.recordCycle(at("SLOW", T, 60_000));
    // 300 cycles of other lanes (more than the 64 KiB looked at first) while an incident waited
    for (int i = 0; i < 300; i++) {
      board.recordCycle(at("R" + i, T.plusSeconds(1 + i), 1000));
    }
    assertThat(Files.size(board.trendsFile())).isGreaterThan(ScoreboardStore.RECENT_WINDOW);
    // the retry: the same cycle start, recorded an hour later
    board.recordCycle(at("SLOW", T.plusSeconds(3600), 3_660_000));
    assertThat(board.read().cycles()).isEqualTo(301);
    assertThat(board.trends()).extracting(TrendPoint::runId).doesNotHaveDuplicates();
    // a new run is recorded, however long the file
    board.recordCycle(at("NEW", T.plusSeconds(3700), 5000));
    assertThat(board.read().cycles()).isEqualTo(302);
  }

  @Test
  void aTornRecordOfTheSameRunDoesNotCountAsRecorded() throws Exception {
    ScoreboardStore board = new ScoreboardStore(dir);
    board.recordCycle(passed("R1", "A"));
    // the crash cut the record of R2 after its run id
    appendRaw(
        board,
        "{\"cycle\":2,\"at\":\"2026-11-23T10:00:00Z\",\"campaign_id\":\"c1\",\"run_id\":\"R2\"");
    board.recordCycle(passed("R2", "B"));
    assertThat(board.trends()).extracting(TrendPoint::runId).containsExactly("R1", "R2");
  }

  /** Appends text to the trend records as a crash or a hostile hand would leave it. */
  private static void appendRaw(ScoreboardStore board, String text) throws Exception {
    Files.write(
        board.trendsFile(),
        text.getBytes(StandardCharsets.UTF_8),
        java.nio.file.StandardOpenOption.APPEND);
  }
}
