package dev.aiflow.campaign;

import java.nio.file.Path;

/**
 * What a campaign does to protect the workspace and the spec (docs/requirements.md,
 * docs/recovery.md).
 *
 * @param requireFreeze refuse to start without approved, frozen requirements
 * @param guardContracts check every StepPack against the frozen plan and boundary before dispatch
 *     (implies {@code requireFreeze})
 * @param autoCheckpoint take a checkpoint of each pack's allowed paths before dispatch
 * @param rollbackOnFail restore that checkpoint when a cycle ends failed
 * @param requirementsDir the project folder holding {@code input/} and {@code progress/} of the
 *     freeze; null: {@code <data-dir>/projects/<projectId>}
 */
public record Safeguards(
    boolean requireFreeze,
    boolean guardContracts,
    boolean autoCheckpoint,
    boolean rollbackOnFail,
    Path requirementsDir) {

  public static final Safeguards NONE = new Safeguards(false, false, false, false, null);

  public Safeguards {
    if (rollbackOnFail && !autoCheckpoint) {
      throw new CampaignInputException(
          "options.rollbackOnFail", "needs autoCheckpoint: there is nothing to roll back to");
    }
  }

  /** The same safeguards with another requirements folder. */
  public Safeguards withRequirementsDir(Path dir) {
    return new Safeguards(requireFreeze, guardContracts, autoCheckpoint, rollbackOnFail, dir);
  }

  /** Whether the start must find an approved freeze. */
  public boolean freezeRequired() {
    return requireFreeze || guardContracts;
  }
}
