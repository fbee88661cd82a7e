package dev.aiflow.campaign;

import static org.assertj.core.api.Assertions.assertThat;

import dev.aiflow.negotiation.FreezeMeta;
import dev.aiflow.negotiation.FreezeStatus;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** The freeze-required rule and the decision the execution guard logs. */
class ExecutionGuardTest {

  static final FreezeStatus MISSING =
      new FreezeStatus(false, null, "FREEZE_META_MISSING", "no freeze_meta.json");

  static FreezeStatus approved() {
    return new FreezeStatus(
        true,
        new FreezeMeta(3, true, "alice", Instant.EPOCH, "ab12", "requirements.md", "ok", 1),
        null,
        null);
  }

  @Test
  void aFreezeIsRequiredByTheCampaignItsContractGuardOrTheProject() {
    assertThat(ExecutionGuard.freezeRequired(Safeguards.NONE, false)).isFalse();
    assertThat(ExecutionGuard.freezeRequired(Safeguards.NONE, true)).isTrue();
    assertThat(
            ExecutionGuard.freezeRequired(new Safeguards(true, false, false, false, null), false))
        .isTrue();
    assertThat(
            ExecutionGuard.freezeRequired(new Safeguards(false, true, false, false, null), false))
        .as("the contract guard needs the frozen plan")
        .isTrue();
  }

  @Test
  void aRequiredFreezeThatIsMissingBlocksNamingTheProblem() {
    ExecutionGuard.Decision d =
        ExecutionGuard.decide("pi-1", "bob", Safeguards.NONE, true, MISSING, "/req");
    assertThat(d.blocked()).isTrue();
    assertThat(d.eventType()).isEqualTo("execution_blocked_unapproved");
    assertThat(d.code()).isEqualTo("FREEZE_META_MISSING");
    assertThat(d.detail()).isEqualTo("FREEZE_META_MISSING: no freeze_meta.json");
    assertThat(d.fields())
        .containsEntry("campaign_id", "pi-1")
        .containsEntry("actor", "bob")
        .containsEntry("require_freeze", true)
        .containsEntry("code", "FREEZE_META_MISSING");
  }

  @Test
  void withoutARequirementTheCampaignStartsAndAnApprovedFreezeIsNamed() {
    ExecutionGuard.Decision none =
        ExecutionGuard.decide("pi-1", null, Safeguards.NONE, false, MISSING, "/req");
    assertThat(none.blocked()).isFalse();
    assertThat(none.eventType()).isEqualTo("execution_started");
    assertThat(none.fields()).containsEntry("actor", "system").doesNotContainKey("code");

    ExecutionGuard.Decision frozen =
        ExecutionGuard.decide("pi-1", "bob", Safeguards.NONE, true, approved(), "/req");
    assertThat(frozen.blocked()).isFalse();
    assertThat(frozen.fields())
        .containsEntry("requirements_version", 3)
        .containsEntry("requirements_sha256", "ab12");
  }
}
