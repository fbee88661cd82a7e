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
    // another reader (the REST API of another process) sees the same figures, replayed from the
    // trend records
    ScoreboardStore.forgetAll();
    assertThat(new ScoreboardStore(dir).read().spend()).isEqualTo(spend);
    assertThat(board.trends().get(1).costTotalMicros()).isEqualTo(29_620);
    assertThat(board.trends().get(1).costMicros()).isEqualTo(5_500);

    board.render(new QueueCounts(0, 0, 2, 0));
    // rendering brings scoreboard.json up to date
    assertThat(Files.readString(board.scoreboardFile()))
        .contains("\"cost_per_accepted_task_usd\" : \"0.014810\"");
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
  void aCycleIsOneDurableAppendAndScoreboardJsonFollowsEveryThirtyTwoCycles() throws Exception {
    ScoreboardStore board = new ScoreboardStore(dir);
    Scoreboard last = null;
    for (int i = 1; i < ScoreboardStore.COMPACT_EVERY; i++) {
      last = board.recordCycle(passed("R" + i, "T" + i));
    }
    // the counters are the trend records replayed: scoreboard.json is not written per cycle
    assertThat(board.scoreboardFile()).doesNotExist();
    assertThat(board.exists()).isTrue();
    ScoreboardStore.forgetAll();
    assertThat(new ScoreboardStore(dir).read())
        .isEqualTo(last)
        .extracting(Scoreboard::cycles)
        .isEqualTo(ScoreboardStore.COMPACT_EVERY - 1);

    last = board.recordCycle(passed("R32", "T32"));
    assertThat(ScoreboardStore.fromTree(json(board)).cycles())
        .isEqualTo(ScoreboardStore.COMPACT_EVERY);
    assertThat(ScoreboardStore.fromTree(json(board))).isEqualTo(last);
    last = board.recordCycle(passed("R33", "T33"));
    assertThat(ScoreboardStore.fromTree(json(board)).cycles())
        .isEqualTo(ScoreboardStore.COMPACT_EVERY);
    assertThat(board.read()).isEqualTo(last);
  }

  @Test
  void theCountersSurviveAScoreboardJsonThatIsBehindOrGoneAfterACrash() throws Exception {
    ScoreboardStore board = new ScoreboardStore(dir);
    Scoreboard last = null;
    byte[] early = null;
    for (int i = 1; i <= 45; i++) {
      CycleReport.Outcome o =
          i % 5 == 0
              ? CycleReport.Outcome.FAILED
              : i % 7 == 0 ? CycleReport.Outcome.REQUEUED : CycleReport.Outcome.COMPLETED;
      last =
          board.recordCycle(
              new CycleReport(
                      T.plusSeconds(i),
                      "c1",
                      "R" + i,
                      "T" + (i % 9),
                      o,
                      i % 3,
                      o == CycleReport.Outcome.COMPLETED ? "PASS" : "FAIL",
                      o == CycleReport.Outcome.COMPLETED ? "PASS_ALL_CRITERIA" : "FAIL_TESTS",
                      new QueueCounts(45 - i, 1, i, 0),
                      1000 + i,
                      Map.of("codex/gpt-5-codex", new Spend(1, 1, 100L * i, 7L * i, 0, 0, 2, 30)))
                  .withClaims(
                      Map.of("codex/gpt-5-codex", new ClaimTally(1, i % 4 == 0 ? 1 : 0, 1))));
      if (i == 10) {
        last = board.recordSkip("T-skipped", "RS", T.plusSeconds(10).plusMillis(500));
        early = Files.readAllBytes(board.scoreboardFile()); // written at once, durably
      }
    }
    assertThat(ScoreboardStore.fromTree(json(board)).cycles()).isEqualTo(42); // 10 + 32
    assertThat(board.read()).isEqualTo(last);

    // a power loss took the latest scoreboard.json: an older one is found, or none
    ScoreboardStore.forgetAll();
    Files.write(board.scoreboardFile(), early);
    assertThat(new ScoreboardStore(dir).read()).isEqualTo(last);
    Files.delete(board.scoreboardFile());
    ScoreboardStore.forgetAll();
    Scoreboard rebuilt = new ScoreboardStore(dir).read();
    assertThat(rebuilt)
        .as("only the skip was not in a trend record")
        .isEqualTo(
            new Scoreboard(
                last.cycles(),
                last.selected() - 1,
                last.completed(),
                last.failed(),
                last.requeued(),
                0,
                last.reworkRounds(),
                last.qaVerdicts(),
                last.qaReasons(),
                last.lastSelected(),
                last.updatedAt(),
                last.spend(),
                last.claims()));
    // the next cycle goes on from there, and the file is whole again
    Files.write(board.scoreboardFile(), early);
    Scoreboard next = board.recordCycle(passed("R46", "T46"));
    assertThat(next.cycles()).isEqualTo(46);
    assertThat(next.skipped()).isEqualTo(1);
  }

  @Test
  void countersAreReplayedFromRecordsBeyondOneWindowAndNotFromRecordsOfAnEarlierVersion()
      throws Exception {
    ScoreboardStore board = new ScoreboardStore(dir);
    // records of an earlier version (no report) with its scoreboard.json, as it left them
    board.recordCycle(passed("R1", "A"));
    board.recordCycle(passed("R2", "B"));
    board.render(new QueueCounts(0, 0, 2, 0));
    List<String> old = Files.readAllLines(board.trendsFile());
    Files.write(
        board.trendsFile(),
        old.stream()
            .map(l -> l.replaceAll(",\"report\":\\{.*\\}\\}$", "}") + "\n")
            .collect(java.util.stream.Collectors.joining())
            .getBytes(StandardCharsets.UTF_8));
    assertThat(Files.readString(board.trendsFile())).doesNotContain("report");
    ScoreboardStore.forgetAll();

    Scoreboard last = null;
    for (int i = 3; i <= 150; i++) {
      last =
          board.recordCycle(
              new CycleReport(
                  T.plusSeconds(i),
                  "c1",
                  "R" + i,
                  "T" + i,
                  CycleReport.Outcome.COMPLETED,
                  0,
                  "PASS",
                  "PASS_ALL_CRITERIA",
                  new QueueCounts(150 - i, 0, i, 0),
                  1000,
                  Map.of("codex/gpt-5-codex", new Spend(1, 1, 10L * i, 3L * i, 0, 0, 1, 20))));
    }
    assertThat(last.cycles()).isEqualTo(150);
    assertThat(Files.size(board.trendsFile())).isGreaterThan(ScoreboardStore.RECENT_WINDOW);

    // scoreboard.json lost: the records of this version, 148 over more than one window, are
    // replayed from the file; those of the earlier version stop the replay
    Files.delete(board.scoreboardFile());
    ScoreboardStore.forgetAll();
    Scoreboard rebuilt = new ScoreboardStore(dir).read();
    assertThat(rebuilt.cycles()).isEqualTo(148);
    assertThat(rebuilt.completed()).isEqualTo(148);
    assertThat(rebuilt.spend().byTask())
        .containsOnlyKeys(
            java.util.stream.IntStream.rangeClosed(3, 150).mapToObj(i -> "T" + i).toList());
    assertThat(rebuilt.lastSelected()).isEqualTo(last.lastSelected());
  }

  @Test
  void aRecordAppendedByAnotherProcessIsCountedByTheNextRead() throws Exception {
    ScoreboardStore board = new ScoreboardStore(dir);
    board.recordCycle(passed("R1", "A"));
    Scoreboard two = board.recordCycle(passed("R2", "B"));
    assertThat(board.read()).isEqualTo(two); // remembered, not read again
    String second = Files.readAllLines(board.trendsFile()).get(1);
    // another process (another node's lane) records a third cycle
    appendRaw(
        board, second.replace("\"cycle\":2,", "\"cycle\":3,").replace("\"R2\"", "\"R3\"") + "\n");
    assertThat(board.read().cycles()).isEqualTo(3);
    assertThat(board.recordCycle(passed("R4", "D")).cycles()).isEqualTo(4);
    // and another replaces scoreboard.json (a skip): counted from that file on
    Scoreboard skipped = new ScoreboardStore(dir).read().skipped("S", "RS", T.plusSeconds(1));
    Path tmp = dir.resolve("other.json");
    Files.write(tmp, ScoreboardStore.JSON.writeValueAsBytes(ScoreboardStore.tree(skipped)));
    Files.move(tmp, board.scoreboardFile(), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    assertThat(board.read().skipped()).isEqualTo(1);
    assertThat(board.read().cycles()).isEqualTo(4);
  }

  @Test
  void aReplayedRecordThatIsNotOneAiflowWroteIsReportedNeverQuotedAndLeftAlone() throws Exception {
    ScoreboardStore board = new ScoreboardStore(dir);
    board.recordCycle(passed("R1", "A"));
    byte[] good = Files.readAllBytes(board.trendsFile());
    appendRaw(board, "{\"cycle\":2,\"at\":\"hunter2\",\"report\":{}}\n");
    byte[] before = Files.readAllBytes(board.trendsFile());
    assertThatThrownBy(board::read)
        .hasMessageContaining("trends.jsonl, line 2")
        .hasMessageContaining("left as it is")
        .satisfies(e -> assertThat(e.toString()).doesNotContain("hunter2"));
    assertThatThrownBy(() -> board.recordCycle(passed("R3", "C"))).hasMessageContaining("line 2");
    assertThat(Files.readAllBytes(board.trendsFile())).isEqualTo(before);
    assertThat(board.scoreboardFile()).doesNotExist();

    // a record whose own fields read, with an outcome aiflow never writes: named by its cycle
    Files.write(board.trendsFile(), good);
    String line = Files.readAllLines(board.trendsFile()).get(0);
    appendRaw(
        board,
        line.replace("\"cycle\":1,", "\"cycle\":2,").replace("\"completed\"", "\"hunter2\"")
            + "\n");
    assertThat(board.trends()).hasSize(2);
    assertThatThrownBy(board::read)
        .hasMessageContaining("trend record of cycle 2")
        .hasMessageContaining("left as it is")
        .satisfies(e -> assertThat(e.toString()).doesNotContain("hunter2"));
  }

  private static com.fasterxml.jackson.databind.JsonNode json(ScoreboardStore board)
      throws Exception {
    return ScoreboardStore.JSON.readTree(Files.readAllBytes(board.scoreboardFile()));
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
    board.render(new QueueCounts(0, 0, 1, 0)); // an earlier version kept scoreboard.json current
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
