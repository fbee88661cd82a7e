package dev.aiflow.campaign;

import dev.aiflow.protocol.AcceptanceCriterion;
import dev.aiflow.protocol.Limits;
import dev.aiflow.protocol.Protocol;
import dev.aiflow.protocol.ProtocolException;
import dev.aiflow.protocol.StepPack;
import dev.aiflow.protocol.Worker;
import dev.aiflow.triage.QueueTask;
import dev.aiflow.triage.TaskPlan;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes a StepPack for a queued task that has none, from the task's {@code plan} (docs/triage.md,
 * "Auto-plan"). It plans only what it can bound: without allowed paths and acceptance criteria, or
 * without a backend, there is no plan and the campaign sets the task aside with the reason.
 */
public final class AutoPlanner {

  /** Limits of an auto-planned step: the example pack's, generous but bounded. */
  public static final Limits DEFAULT_LIMITS = new Limits(900, 120, 2048);

  /** A pack, or why there is none. */
  public record Plan(StepPack pack, String refusal) {
    public boolean planned() {
      return pack != null;
    }
  }

  private AutoPlanner() {}

  /**
   * @param backend the campaign's backend for this task, used when the plan names none
   */
  public static Plan plan(QueueTask task, String runId, String backend) {
    TaskPlan p = task.plan();
    if (p == null) {
      return new Plan(null, "no step pack and no plan to auto-plan from");
    }
    if (p.allowedPaths().isEmpty()) {
      return new Plan(null, "its plan has no allowed_paths: an unbounded step is never planned");
    }
    if (p.acceptanceCriteria().isEmpty()) {
      return new Plan(null, "its plan has no acceptance_criteria: nothing would say it is done");
    }
    String chosen = p.backend() != null ? p.backend() : backend;
    if (chosen == null) {
      return new Plan(null, "no backend: give plan.backend, the backend map or workerBackend");
    }
    // the kernel passes a criterion only when a command proves it: a plan's criteria are proven
    // by its required commands together; without any they need a person (docs/triage.md)
    String proof =
        p.requiredCommands().isEmpty() ? null : String.join(" && ", p.requiredCommands());
    List<AcceptanceCriterion> criteria = new ArrayList<>();
    for (int i = 0; i < p.acceptanceCriteria().size(); i++) {
      criteria.add(new AcceptanceCriterion("AC-" + (i + 1), p.acceptanceCriteria().get(i), proof));
    }
    List<String> instructions = new ArrayList<>(p.instructions());
    instructions.add(
        "This step was planned by aiflow from queue task "
            + task.key()
            + "; change only the"
            + " allowed paths.");
    StepPack pack =
        new StepPack(
            StepPack.SCHEMA,
            runId,
            task.key(),
            "S1",
            task.title(),
            p.objective() != null ? p.objective() : task.title(),
            instructions,
            "tier2",
            null,
            p.allowedPaths(),
            criteria,
            p.requiredCommands(),
            ".artifacts/" + runId + "/" + task.key() + "/S1",
            DEFAULT_LIMITS,
            new Worker(chosen, null));
    try {
      return new Plan(Protocol.validate(Protocol.Kind.STEP_PACK, pack), null);
    } catch (ProtocolException e) {
      return new Plan(null, "the planned pack would be invalid: " + e.getMessage());
    }
  }
}
