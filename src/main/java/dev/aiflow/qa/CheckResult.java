package dev.aiflow.qa;

import java.util.List;

/**
 * The outcome of one check.
 *
 * @param reasonCode {@code OK}, or the code of its first finding
 */
public record CheckResult(Check check, boolean passed, String reasonCode, List<Finding> findings) {

  public CheckResult {
    findings = List.copyOf(findings);
  }

  static CheckResult of(Check check, List<Finding> findings) {
    return new CheckResult(
        check,
        findings.isEmpty(),
        findings.isEmpty() ? "OK" : findings.get(0).reasonCode(),
        findings);
  }

  public boolean fixable() {
    return findings.stream().allMatch(Finding::fixable);
  }
}
