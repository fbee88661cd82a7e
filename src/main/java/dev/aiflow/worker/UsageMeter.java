package dev.aiflow.worker;

import java.util.Optional;

/**
 * Reads the usage and outcome lines of a shim's stdout as they arrive, keeps the latest running
 * totals, and asks the supervisor to stop the run the moment they pass the step's budget.
 */
public final class UsageMeter implements OutputObserver {

  private final StepBudget budget;
  private volatile AgentUsage latest = AgentUsage.UNKNOWN;
  private volatile UsageLines.Reported reported;
  private volatile String exceeded;
  private volatile int usageLines;

  public UsageMeter(StepBudget budget) {
    this.budget = budget == null ? StepBudget.none() : budget;
  }

  @Override
  public Stop onStdoutLine(String line) {
    if (line.startsWith(UsageLines.USAGE)) {
      Optional<AgentUsage> usage = UsageLines.parseUsage(line);
      if (usage.isPresent()) {
        AgentUsage next = usage.get();
        if (next.threadId() == null && latest.threadId() != null) {
          next = next.withThreadId(latest.threadId());
        }
        latest = next;
        usageLines++;
        if (exceeded == null) {
          budget.exceededBy(next).ifPresent(reason -> exceeded = reason);
        }
      }
    } else if (line.startsWith(UsageLines.OUTCOME) && reported == null) {
      UsageLines.parseOutcome(line).ifPresent(r -> reported = r);
    }
    return exceeded == null ? null : new Stop(Outcome.BUDGET, exceeded);
  }

  /** The latest running totals, or {@link AgentUsage#UNKNOWN} when the shim reported none. */
  public AgentUsage usage() {
    return latest;
  }

  /** The outcome the shim reported, if any. */
  public Optional<UsageLines.Reported> reported() {
    return Optional.ofNullable(reported);
  }

  /** Why the budget was passed, if it was. */
  public Optional<String> exceeded() {
    return Optional.ofNullable(exceeded);
  }

  public StepBudget budget() {
    return budget;
  }

  public int usageLines() {
    return usageLines;
  }
}
