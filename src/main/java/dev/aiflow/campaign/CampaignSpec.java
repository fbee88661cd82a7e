package dev.aiflow.campaign;

import dev.aiflow.worker.BackendMap;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

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
    Safeguards safeguards) {

  public static final int DEFAULT_MAX_CYCLES = 50;
  public static final int DEFAULT_MAX_STAGNANT_CYCLES = 5;
  public static final int DEFAULT_MAX_REWORK_ROUNDS = 1;
  private static final Pattern ID = Pattern.compile("^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$");

  public CampaignSpec {
    stepPacks = stepPacks == null ? StepPackMap.empty() : stepPacks;
    safeguards = safeguards == null ? Safeguards.NONE : safeguards;
    backendMap = backendMap == null ? Map.of() : Map.copyOf(backendMap);
    check(
        projectId != null && ID.matcher(projectId).matches() && !projectId.contains(".."),
        "projectId",
        "'" + projectId + "' is not a project id ([A-Za-z0-9._:-], no '..')");
    check(queuePath != null, "queuePath", "required");
    check(maxCycles >= 1 && maxCycles <= 100_000, "options.maxCycles", "must be 1..100000");
    check(
        maxStagnantCycles >= 0 && maxStagnantCycles <= 100_000,
        "options.maxStagnantCycles",
        "must be 0 (off)..100000");
    check(
        maxReworkRounds >= 0 && maxReworkRounds <= 10, "options.maxReworkRounds", "must be 0..10");
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
   * Refuses paths outside {@code roots}: whoever may start a campaign must not make the server read
   * or write elsewhere.
   */
  public void requireWithin(List<Path> roots) {
    within(queuePath, "queuePath", roots);
    within(effectiveProgressDir(), "progressDir", roots);
    if (safeguards.requirementsDir() != null) {
      within(safeguards.requirementsDir(), "options.requirementsDir", roots);
    }
    if (workspace != null) {
      within(workspace, "workspace", roots);
      if (!java.nio.file.Files.isDirectory(workspace)) {
        throw new CampaignInputException(
            "workspace",
            "no folder at " + workspace.toAbsolutePath() + " for the agents to work in");
      }
    }
  }

  /** Refuses a path outside {@code roots}, naming the field. */
  public static void requireInside(Path p, String field, List<Path> roots) {
    within(p, field, roots);
  }

  static void within(Path p, String field, List<Path> roots) {
    Path abs = p.toAbsolutePath().normalize();
    for (Path root : roots) {
      if (abs.startsWith(root)) {
        return;
      }
    }
    throw new CampaignInputException(
        field,
        abs
            + " is outside the folders this server may use "
            + roots
            + " (add one with aiflow.allowed-roots)");
  }

  private static void check(boolean ok, String field, String message) {
    if (!ok) {
      throw new CampaignInputException(field, message);
    }
  }
}
