package dev.aiflow.qa;

import java.util.List;

/**
 * A review of one StepResult against its StepPack or ReworkPack.
 *
 * @param workerResult what the worker reported: PASS, FAIL or BLOCKED
 * @param workerReasonCode the worker's (or the supervisor's) reason code
 * @param reasonCode why the verdict: {@code PASS_ALL_CRITERIA}, {@code REWORK_FIXABLE_FINDINGS},
 *     {@code FAIL_SCOPE_VIOLATION}, {@code FAIL_PROTOCOL_VIOLATION}, {@code
 *     FAIL_PASS_WITHOUT_EVIDENCE}, {@code FAIL_WORKER_BLOCKED}
 * @param checks every check, in {@link Check} order
 * @param evidence every evidence file that exists, with its SHA-256
 */
public record QaReview(
    String runId,
    String taskId,
    String stepId,
    String workerResult,
    String workerReasonCode,
    Verdict verdict,
    String reasonCode,
    String summary,
    List<CheckResult> checks,
    List<EvidenceRecord> evidence) {

  public QaReview {
    checks = List.copyOf(checks);
    evidence = List.copyOf(evidence);
  }

  public List<CheckResult> failingChecks() {
    return checks.stream().filter(c -> !c.passed()).toList();
  }
}
