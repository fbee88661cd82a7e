package dev.aiflow.qa;

import java.util.List;

/**
 * A review of one StepResult against its StepPack or ReworkPack, and the kernel's observation.
 *
 * @param workerResult what the worker reported: PASS, FAIL or BLOCKED
 * @param workerReasonCode the worker's (or the supervisor's) reason code
 * @param reasonCode why the verdict: {@code PASS_ALL_CRITERIA}, {@code REWORK_FIXABLE_FINDINGS},
 *     {@code FAIL_SCOPE_VIOLATION}, {@code FAIL_PROTOCOL_VIOLATION}, {@code FAIL_CLAIM_MISMATCH},
 *     {@code FAIL_PASS_WITHOUT_EVIDENCE}, {@code FAIL_WORKER_BLOCKED}, {@code
 *     ESCALATE_MANUAL_CRITERIA}
 * @param checks every check, in {@link Check} order
 * @param evidence every evidence file that exists, the agent's and the kernel's, with its SHA-256
 * @param backend the backend that ran the step (for per-backend counts)
 * @param claimsContradicted how many of the agent's claims the workspace contradicts (the {@code
 *     CLAIM_MISMATCH} findings): the scoreboard's "claims contradicted by the workspace"
 * @param needsPerson the criteria a person must judge (manual, or without a verification command)
 * @param kernelObservation the kernel observation the review judged ({@code
 *     <evidence_dir>/kernel/observation.json}), or null for a claims-only review
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
    List<EvidenceRecord> evidence,
    String backend,
    int claimsContradicted,
    List<String> needsPerson,
    String kernelObservation) {

  public QaReview {
    checks = List.copyOf(checks);
    evidence = List.copyOf(evidence);
    needsPerson = needsPerson == null ? List.of() : List.copyOf(needsPerson);
  }

  public List<CheckResult> failingChecks() {
    return checks.stream().filter(c -> !c.passed()).toList();
  }
}
