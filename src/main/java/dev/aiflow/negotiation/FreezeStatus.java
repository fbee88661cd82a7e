package dev.aiflow.negotiation;

/**
 * Whether a project may execute under its frozen requirements.
 *
 * @param code null when approved, else why not ({@code FREEZE_META_MISSING}, {@code
 *     FREEZE_META_CORRUPT}, {@code FREEZE_NOT_APPROVED}, {@code REQUIREMENTS_CURRENT_MISSING},
 *     {@code REQUIREMENTS_CHANGED})
 */
public record FreezeStatus(boolean approved, FreezeMeta meta, String code, String message) {

  static FreezeStatus approved(FreezeMeta meta) {
    return new FreezeStatus(
        true, meta, null, "frozen v" + meta.version() + " approved by " + meta.approver());
  }

  static FreezeStatus blocked(String code, String message) {
    return new FreezeStatus(false, null, code, message);
  }
}
