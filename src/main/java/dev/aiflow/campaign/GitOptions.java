package dev.aiflow.campaign;

import java.util.Locale;
import java.util.regex.Pattern;

/**
 * How a campaign isolates its tasks in git (docs/triage.md, "Isolation in git").
 *
 * @param isolation {@code auto}: a worktree per task when the workspace is a git repository; {@code
 *     off}: the lanes share the workspace
 * @param integrationMode {@code merge} (a merge commit per task) or {@code fast-forward} (when the
 *     campaign branch has not moved)
 * @param campaignBranch the branch the accepted tasks go to; null: {@code aiflow-campaign/<id>}
 * @param keepFailedWorktrees keep a failed task's worktree for inspection
 */
public record GitOptions(
    String isolation, String integrationMode, String campaignBranch, boolean keepFailedWorktrees) {

  public static final GitOptions DEFAULT = new GitOptions(null, null, null, false);

  // a plain branch name: no option, no range, no reflog syntax, no path tricks
  private static final Pattern BRANCH = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._/-]{0,199}");

  /**
   * @throws CampaignInputException naming the field that is wrong
   */
  public GitOptions {
    isolation =
        isolation == null || isolation.isBlank()
            ? "auto"
            : isolation.strip().toLowerCase(Locale.ROOT);
    if (!isolation.equals("auto") && !isolation.equals("off")) {
      throw new CampaignInputException("options.gitIsolation", "must be auto or off");
    }
    String mode =
        integrationMode == null || integrationMode.isBlank()
            ? "merge"
            : integrationMode.strip().toLowerCase(Locale.ROOT).replace('_', '-');
    integrationMode = mode.equals("ff") ? "fast-forward" : mode;
    if (!integrationMode.equals("merge") && !integrationMode.equals("fast-forward")) {
      throw new CampaignInputException("options.integrationMode", "must be merge or fast-forward");
    }
    campaignBranch =
        campaignBranch == null || campaignBranch.isBlank() ? null : campaignBranch.strip();
    if (campaignBranch != null
        && (!BRANCH.matcher(campaignBranch).matches()
            || campaignBranch.contains("..")
            || campaignBranch.contains("//")
            || campaignBranch.endsWith("/")
            || campaignBranch.endsWith(".lock"))) {
      throw new CampaignInputException(
          "options.campaignBranch", "must be a plain branch name (letters, digits, . _ / -)");
    }
  }
}
