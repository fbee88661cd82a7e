package dev.aiflow.campaign;

import dev.aiflow.negotiation.FreezeStatus;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The execution guard's rule (docs/requirements.md): a campaign whose safeguards or project policy
 * require a freeze runs only under approved, frozen requirements. What it decides goes into the
 * chain as {@code execution_started} or {@code execution_blocked_unapproved}, with these fields.
 */
public final class ExecutionGuard {

  private ExecutionGuard() {}

  /**
   * @param blocked the campaign must not run
   * @param fields the chain event's fields
   * @param code the freeze problem when blocked ({@code FREEZE_META_MISSING}, ...)
   * @param detail a line naming the problem
   */
  public record Decision(boolean blocked, Map<String, Object> fields, String code, String detail) {
    public String eventType() {
      return blocked ? "execution_blocked_unapproved" : "execution_started";
    }
  }

  /** Whether a freeze is required: asked by the campaign (or its contract guard) or the project. */
  public static boolean freezeRequired(Safeguards safeguards, boolean projectRequiresFreeze) {
    return safeguards.freezeRequired() || projectRequiresFreeze;
  }

  /**
   * The decision for a campaign.
   *
   * @param actor who asked for the campaign (the engine's initiator), or "system"
   * @param requirementsDir where the project keeps its freeze, for the record
   */
  public static Decision decide(
      String campaignId,
      String actor,
      Safeguards safeguards,
      boolean projectRequiresFreeze,
      FreezeStatus status,
      String requirementsDir) {
    Map<String, Object> fields = new LinkedHashMap<>();
    fields.put("campaign_id", campaignId);
    fields.put("actor", actor == null ? "system" : actor);
    boolean required = freezeRequired(safeguards, projectRequiresFreeze);
    fields.put("require_freeze", required);
    fields.put("requirements_dir", requirementsDir);
    if (required && !status.approved()) {
      fields.put("code", status.code());
      fields.put("detail", status.message());
      return new Decision(true, fields, status.code(), status.code() + ": " + status.message());
    }
    if (status.approved()) {
      fields.put("requirements_version", status.meta().version());
      fields.put("requirements_sha256", status.meta().sha256());
    }
    return new Decision(false, fields, null, null);
  }
}
