package dev.aiflow.campaign;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The git options of a campaign: their defaults, spellings and refusals, in the spec. */
class GitOptionsTest {

  @Test
  void theDefaultsAreAWorktreePerTaskAndAMergeCommit() {
    GitOptions d = CampaignSpec.builder("p", Path.of("q.json")).build().git();
    assertThat(d).isEqualTo(GitOptions.DEFAULT);
    assertThat(d.isolation()).isEqualTo("auto");
    assertThat(d.integrationMode()).isEqualTo("merge");
    assertThat(d.campaignBranch()).isNull();
    assertThat(d.keepFailedWorktrees()).isFalse();
  }

  @Test
  void spellingsAreNormalised() {
    GitOptions g = new GitOptions(" OFF ", "FF", " release/next ", true);
    assertThat(g.isolation()).isEqualTo("off");
    assertThat(g.integrationMode()).isEqualTo("fast-forward");
    assertThat(g.campaignBranch()).isEqualTo("release/next");
    assertThat(new GitOptions(null, "fast_forward", "", false).integrationMode())
        .isEqualTo("fast-forward");
  }

  @Test
  void aWrongValueIsRefusedNamingItsField() {
    assertThatThrownBy(() -> new GitOptions("always", null, null, false))
        .isInstanceOf(CampaignInputException.class)
        .satisfies(
            e ->
                assertThat(((CampaignInputException) e).field()).isEqualTo("options.gitIsolation"));
    assertThatThrownBy(() -> new GitOptions(null, "rebase", null, false))
        .satisfies(
            e ->
                assertThat(((CampaignInputException) e).field())
                    .isEqualTo("options.integrationMode"));
    for (String branch : new String[] {"-f", "a..b", "a b", "x.lock", "a//b", "a/", "@{1}", "~1"}) {
      assertThatThrownBy(() -> new GitOptions(null, null, branch, false))
          .as(branch)
          .satisfies(
              e ->
                  assertThat(((CampaignInputException) e).field())
                      .isEqualTo("options.campaignBranch"));
    }
  }
}
