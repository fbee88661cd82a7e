package dev.aiflow.engine.campaign;

import static org.assertj.core.api.Assertions.assertThat;

import dev.aiflow.campaign.CampaignSpec;
import dev.aiflow.campaign.Safeguards;
import dev.aiflow.config.AiflowProperties;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The insider review's freeze bypass: a campaign started over /engine-rest named {@code
 * requirementsDir} as a copy of another project's approved freeze and ran a project the server
 * requires frozen. A required project is judged by its own freeze only.
 */
class RequiredFreezeLocationTest {

  @TempDir Path data;

  private CampaignSupport support(List<String> required) {
    AiflowProperties p = AiflowProperties.forDataDir(data);
    AiflowProperties withFreeze =
        new AiflowProperties(
            p.dataDir(),
            p.admin(),
            p.worker(),
            p.allowedRoots(),
            p.demo(),
            new AiflowProperties.Freeze(required),
            p.controller(),
            null,
            p.agents(),
            p.transparency());
    return new CampaignSupport(withFreeze, null, null, null);
  }

  private CampaignSpec spec(String project, Path requirementsDir) {
    return CampaignSpec.builder(project, data.resolve("queue.json"))
        .safeguards(new Safeguards(true, true, false, false, requirementsDir))
        .build();
  }

  @Test
  void aRequiredProjectIgnoresTheFolderTheStartNamed() {
    Path elsewhere = data.resolve("copy-of-another-freeze");
    assertThat(support(List.of("locked")).requirementsDir(spec("locked", elsewhere)))
        .isEqualTo(AiflowProperties.forDataDir(data).projectDir("locked"));
  }

  @Test
  void anOptionalFreezeMayLiveElsewhere() {
    Path elsewhere = data.resolve("my-freeze");
    assertThat(support(List.of("locked")).requirementsDir(spec("free", elsewhere)))
        .isEqualTo(elsewhere);
  }
}
