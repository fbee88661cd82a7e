package dev.aiflow.worker;

import dev.aiflow.protocol.StepResult;

/**
 * What one dispatch produced.
 *
 * @param outcome the classification (see {@link Outcome})
 * @param result the agent's StepResult, or one the controller synthesized when there was none it
 *     could accept ({@code result=FAIL}, {@code reason_code} = the outcome)
 * @param command the command line, with the prompt summarised
 * @param evidenceDir the step's evidence folder, relative to the workspace
 * @param process the supervisor's report
 */
public record DispatchOutcome(
    Outcome outcome,
    StepResult result,
    String command,
    String evidenceDir,
    String backend,
    ProcessReport process) {

  public boolean ok() {
    return outcome == Outcome.OK;
  }

  /** The agent thread to resume in a rework, if any is known. */
  public String threadId() {
    return result.threadId();
  }
}
