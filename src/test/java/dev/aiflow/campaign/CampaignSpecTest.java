package dev.aiflow.campaign;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** One builder, the defaults in one place. */
class CampaignSpecTest {

  @Test
  void theBuilderFillsEveryDefault() {
    CampaignSpec s = CampaignSpec.builder(null, Path.of("q.json")).build();
    assertThat(s.projectId()).isEqualTo("default");
    assertThat(s.maxCycles()).isEqualTo(CampaignSpec.DEFAULT_MAX_CYCLES);
    assertThat(s.maxStagnantCycles()).isEqualTo(CampaignSpec.DEFAULT_MAX_STAGNANT_CYCLES);
    assertThat(s.maxReworkRounds()).isEqualTo(CampaignSpec.DEFAULT_MAX_REWORK_ROUNDS);
    assertThat(s.stepPacks().asMap()).isEmpty();
    assertThat(s.backendMap()).isEmpty();
    assertThat(s.safeguards()).isEqualTo(Safeguards.NONE);
    assertThat(s.budget()).isEqualTo(CampaignBudget.NONE);
    assertThat(s.autoPlanMissing()).isFalse();
    assertThat(s.claimOwner()).isNull();
    // a null option (an absent JSON field) keeps the default
    assertThat(CampaignSpec.builder("p", Path.of("q.json")).maxCycles(null).build().maxCycles())
        .isEqualTo(CampaignSpec.DEFAULT_MAX_CYCLES);
  }

  @Test
  void toBuilderKeepsEveryField() {
    CampaignSpec s =
        CampaignSpec.builder("p", Path.of("q.json"))
            .maxCycles(3)
            .maxStagnantCycles(0)
            .workerBackend("mock")
            .budget(new CampaignBudget(10, 0.5))
            .claimOwner("run:R")
            .build();
    assertThat(s.toBuilder().build()).isEqualTo(s);
  }

  @Test
  void aLimitOutOfRangeIsRefusedNamingTheOption() {
    assertThatThrownBy(() -> CampaignSpec.builder("p", Path.of("q.json")).maxCycles(0).build())
        .isInstanceOfSatisfying(
            CampaignInputException.class,
            e -> assertThat(e.field()).isEqualTo("options.maxCycles"));
  }
}
