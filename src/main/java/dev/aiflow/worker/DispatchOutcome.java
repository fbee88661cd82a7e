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
 * @param usage what the run used as the shim reported it; {@link AgentUsage#UNKNOWN} when it
 *     reported nothing (an external shim without usage lines)
 */
public record DispatchOutcome(
    Outcome outcome,
    StepResult result,
    String command,
    String evidenceDir,
    String backend,
    ProcessReport process,
    AgentUsage usage) {

  public DispatchOutcome {
    usage = usage == null ? AgentUsage.UNKNOWN : usage;
  }

  /** A dispatch whose usage is unknown. */
  public DispatchOutcome(
      Outcome outcome,
      StepResult result,
      String command,
      String evidenceDir,
      String backend,
      ProcessReport process) {
    this(outcome, result, command, evidenceDir, backend, process, AgentUsage.UNKNOWN);
  }

  public boolean ok() {
    return outcome == Outcome.OK;
  }

  /** The agent thread to resume in a rework, if any is known. */
  public String threadId() {
    return result.threadId() != null ? result.threadId() : usage.threadId();
  }
}
