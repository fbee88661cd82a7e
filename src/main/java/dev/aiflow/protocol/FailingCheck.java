package dev.aiflow.protocol;

/**
 * A QA check that failed, as a rework pack names it.
 *
 * @param check {@code ACCEPTANCE_COVERAGE}, {@code REQUIRED_COMMANDS}, {@code SCOPE}, {@code
 *     EVIDENCE}, {@code DISPATCH} or {@code IDENTITY}
 * @param reasonCode the check's reason code
 * @param detail what was found
 * @param needs what the rework must do about it
 */
public record FailingCheck(String check, String reasonCode, String detail, String needs) {}
