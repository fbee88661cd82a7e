package dev.aiflow.qa;

import java.util.List;

/**
 * The outcome of one check.
 *
 * @param passed whether no finding is an error (warnings do not fail a check)
 * @param reasonCode {@code OK}, or the code of its first error
 * @param findings errors and warnings, in the order found
 */
public record CheckResult(Check check, boolean passed, String reasonCode, List<Finding> findings) {

  public CheckResult {
    findings = List.copyOf(findings);
  }

  static CheckResult of(Check check, List<Finding> findings) {
    List<Finding> errors = findings.stream().filter(Finding::blocking).toList();
    return new CheckResult(
        check, errors.isEmpty(), errors.isEmpty() ? "OK" : errors.get(0).reasonCode(), findings);
  }

  /** Whether a rework can fix every error of this check. */
  public boolean fixable() {
    return findings.stream().filter(Finding::blocking).allMatch(Finding::fixable);
  }

  /** The findings that fail the check. */
  public List<Finding> errors() {
    return findings.stream().filter(Finding::blocking).toList();
  }

  /** The findings reported for information. */
  public List<Finding> warnings() {
    return findings.stream().filter(f -> !f.blocking()).toList();
  }
}
