package dev.aiflow.engine.cockpit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** The links aiflow prints point at the plugin's routes, and an id cannot leave its route. */
class CockpitLinksTest {

  @Test
  void campaignAndAuditLinksNameThePluginsRoutes() {
    String id = "75c0268f-edb0-11f1-9ea1-02fc00000001";
    assertThat(CockpitLinks.campaign(id))
        .isEqualTo("/camunda/app/cockpit/default/#/aiflow/campaigns/" + id);
    assertThat(CockpitLinks.audit(id))
        .isEqualTo("/camunda/app/cockpit/default/#/aiflow/audit/" + id);
    assertThat(CockpitLinks.absolute("http://127.0.0.1:8080/", CockpitLinks.campaign(id)))
        .isEqualTo("http://127.0.0.1:8080/camunda/app/cockpit/default/#/aiflow/campaigns/" + id);
  }

  @Test
  void anIdIsOnePathSegment() {
    assertThat(CockpitLinks.audit("../x?y#z"))
        .isEqualTo("/camunda/app/cockpit/default/#/aiflow/audit/..%2Fx%3Fy%23z");
    assertThatThrownBy(() -> CockpitLinks.campaign(" ")).hasMessageContaining("campaign id");
  }
}
