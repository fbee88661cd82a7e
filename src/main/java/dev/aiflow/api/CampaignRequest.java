package dev.aiflow.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.swagger.v3.oas.annotations.media.Schema;
import java.util.Map;

/**
 * {@code POST /api/campaigns}. Give the queue inline ({@code queue}) or by path ({@code
 * queuePath}), and the packs inline ({@code stepPacks}) or by path ({@code stepPackMapPath}).
 * Unknown members are refused (spring.jackson.deserialization.fail-on-unknown-properties), so a
 * misspelt option never silently falls back to its default.
 */
@Schema(description = "A campaign over a triage queue (docs/triage.md)")
public record CampaignRequest(
    @Schema(
            description = "The project whose workflow log records the campaign",
            example = "demo",
            defaultValue = "default")
        String projectId,
    @Schema(
            description = "The queue itself: {\"tasks\": [{\"key\", \"title\", \"priority\"...}]}",
            implementation = Object.class)
        JsonNode queue,
    @Schema(description = "A queue file on the server (under an allowed root)") String queuePath,
    @Schema(
            description =
                "Where scoreboard.json, trends.jsonl and summary.md go; default: the"
                    + " queue's folder")
        String progressDir,
    @Schema(description = "Task key to StepPack, inline", implementation = Object.class)
        JsonNode stepPacks,
    @Schema(description = "A step_pack_map.json on the server; pack paths relative to it")
        String stepPackMapPath,
    @Schema(description = "Task key to worker backend; wins over options.workerBackend")
        Map<String, String> workerBackendMap,
    @Schema(description = "The agents' workspace; default: the project's under the data dir")
        String workspace,
    Options options) {

  /** The campaign's limits and switches. */
  public record Options(
      @Schema(defaultValue = "50") Integer maxCycles,
      @Schema(defaultValue = "5", description = "0 turns the stagnation stop off")
          Integer maxStagnantCycles,
      @Schema(defaultValue = "false") Boolean autoPlanMissing,
      @Schema(defaultValue = "1") Integer maxReworkRounds,
      @Schema(description = "The backend of tasks the map does not name") String workerBackend,
      @Schema(defaultValue = "false", description = "For local mock testing only")
          Boolean skipBackendHealthCheck,
      @Schema(description = "A shim name the server knows (default: its configured shim)")
          String workerShim,
      @Schema(
              defaultValue = "false",
              description =
                  "Refuse to start without approved, frozen requirements (docs/requirements.md);"
                      + " also on for projects listed in aiflow.freeze.required-projects")
          Boolean requireFreeze,
      @Schema(
              defaultValue = "false",
              description =
                  "Check each StepPack against the frozen plan and boundary (implies"
                      + " requireFreeze)")
          Boolean guardContracts,
      @Schema(defaultValue = "false", description = "Checkpoint each pack's allowed paths")
          Boolean autoCheckpoint,
      @Schema(defaultValue = "false", description = "Restore the checkpoint when a cycle fails")
          Boolean rollbackOnFail,
      @Schema(
              defaultValue = "0",
              description =
                  "End the campaign as budget_exhausted once its agents reported this many"
                      + " tokens; 0: no limit")
          Long campaignMaxTokens,
      @Schema(
              defaultValue = "0",
              description =
                  "End the campaign as budget_exhausted once its agents reported this cost in"
                      + " USD; 0: no limit")
          Double campaignMaxCostUsd,
      @Schema(
              defaultValue = "1",
              description = "Tasks run at once (1..16); tasks with overlapping allowed paths wait")
          Integer maxParallelTasks,
      @Schema(
              defaultValue = "false",
              description =
                  "A task that runs out of rework rounds waits for a person in Tasklist (more"
                      + " rounds, accept with an override, or fail) instead of failing; a queue"
                      + " task's escalate_exhausted_rework overrides it")
          Boolean escalateExhaustedRework,
      @Schema(
              defaultValue = "auto",
              description =
                  "auto: each task in a git worktree of its own when the workspace is a git"
                      + " repository, integrated after a PASS; off: the tasks share the workspace")
          String gitIsolation,
      @Schema(
              defaultValue = "merge",
              description =
                  "How a passed task's branch goes into the campaign branch: merge or"
                      + " fast-forward")
          String integrationMode,
      @Schema(description = "The campaign branch; default aiflow-campaign/<campaign id>")
          String campaignBranch,
      @Schema(defaultValue = "false", description = "Keep a failed task's worktree for inspection")
          Boolean keepFailedWorktrees) {}
}
