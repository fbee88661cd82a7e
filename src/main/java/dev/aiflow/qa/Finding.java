package dev.aiflow.qa;

/**
 * One thing a check found.
 *
 * @param reasonCode e.g. {@code AC_NOT_COVERED}, {@code SCOPE_VIOLATION}, {@code CLAIM_MISMATCH}
 * @param subject what it is about: a criterion id, a command, a path
 * @param detail a readable sentence
 * @param fixable whether a rework can fix it; a protocol or scope violation cannot
 * @param severity {@code ERROR} fails its check; a {@code WARNING} is reported and fails nothing
 */
public record Finding(
    String reasonCode, String subject, String detail, boolean fixable, Severity severity) {

  /** Whether a finding fails its check. */
  public enum Severity {
    ERROR,
    WARNING
  }

  public Finding {
    severity = severity == null ? Severity.ERROR : severity;
  }

  public Finding(String reasonCode, String subject, String detail, boolean fixable) {
    this(reasonCode, subject, detail, fixable, Severity.ERROR);
  }

  /** A finding reported for information: it fails nothing. */
  static Finding warning(String reasonCode, String subject, String detail) {
    return new Finding(reasonCode, subject, detail, true, Severity.WARNING);
  }

  /** Whether it fails its check. */
  public boolean blocking() {
    return severity == Severity.ERROR;
  }
}
