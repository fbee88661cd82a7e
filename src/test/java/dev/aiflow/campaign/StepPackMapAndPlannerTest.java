package dev.aiflow.campaign;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.aiflow.files.PathPolicy;
import dev.aiflow.protocol.StepPack;
import dev.aiflow.support.Packs;
import dev.aiflow.triage.QueueTask;
import dev.aiflow.triage.TaskPlan;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Step-pack maps are checked when loaded; the auto-planner plans only what it can bound. */
class StepPackMapAndPlannerTest {

  @TempDir Path dir;

  @Test
  void aMapFileMixesPackPathsAndInlinePacks() throws Exception {
    Files.createDirectories(dir.resolve("packs"));
    Files.writeString(dir.resolve("packs/a.json"), Packs.stepPack("A", "pass"));
    Path map = dir.resolve("map.json");
    Files.writeString(map, "{\"A\": \"packs/a.json\", \"B\": " + Packs.stepPack("B", "pass") + "}");
    StepPackMap m = StepPackMap.load(map, "map", PathPolicy.open());
    assertThat(m.asMap()).containsOnlyKeys("A", "B");
    assertThat(StepPackMap.fromJson(m.toJson(), "x").asMap()).isEqualTo(m.asMap());
  }

  @Test
  void badMapsNameTheEntry() throws Exception {
    Path map = dir.resolve("map.json");
    Files.writeString(map, "{\"A\": " + Packs.stepPack("B", "pass") + "}");
    assertThatThrownBy(() -> StepPackMap.load(map, "map", PathPolicy.open()))
        .isInstanceOfSatisfying(
            CampaignInputException.class, e -> assertThat(e.field()).isEqualTo("map"))
        .hasMessageContaining("member 1: the pack's task_id is not the member's key");
    // inline (a request body) the caller's own keys are quoted
    assertThatThrownBy(
            () -> StepPackMap.fromJson("{\"A\": " + Packs.stepPack("B", "pass") + "}", "stepPacks"))
        .isInstanceOfSatisfying(
            CampaignInputException.class, e -> assertThat(e.field()).isEqualTo("stepPacks.A"))
        .hasMessageContaining("task_id is 'B', not the key 'A'");
    Files.writeString(map, "{\"A\": {\"schema\": \"aiflow.step_pack.v1\"}}");
    assertThatThrownBy(() -> StepPackMap.load(map, "map", PathPolicy.open()))
        .hasMessageContaining("the StepPack is invalid");
    assertThatThrownBy(() -> StepPackMap.fromJson("{\"A\": \"a.json\"}", "stepPacks"))
        .hasMessageContaining("an inline map holds packs, not paths");
    Files.writeString(map, "[1]");
    assertThatThrownBy(() -> StepPackMap.load(map, "map", PathPolicy.open()))
        .hasMessageContaining("is an object");
  }

  @Test
  void thePlannerWritesAValidBoundedPackFromAPlan() {
    QueueTask t =
        QueueTask.pending("T-9", "Write notes", 1, Instant.now())
            .withPlan(
                new TaskPlan(
                    null,
                    List.of("Be brief."),
                    List.of("docs/notes.md"),
                    List.of("notes exist", "notes are short"),
                    List.of("test -s docs/notes.md"),
                    null));
    AutoPlanner.Plan plan = AutoPlanner.plan(t, "RUN-9", "codex");
    assertThat(plan.planned()).isTrue();
    StepPack p = plan.pack();
    assertThat(p.taskId()).isEqualTo("T-9");
    assertThat(p.objective()).isEqualTo("Write notes");
    assertThat(p.allowedPaths()).containsExactly("docs/notes.md");
    assertThat(p.acceptanceCriteria()).extracting(c -> c.id()).containsExactly("AC-1", "AC-2");
    assertThat(p.worker().backend()).isEqualTo("codex");
    assertThat(p.evidenceDir()).isEqualTo(".artifacts/RUN-9/T-9/S1");
    assertThat(p.limits()).isEqualTo(AutoPlanner.DEFAULT_LIMITS);
  }

  @Test
  void thePlannerRefusesWhatItCannotBound() {
    QueueTask bare = QueueTask.pending("T", "t", 1, Instant.now());
    assertThat(AutoPlanner.plan(bare, "R", "mock").refusal()).contains("no plan");
    TaskPlan noPaths = new TaskPlan(null, null, List.of(), List.of("x"), null, "mock");
    assertThat(AutoPlanner.plan(bare.withPlan(noPaths), "R", null).refusal())
        .contains("no allowed_paths");
    TaskPlan noCriteria = new TaskPlan(null, null, List.of("a"), List.of(), null, "mock");
    assertThat(AutoPlanner.plan(bare.withPlan(noCriteria), "R", null).refusal())
        .contains("no acceptance_criteria");
    TaskPlan noBackend = new TaskPlan(null, null, List.of("a"), List.of("x"), null, null);
    assertThat(AutoPlanner.plan(bare.withPlan(noBackend), "R", null).refusal())
        .contains("no backend");
  }

  @Test
  void runIdsHaveTheSeedShapeAndStayWithinTheIdLimit() {
    String id = RunIds.of("T-013", Instant.parse("2026-02-19T12:00:00Z"), "c#0");
    assertThat(id).matches("T-013_20260219T120000Z_[0-9a-f]{7}");
    assertThat(RunIds.of("K".repeat(128), Instant.now(), "s")).hasSizeLessThanOrEqualTo(128);
  }
}
