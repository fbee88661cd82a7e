package dev.aiflow.cli;

import static dev.aiflow.cli.RunCycleCommandTest.aiflow;
import static org.assertj.core.api.Assertions.assertThat;

import dev.aiflow.cli.RunCycleCommandTest.Run;
import dev.aiflow.scoreboard.ScoreboardStore;
import dev.aiflow.support.Packs;
import dev.aiflow.support.Queues;
import dev.aiflow.support.Queues.Item;
import dev.aiflow.triage.QueueStore;
import dev.aiflow.triage.TaskStatus;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** prepare-next, run-cycle over a queue, and run-campaign, as a user types them. */
class CampaignCommandsTest {

  static final String SHIM = RunCycleCommandTest.SHIM;

  @TempDir Path tmp;

  /** Packs as files and a map that names them, like the seed's step_pack_map.json. */
  Path mapFile(List<Item> items) throws Exception {
    Path packs = Files.createDirectories(tmp.resolve("packs"));
    StringBuilder map = new StringBuilder("{");
    for (Item i : items) {
      if (i.scenario() == null) {
        continue;
      }
      Files.writeString(packs.resolve(i.key() + ".json"), Packs.stepPack(i.key(), i.scenario()));
      map.append(map.length() > 1 ? "," : "")
          .append("\"")
          .append(i.key())
          .append("\": \"packs/")
          .append(i.key())
          .append(".json\"");
    }
    Path file = tmp.resolve("step_pack_map.json");
    Files.writeString(file, map.append("}").toString());
    return file;
  }

  @Test
  void runCampaignPrintsALinePerCycleAndExitsZeroWhenEveryTaskCompleted() throws Exception {
    List<Item> items = List.of(Item.of("R-1", 1, "pass"), Item.of("R-2", 2, "fail-then-pass"));
    Path queue = tmp.resolve("progress/task_queue.json");
    Queues.write(queue, 1, items);
    Path map = mapFile(items);
    Path ws = Files.createDirectories(tmp.resolve("ws"));

    Run run =
        aiflow(
            "run-campaign",
            "--step-pack-map-file",
            map.toString(),
            "--queue-path",
            queue.toString(),
            "--progress-dir",
            tmp.resolve("progress").toString(),
            "--max-cycles",
            "5",
            "--workspace",
            ws.toString(),
            "--shim",
            SHIM,
            "--project-id",
            "cli-campaign",
            "--data-dir",
            tmp.resolve("data").toString());

    assertThat(run.exit()).as(run.out() + run.err()).isZero();
    assertThat(run.out())
        .contains("cycle 1: R-1 completed (QA PASS PASS_ALL_CRITERIA), 0 rework round(s)")
        .contains("cycle 2: R-2 completed (QA PASS PASS_ALL_CRITERIA), 1 rework round(s)")
        .contains("ended: queue_drained")
        .contains("queue: 2 completed, 0 failed, 0 pending of 2")
        .contains("summary: " + tmp.resolve("progress/summary.md"));
    assertThat(new ScoreboardStore(tmp.resolve("progress")).read().completed()).isEqualTo(2);
  }

  @Test
  void runCampaignExitsOneWhenATaskFailedOrWasLeftAndTwoOnBadInput() throws Exception {
    List<Item> items = List.of(Item.of("F-1", 1, "fail-always"), Item.of("F-2", 2, null));
    Path queue = tmp.resolve("q/task_queue.json");
    Queues.write(queue, 1, items);
    Path map = mapFile(items);
    Path ws = Files.createDirectories(tmp.resolve("ws"));

    Run run =
        aiflow(
            "run-campaign",
            "--step-pack-map-file",
            map.toString(),
            "--queue-path",
            queue.toString(),
            "--max-rework-rounds",
            "0",
            "--workspace",
            ws.toString(),
            "--shim",
            SHIM,
            "--data-dir",
            tmp.resolve("data").toString());
    assertThat(run.exit()).as(run.out() + run.err()).isEqualTo(1);
    assertThat(run.out()).contains("cycle 1: F-1 failed").contains("1 pending of 2");

    Files.writeString(map, "{\"F-1\": \"packs/missing.json\"}");
    Run bad =
        aiflow(
            "run-campaign",
            "--step-pack-map-file",
            map.toString(),
            "--queue-path",
            queue.toString(),
            "--data-dir",
            tmp.resolve("data").toString());
    assertThat(bad.exit()).isEqualTo(2);
    assertThat(bad.err()).contains("--step-pack-map-file.F-1:").contains("does not exist");

    // a campaign of another engine took the queue a moment ago: refused, naming it
    Files.writeString(
        queue.resolveSibling("task_queue.json.owner"),
        "{\"campaign_id\":\"other-campaign\",\"since\":\"" + java.time.Instant.now() + "\"}");
    Run owned =
        aiflow(
            "run-campaign",
            "--queue-path",
            queue.toString(),
            "--data-dir",
            tmp.resolve("data").toString());
    assertThat(owned.exit()).as(owned.out() + owned.err()).isEqualTo(2);
    assertThat(owned.err()).contains("owned by running campaign other-campaign");

    Run badBudget =
        aiflow("run-campaign", "--queue-path", queue.toString(), "--campaign-max-cost-usd", "-0.5");
    assertThat(badBudget.exit()).isEqualTo(2);
    assertThat(badBudget.err()).contains("options.campaignMaxCostUsd: must be 0 (off) or more");

    Run badLanes =
        aiflow("run-campaign", "--queue-path", queue.toString(), "--max-parallel-tasks", "0");
    assertThat(badLanes.exit()).isEqualTo(2);
    assertThat(badLanes.err()).contains("options.maxParallelTasks: must be 1..16");

    Run badLimit = aiflow("run-campaign", "--queue-path", queue.toString(), "--max-cycles", "0");
    assertThat(badLimit.exit()).isEqualTo(2);
    assertThat(badLimit.err()).contains("options.maxCycles: must be 1..100000");

    // the campaign's backend is --default-worker-backend; --worker-backend is its old name
    Run badBackend =
        aiflow("run-campaign", "--queue-path", queue.toString(), "--default-worker-backend", "Bad");
    assertThat(badBackend.exit()).isEqualTo(2);
    assertThat(badBackend.err()).contains("options.workerBackend: backend 'Bad'");
    Run oldName =
        aiflow("run-campaign", "--queue-path", queue.toString(), "--worker-backend", "Bad");
    assertThat(oldName.exit()).isEqualTo(2);
    assertThat(oldName.err())
        .contains("--worker-backend is deprecated: use --default-worker-backend")
        .contains("options.workerBackend: backend 'Bad'");
    Run both =
        aiflow(
            "run-campaign",
            "--queue-path",
            queue.toString(),
            "--worker-backend",
            "mock",
            "--default-worker-backend",
            "mock");
    assertThat(both.exit()).isEqualTo(2);
    assertThat(both.err()).contains("old name of --default-worker-backend: give only one");
  }

  @Test
  void prepareNextClaimsTheNextTaskAndRunCycleFinishesItInTheQueue() throws Exception {
    List<Item> items = List.of(Item.of("N-2", 2, "pass"), Item.of("N-1", 1, "pass"));
    Path queue = tmp.resolve("progress/task_queue.json");
    Queues.write(queue, 2, items);
    Path map = mapFile(items);

    Run dry =
        aiflow("prepare-next", "--run-id", "R1", "--queue-path", queue.toString(), "--dry-run");
    assertThat(dry.exit()).isZero();
    assertThat(dry.out()).startsWith("would select N-1");
    assertThat(new QueueStore(queue).read().require("N-1").status()).isEqualTo(TaskStatus.PENDING);

    Run next =
        aiflow(
            "prepare-next",
            "--run-id",
            "R1",
            "--queue-path",
            queue.toString(),
            "--step-pack-map-file",
            map.toString(),
            "--out-dir",
            tmp.resolve("prepared").toString());
    assertThat(next.exit()).as(next.out() + next.err()).isZero();
    assertThat(next.out())
        .contains("selected N-1 \"Finish N-1\" (priority 1, attempt 1 of 2) for run R1")
        .contains("claimed as run:R1")
        .contains("READY N-1")
        .contains("tier: tier2");
    assertThat(new QueueStore(queue).read().require("N-1").claimedBy()).isEqualTo("run:R1");
    assertThat(new ScoreboardStore(queue.getParent()).read().lastSelected().taskKey())
        .isEqualTo("N-1");

    Path ws = Files.createDirectories(tmp.resolve("ws"));
    Run cycle =
        aiflow(
            "run-cycle",
            "--run-id",
            "R1",
            "--step-pack-file",
            tmp.resolve("packs/N-1.json").toString(),
            "--queue-path",
            queue.toString(),
            "--workspace",
            ws.toString(),
            "--shim",
            SHIM,
            "--data-dir",
            tmp.resolve("data").toString());
    assertThat(cycle.exit()).as(cycle.out() + cycle.err()).isZero();
    assertThat(cycle.out()).contains("completed N-1: QA PASS");
    var q = new QueueStore(queue).read();
    assertThat(q.require("N-1").status()).isEqualTo(TaskStatus.COMPLETED);
    assertThat(q.require("N-1").attempts())
        .as("the claim was resumed, not taken twice")
        .isEqualTo(1);
    assertThat(q.require("N-2").status()).isEqualTo(TaskStatus.PENDING);
    var board = new ScoreboardStore(queue.getParent()).read();
    assertThat(board.cycles()).isEqualTo(1);
    assertThat(board.selected())
        .as("prepare-next's pick, run by run-cycle, counted once")
        .isEqualTo(1);
    assertThat(board.lastSelected().runId()).isEqualTo("R1");

    // nothing eligible: N-2 waits for nothing, but run R1's pack is for N-1, which is done
    Run again =
        aiflow(
            "run-cycle",
            "--run-id",
            "R1",
            "--step-pack-file",
            tmp.resolve("packs/N-1.json").toString(),
            "--queue-path",
            queue.toString(),
            "--workspace",
            ws.toString(),
            "--shim",
            SHIM,
            "--data-dir",
            tmp.resolve("data").toString());
    assertThat(again.exit()).isEqualTo(1);
    assertThat(again.out()).contains("no cycle ran");
  }

  @Test
  void prepareNextSaysWhyNothingIsEligible() throws Exception {
    Path queue = tmp.resolve("q.json");
    Files.writeString(
        queue,
        "{\"tasks\": [{\"key\": \"A\", \"status\": \"completed\"},"
            + " {\"key\": \"B\", \"depends_on\": [\"C\"]}, {\"key\": \"C\", \"status\": \"failed\"}]}");
    Run run = aiflow("prepare-next", "--run-id", "R", "--queue-path", queue.toString());
    assertThat(run.exit()).isEqualTo(1);
    assertThat(run.out()).contains("A is completed").contains("B waits for C (failed)");
  }
}
