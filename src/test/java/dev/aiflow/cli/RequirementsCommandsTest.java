package dev.aiflow.cli;

import static dev.aiflow.cli.RunCycleCommandTest.aiflow;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.aiflow.cli.RunCycleCommandTest.Run;
import dev.aiflow.support.Briefs;
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

/**
 * requirements draft/freeze/status, negotiate, checkpoint-create, rollback, session replay, and the
 * execution guard of run-campaign and run-cycle, as a user types them.
 */
class RequirementsCommandsTest {

  static final ObjectMapper JSON = new ObjectMapper();
  @TempDir Path tmp;

  @Test
  void draftFreezeAndStatusOnAProjectFolder() throws Exception {
    Path project = tmp.resolve("project");
    Run status = aiflow("requirements", "--project-dir", project.toString(), "status");
    assertThat(status.exit()).isEqualTo(1);
    assertThat(status.out()).contains("blocked: FREEZE_META_MISSING");

    Run draft =
        aiflow(
            "requirements",
            "--project-dir",
            project.toString(),
            "draft",
            "--dialogue-file",
            "examples/requirements/dialogue.txt",
            "--controller-model",
            "rules-v1");
    assertThat(draft.exit()).as(draft.out() + draft.err()).isZero();
    assertThat(draft.out()).contains("with the heuristic controller", "would freeze as it is");
    JsonNode profile =
        JSON.readTree(Files.readString(project.resolve("input/controller_profile.json")));
    assertThat(profile.path("controller_backend").asText()).isEqualTo("heuristic");
    assertThat(profile.path("controller_model").asText()).isEqualTo("rules-v1");

    Run freeze =
        aiflow("requirements", "--project-dir", project.toString(), "freeze", "--approver", "dana");
    assertThat(freeze.exit()).as(freeze.err()).isZero();
    assertThat(freeze.out()).contains("frozen v1").contains("approved by dana");
    assertThat(project.resolve("input/requirements.v1.md")).exists();
    assertThat(project.resolve("progress/plan_snapshot.json")).exists();

    status = aiflow("requirements", "--project-dir", project.toString(), "status");
    assertThat(status.exit()).isZero();
    assertThat(status.out()).contains("approved: v1").contains("by dana");

    Run replay =
        aiflow("session", "replay", "--file", project.resolve("session_log.jsonl").toString());
    assertThat(replay.exit()).isZero();
    assertThat(replay.out()).contains("requirements_drafted", "requirements_frozen", "2 event(s)");
  }

  @Test
  void aDraftThatWouldNotFreezeSaysWhyAndFreezeRefusesIt() throws Exception {
    Path project = tmp.resolve("project");
    Path dialogue = Files.writeString(tmp.resolve("d.txt"), "user: make it nicer\n");
    Run draft =
        aiflow(
            "requirements",
            "--project-dir",
            project.toString(),
            "draft",
            "--dialogue-file",
            dialogue.toString());
    assertThat(draft.exit()).isEqualTo(1);
    assertThat(draft.out()).contains("would not freeze yet", "PLACEHOLDER_LEFT");
    Run freeze =
        aiflow("requirements", "--project-dir", project.toString(), "freeze", "--approver", "dana");
    assertThat(freeze.exit()).isEqualTo(2);
    assertThat(freeze.err()).contains("PLACEHOLDER_LEFT");
    assertThat(project.resolve("input/requirements.v1.md")).doesNotExist();
  }

  @Test
  void theCommandControllerRunsAnExternalDrafter() throws Exception {
    Path project = tmp.resolve("project");
    Path drafter = tmp.resolve("drafter.sh");
    Files.writeString(
        drafter,
        "#!/bin/sh\n# prints a fixed brief once it has seen the dialogue\n"
            + "test -f \"$AIFLOW_DIALOGUE_FILE\" || exit 9\n"
            + "test \"$AIFLOW_CONTROLLER_MODEL\" = model-x || exit 8\ncat \""
            + tmp.resolve("brief.md")
            + "\"\n");
    drafter.toFile().setExecutable(true);
    Files.writeString(tmp.resolve("brief.md"), Briefs.brief("T-1", "src/T-1.txt"));
    Path dialogue = Files.writeString(tmp.resolve("d.txt"), "anything\n");

    Run draft =
        aiflow(
            "requirements",
            "--project-dir",
            project.toString(),
            "draft",
            "--dialogue-file",
            dialogue.toString(),
            "--controller-backend",
            "command",
            "--controller-command",
            drafter + " --api-key=sk-very-secret",
            "--controller-model",
            "model-x");
    assertThat(draft.exit()).as(draft.out() + draft.err()).isZero();
    assertThat(Files.readString(project.resolve("input/requirements.draft.md")))
        .isEqualTo(Briefs.brief("T-1", "src/T-1.txt"));
    String profile = Files.readString(project.resolve("input/controller_profile.json"));
    assertThat(profile)
        .contains("\"command\"", "model-x", "--api-key=***")
        .doesNotContain("sk-very-secret");

    Path failing = Files.writeString(tmp.resolve("fail.sh"), "#!/bin/sh\necho nope >&2\nexit 3\n");
    failing.toFile().setExecutable(true);
    Run bad =
        aiflow(
            "requirements",
            "--project-dir",
            project.toString(),
            "draft",
            "--dialogue-file",
            dialogue.toString(),
            "--controller-backend",
            "command",
            "--controller-command",
            failing.toString());
    assertThat(bad.exit()).isEqualTo(2);
    assertThat(bad.err()).contains("DRAFT_COMMAND_EXIT_NONZERO");
  }

  @Test
  void negotiateWritesBothSnapshots() throws Exception {
    Run run =
        aiflow(
            "negotiate",
            "--requirements-md",
            "docs/templates/task_brief.example.md",
            "--progress-dir",
            tmp.toString());
    assertThat(run.exit()).as(run.err()).isZero();
    assertThat(run.out()).contains("negotiated 2 task(s)", "GREET-1: 2 criterion(s)");
    JsonNode boundary = JSON.readTree(Files.readString(tmp.resolve("boundary_snapshot.json")));
    assertThat(boundary.path("tasks").path("GREET-2").get(0).asText()).isEqualTo("README.md");

    Run bad =
        aiflow(
            "negotiate",
            "--requirements-md",
            "docs/templates/task_brief.template.md",
            "--progress-dir",
            tmp.resolve("other").toString());
    assertThat(bad.exit()).isEqualTo(2);
    assertThat(bad.err()).contains("PLACEHOLDER_LEFT");
    assertThat(tmp.resolve("other")).doesNotExist();
  }

  @Test
  void checkpointAndRollbackRoundTrip() throws Exception {
    Path ws = Files.createDirectories(tmp.resolve("ws/src"));
    Files.writeString(ws.resolve("parser.py"), "v1\n");
    String[] common = {
      "--workspace", tmp.resolve("ws").toString(), "--checkpoint-dir", tmp.resolve("cp").toString()
    };
    Run create =
        aiflow(
            concat(
                new String[] {
                  "checkpoint-create",
                  "--task-key",
                  "T-013",
                  "--run-id",
                  "R1",
                  "--file",
                  "src/parser.py",
                  "--file",
                  "tests/test_parser.py"
                },
                common));
    assertThat(create.exit()).as(create.err()).isZero();
    String id = create.out().lines().findFirst().orElseThrow();
    assertThat(create.out()).contains("(absent)", "tests/test_parser.py");

    Files.writeString(ws.resolve("parser.py"), "v2\n");
    Files.createDirectories(tmp.resolve("ws/tests"));
    Files.writeString(tmp.resolve("ws/tests/test_parser.py"), "new\n");
    Run rollback =
        aiflow("rollback", "--checkpoint-id", id, "--checkpoint-dir", tmp.resolve("cp").toString());
    assertThat(rollback.exit()).as(rollback.err()).isZero();
    assertThat(rollback.out()).contains("1 restored, 1 deleted");
    assertThat(Files.readString(ws.resolve("parser.py"))).isEqualTo("v1\n");
    assertThat(tmp.resolve("ws/tests/test_parser.py")).doesNotExist();

    Run escape =
        aiflow(
            concat(
                new String[] {
                  "checkpoint-create", "--task-key", "T", "--run-id", "R", "--file", "../x"
                },
                common));
    assertThat(escape.exit()).isEqualTo(2);
    assertThat(escape.err()).contains("PATH_ESCAPES_WORKSPACE");
  }

  @Test
  void runCampaignIsRefusedWithoutAnApprovedFreeze() throws Exception {
    Path queue = tmp.resolve("progress/task_queue.json");
    Queues.write(queue, 1, List.of(Item.of("A", 1, "pass")));
    Path map = tmp.resolve("map.json");
    Files.writeString(map, "{\"A\": \"pack.json\"}");
    Files.writeString(tmp.resolve("pack.json"), Packs.stepPack("A", "pass"));
    Run run =
        aiflow(
            "run-campaign",
            "--step-pack-map-file",
            map.toString(),
            "--queue-path",
            queue.toString(),
            "--workspace",
            Files.createDirectories(tmp.resolve("ws")).toString(),
            "--shim",
            RunCycleCommandTest.SHIM,
            "--project-id",
            "guarded",
            "--require-freeze",
            "--requirements-dir",
            tmp.resolve("req").toString(),
            "--data-dir",
            tmp.resolve("data").toString());
    assertThat(run.exit()).as(run.out() + run.err()).isEqualTo(1);
    assertThat(run.err()).contains("execution_blocked_unapproved", "FREEZE_META_MISSING");
    assertThat(new QueueStore(queue).read().require("A").status()).isEqualTo(TaskStatus.PENDING);
    Run replay =
        aiflow(
            "session",
            "replay",
            "--project-id",
            "guarded",
            "--data-dir",
            tmp.resolve("data").toString());
    assertThat(replay.out()).contains("execution_blocked_unapproved");
  }

  @Test
  void runCycleWithSnapshotsBlocksAPackOutsideTheBoundary() throws Exception {
    Path req = Files.writeString(tmp.resolve("brief.md"), Briefs.brief("G-1", "docs/**"));
    assertThat(
            aiflow(
                    "negotiate",
                    "--requirements-md",
                    req.toString(),
                    "--progress-dir",
                    tmp.resolve("p").toString())
                .exit())
        .isZero();
    Path pack = Files.writeString(tmp.resolve("pack.json"), Packs.stepPack("G-1", "pass"));
    Run run =
        aiflow(
            "run-cycle",
            "--step-pack-file",
            pack.toString(),
            "--run-id",
            "RUN-G-1",
            "--plan-snapshot-file",
            tmp.resolve("p/plan_snapshot.json").toString(),
            "--boundary-snapshot-file",
            tmp.resolve("p/boundary_snapshot.json").toString(),
            "--workspace",
            Files.createDirectories(tmp.resolve("ws")).toString(),
            "--shim",
            RunCycleCommandTest.SHIM,
            "--data-dir",
            tmp.resolve("data").toString());
    assertThat(run.exit()).isEqualTo(1);
    assertThat(run.out())
        .contains("blocked G-1 by the contract guard", "GUARD_PATH_OUTSIDE_BOUNDARY");
    assertThat(tmp.resolve("ws/src/G-1.txt")).doesNotExist();
  }

  static String[] concat(String[] a, String[] b) {
    String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }
}
