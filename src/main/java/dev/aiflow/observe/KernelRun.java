package dev.aiflow.observe;

import java.util.List;

/**
 * One command the kernel ran itself, after the agent, in the workspace.
 *
 * @param id {@code run-1}, {@code run-2}... in the order run
 * @param command the command line, run with {@code bash -c} (or {@code sh -c})
 * @param required whether it is one of the step's {@code required_commands}
 * @param criteria the acceptance criteria whose {@code verification} it is
 * @param outcome the supervisor's outcome: {@code OK}, {@code EXIT_NONZERO}, {@code TIMEOUT},
 *     {@code SILENCE}, {@code MEMORY}, {@code SPAWN_FAILED}, {@code CANCELLED}
 * @param exitCode its exit code, or -1 when it was stopped or never started
 * @param stdout its standard output as kept (secrets redacted), with its SHA-256
 * @param sandbox {@code bwrap} or {@code none}
 * @param network whether it had the network
 */
public record KernelRun(
    String id,
    String command,
    boolean required,
    List<String> criteria,
    String outcome,
    int exitCode,
    long durationMs,
    String detail,
    KernelFile stdout,
    KernelFile stderr,
    String sandbox,
    boolean network) {

  public KernelRun {
    criteria = criteria == null ? List.of() : List.copyOf(criteria);
  }

  public boolean passed() {
    return "OK".equals(outcome) && exitCode == 0;
  }

  /** A sentence for findings: what the kernel saw. */
  public String describe() {
    String how =
        "OK".equals(outcome) || "EXIT_NONZERO".equals(outcome)
            ? "exit " + exitCode
            : outcome + (detail == null ? "" : " (" + detail + ")");
    return "the kernel ran `"
        + command
        + "`: "
        + how
        + " after "
        + String.format(java.util.Locale.ROOT, "%.1f", durationMs / 1000.0)
        + " s"
        + (stdout == null ? "" : "; output in " + stdout.path())
        + (stderr == null || stderr.bytes() == 0 ? "" : " and " + stderr.path());
  }
}
