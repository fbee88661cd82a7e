package dev.aiflow.logger;

import java.util.List;

/**
 * What a verification proved.
 *
 * @param scope {@code project} or {@code task:<id>}
 * @param events number of events checked
 * @param bytes number of bytes read
 * @param head hash of the last event of the chain in scope, or the genesis value if it is empty
 * @param problems findings, in file order; empty when the chain verifies
 * @param warnings things worth knowing that do not break the chain (a torn tail not yet cut)
 */
public record VerificationReport(
    String scope,
    long events,
    long bytes,
    String head,
    List<ChainProblem> problems,
    List<String> warnings) {

  public boolean ok() {
    return problems.isEmpty();
  }

  public ChainProblem firstProblem() {
    return problems.isEmpty() ? null : problems.get(0);
  }
}
