package dev.aiflow.campaign;

import dev.aiflow.files.PathPolicy;
import dev.aiflow.files.PathRefusedException;
import dev.aiflow.ids.Ids;
import dev.aiflow.triage.QueueStore;
import dev.aiflow.worker.BackendMap;
import java.nio.file.Path;
import java.util.Map;

/**
 * Everything a campaign needs, checked: what the REST API and the CLI build and the engine turns
 * into process variables (docs/architecture.md, "Campaign variables").
 *
 * @param queuePath {@code task_queue.json}
 * @param progressDir scoreboard, trends and summary; the queue's folder when null
 * @param stepPacks task key to StepPack
 * @param backendMap task key to worker backend; wins over {@code workerBackend}
 * @param workerBackend the backend for tasks the map does not name; null keeps each pack's
 * @param maxCycles the campaign ends after this many cycles
 * @param maxStagnantCycles ... or after this many cycles in a row that completed nothing (0: off)
 * @param workspace the agents' workspace; null: the project's default
 * @param workerShim the name of the shim ({@code default} unless the server registered others)
 * @param claimOwner who claims tasks; null: the campaign ({@code campaign:<id>})
 * @param safeguards freeze, contract guard, checkpoint and rollback (docs/requirements.md)
 * @param budget what the whole campaign may spend ({@link CampaignBudget#NONE}: no limit)
 * @param maxParallelTasks how many tasks run at once (the lanes of {@code SubProcess_Lanes})
 * @param escalateExhaustedRework whether a task that runs out of rework rounds waits for a person
 *     in Tasklist ({@code UserTask_DecideEscalation}) instead of failing; a queue task's {@code
 *     escalate_exhausted_rework} overrides it for that task (docs/triage.md)
 * @param git how tasks are isolated in git ({@link GitOptions#DEFAULT}: a worktree per task when
 *     the workspace is a repository)
 *     <p>Build one with {@link #builder}: the defaults live there and nowhere else.
 */
public record CampaignSpec(
    String projectId,
    Path queuePath,
    Path progressDir,
    StepPackMap stepPacks,
    Map<String, String> backendMap,
    String workerBackend,
    boolean autoPlanMissing,
    int maxCycles,
    int maxStagnantCycles,
    int maxReworkRounds,
    Path workspace,
    String workerShim,
    boolean skipBackendHealthCheck,
    String claimOwner,
    Safeguards safeguards,
    CampaignBudget budget,
    int maxParallelTasks,
    boolean escalateExhaustedRework,
    GitOptions git) {

  public static final int DEFAULT_MAX_CYCLES = 50;
  public static final int DEFAULT_MAX_STAGNANT_CYCLES = 5;
  public static final int DEFAULT_MAX_REWORK_ROUNDS = 1;
  public static final int DEFAULT_MAX_PARALLEL_TASKS = 1;

  public CampaignSpec {
    stepPacks = stepPacks == null ? StepPackMap.empty() : stepPacks;
    safeguards = safeguards == null ? Safeguards.NONE : safeguards;
    git = git == null ? GitOptions.DEFAULT : git;
    budget = budget == null ? CampaignBudget.NONE : budget;
    backendMap = backendMap == null ? Map.of() : Map.copyOf(backendMap);
    check(Ids.isValid(projectId), "projectId", "not a valid project id: use " + Ids.RULE);
    check(queuePath != null, "queuePath", "required");
    check(maxCycles >= 1 && maxCycles <= 100_000, "options.maxCycles", "must be 1..100000");
    check(
        maxStagnantCycles >= 0 && maxStagnantCycles <= 100_000,
        "options.maxStagnantCycles",
        "must be 0 (off)..100000");
    check(
        maxReworkRounds >= 0 && maxReworkRounds <= 10, "options.maxReworkRounds", "must be 0..10");
    check(
        maxParallelTasks >= 1 && maxParallelTasks <= 16,
        "options.maxParallelTasks",
        "must be 1..16");
    try {
      new BackendMap(backendMap);
    } catch (IllegalArgumentException e) {
      throw new CampaignInputException("workerBackendMap", e.getMessage());
    }
    if (workerBackend != null) {
      try {
        new BackendMap(Map.of("*", workerBackend));
      } catch (IllegalArgumentException e) {
        throw new CampaignInputException("options.workerBackend", e.getMessage());
      }
    }
  }

  /** The progress directory: as given, else the queue's folder. */
  public Path effectiveProgressDir() {
    return progressDir != null ? progressDir : queuePath.toAbsolutePath().getParent();
  }

  /**
   * What a campaign whose agents run on remote workers needs when it starts: a workspace named (the
   * server has none of its own to give), and no checkpoints (they are copied on the server).
   *
   * @throws CampaignInputException naming the option
   */
  public void requireRunnableOnRemoteWorkers() {
    if (workspace == null) {
      throw new CampaignInputException("workspace", PathPolicy.WORKSPACE_REQUIRED);
    }
    if (safeguards.autoCheckpoint()) {
      throw new CampaignInputException(
          "options.autoCheckpoint", PathPolicy.CHECKPOINT_NEEDS_WORKSPACE);
    }
  }

  /**
   * The spec with every path resolved by {@code policy} (real paths, links followed, inside the
   * allowed roots, never a private path of the data directory): whoever may start a campaign must
   * not make the server read or write elsewhere (docs/security.md).
   *
   * @param queueMustExist false when aiflow is about to write the queue itself (an inline queue)
   * @param workspaceHere false when the workspace is on the remote workers' machines: then only its
   *     path is checked here ({@link PathPolicy#remoteWorkspace}); the workers check the folder
   * @throws CampaignInputException naming the field that is refused
   */
  public CampaignSpec resolvePaths(
      PathPolicy policy, boolean queueMustExist, boolean workspaceHere) {
    try {
      Path queue =
          queueMustExist
              ? policy.existingFile("queuePath", queuePath.toString(), QueueStore.MAX_BYTES)
              : policy.file("queuePath", queuePath.toString());
      Path progress =
          progressDir == null ? null : policy.directory("progressDir", progressDir.toString());
      if (progress == null) {
        policy.directory("progressDir", queue.getParent().toString());
      }
      Path ws =
          workspace == null
              ? null
              : workspaceHere
                  ? policy.workspace("workspace", workspace.toString())
                  : policy.remoteWorkspace("workspace", workspace.toString());
      Safeguards guards = safeguards;
      if (safeguards.requirementsDir() != null) {
        guards =
            safeguards.withRequirementsDir(
                policy.directory(
                    "options.requirementsDir", safeguards.requirementsDir().toString()));
      }
      return toBuilder()
          .queuePath(queue)
          .progressDir(progress)
          .workspace(ws)
          .safeguards(guards)
          .build();
    } catch (PathRefusedException e) {
      throw new CampaignInputException(e.field(), e.getMessage());
    }
  }

  private static void check(boolean ok, String field, String message) {
    if (!ok) {
      throw new CampaignInputException(field, message);
    }
  }

  /** A spec for the queue of {@code projectId} with every default. */
  public static Builder builder(String projectId, Path queuePath) {
    return new Builder(projectId, queuePath);
  }

  /** This spec as a builder, to change a few fields. */
  public Builder toBuilder() {
    return new Builder(projectId, queuePath)
        .progressDir(progressDir)
        .stepPacks(stepPacks)
        .backendMap(backendMap)
        .workerBackend(workerBackend)
        .autoPlanMissing(autoPlanMissing)
        .maxCycles(maxCycles)
        .maxStagnantCycles(maxStagnantCycles)
        .maxReworkRounds(maxReworkRounds)
        .workspace(workspace)
        .workerShim(workerShim)
        .skipBackendHealthCheck(skipBackendHealthCheck)
        .claimOwner(claimOwner)
        .safeguards(safeguards)
        .budget(budget)
        .maxParallelTasks(maxParallelTasks)
        .escalateExhaustedRework(escalateExhaustedRework)
        .git(git);
  }

  /**
   * Builds a {@link CampaignSpec}; the REST API, the CLI, the demo and the engine (reading the
   * variables back) all start here, so a default is written once. A null argument keeps the
   * default.
   */
  public static final class Builder {
    private String projectId;
    private Path queuePath;
    private Path progressDir;
    private StepPackMap stepPacks = StepPackMap.empty();
    private Map<String, String> backendMap = Map.of();
    private String workerBackend;
    private boolean autoPlanMissing;
    private int maxCycles = DEFAULT_MAX_CYCLES;
    private int maxStagnantCycles = DEFAULT_MAX_STAGNANT_CYCLES;
    private int maxReworkRounds = DEFAULT_MAX_REWORK_ROUNDS;
    private Path workspace;
    private String workerShim;
    private boolean skipBackendHealthCheck;
    private String claimOwner;
    private Safeguards safeguards = Safeguards.NONE;
    private CampaignBudget budget = CampaignBudget.NONE;
    private int maxParallelTasks = DEFAULT_MAX_PARALLEL_TASKS;
    private boolean escalateExhaustedRework;
    private GitOptions git = GitOptions.DEFAULT;

    private Builder(String projectId, Path queuePath) {
      this.projectId = projectId == null ? "default" : projectId;
      this.queuePath = queuePath;
    }

    public Builder queuePath(Path v) {
      queuePath = v;
      return this;
    }

    public Builder progressDir(Path v) {
      progressDir = v;
      return this;
    }

    public Builder stepPacks(StepPackMap v) {
      stepPacks = v == null ? StepPackMap.empty() : v;
      return this;
    }

    public Builder backendMap(Map<String, String> v) {
      backendMap = v == null ? Map.of() : v;
      return this;
    }

    public Builder workerBackend(String v) {
      workerBackend = v;
      return this;
    }

    public Builder autoPlanMissing(Boolean v) {
      autoPlanMissing = Boolean.TRUE.equals(v);
      return this;
    }

    public Builder maxCycles(Integer v) {
      maxCycles = v == null ? DEFAULT_MAX_CYCLES : v;
      return this;
    }

    public Builder maxStagnantCycles(Integer v) {
      maxStagnantCycles = v == null ? DEFAULT_MAX_STAGNANT_CYCLES : v;
      return this;
    }

    public Builder maxReworkRounds(Integer v) {
      maxReworkRounds = v == null ? DEFAULT_MAX_REWORK_ROUNDS : v;
      return this;
    }

    public Builder workspace(Path v) {
      workspace = v;
      return this;
    }

    public Builder workerShim(String v) {
      workerShim = v;
      return this;
    }

    public Builder skipBackendHealthCheck(Boolean v) {
      skipBackendHealthCheck = Boolean.TRUE.equals(v);
      return this;
    }

    public Builder claimOwner(String v) {
      claimOwner = v;
      return this;
    }

    public Builder safeguards(Safeguards v) {
      safeguards = v == null ? Safeguards.NONE : v;
      return this;
    }

    public Builder maxParallelTasks(Integer v) {
      maxParallelTasks = v == null ? DEFAULT_MAX_PARALLEL_TASKS : v;
      return this;
    }

    public Builder escalateExhaustedRework(Boolean v) {
      escalateExhaustedRework = Boolean.TRUE.equals(v);
      return this;
    }

    public Builder git(GitOptions v) {
      git = v == null ? GitOptions.DEFAULT : v;
      return this;
    }

    public Builder budget(CampaignBudget v) {
      budget = v == null ? CampaignBudget.NONE : v;
      return this;
    }

    /**
     * @throws CampaignInputException naming the field that is wrong
     */
    public CampaignSpec build() {
      return new CampaignSpec(
          projectId,
          queuePath,
          progressDir,
          stepPacks,
          backendMap,
          workerBackend,
          autoPlanMissing,
          maxCycles,
          maxStagnantCycles,
          maxReworkRounds,
          workspace,
          workerShim,
          skipBackendHealthCheck,
          claimOwner,
          safeguards,
          budget,
          maxParallelTasks,
          escalateExhaustedRework,
          git);
    }
  }
}
