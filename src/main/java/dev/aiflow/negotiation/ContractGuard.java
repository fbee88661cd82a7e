package dev.aiflow.negotiation;

import dev.aiflow.negotiation.Requirements.Criterion;
import dev.aiflow.protocol.AcceptanceCriterion;
import dev.aiflow.protocol.PathGlob;
import dev.aiflow.protocol.StepPack;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The pre-dispatch contract guard: a StepPack may run only if its task is in the frozen plan, its
 * allowed paths lie inside the task's frozen boundary, and its acceptance criteria are the frozen
 * ones (same ids, same statements). Enforced by {@code Task_CheckContractGuard} in step-cycle.bpmn;
 * codes in docs/requirements.md.
 */
public final class ContractGuard {

  /** One violation; {@code pointer} is a JSON pointer into the StepPack. */
  public record Finding(String code, String pointer, String message) {
    @Override
    public String toString() {
      return code + " at " + (pointer.isEmpty() ? "/" : pointer) + ": " + message;
    }
  }

  /** Every violation of {@code pack} against the snapshots; empty when it may run. */
  public static List<Finding> check(
      StepPack pack, Snapshots.Plan plan, Snapshots.Boundary boundary) {
    List<Finding> out = new ArrayList<>();
    if (!plan.requirementsSha256().equals(boundary.requirementsSha256())) {
      out.add(
          new Finding(
              "GUARD_SNAPSHOTS_DISAGREE",
              "",
              "the plan and boundary snapshots come from different requirements ("
                  + plan.requirementsSha256()
                  + " vs "
                  + boundary.requirementsSha256()
                  + ")"));
      return out;
    }
    Snapshots.PlanTask task = plan.tasks().get(pack.taskId());
    if (task == null) {
      out.add(
          new Finding(
              "GUARD_TASK_NOT_IN_PLAN",
              "/task_id",
              "task " + pack.taskId() + " is not in the frozen plan " + plan.tasks().keySet()));
      return out;
    }
    List<String> frozenPaths = boundary.tasks().getOrDefault(task.key(), boundary.allowedPaths());
    for (int i = 0; i < pack.allowedPaths().size(); i++) {
      String glob = pack.allowedPaths().get(i);
      if (frozenPaths.stream().noneMatch(b -> PathGlob.covers(b, glob))) {
        out.add(
            new Finding(
                "GUARD_PATH_OUTSIDE_BOUNDARY",
                "/allowed_paths/" + i,
                "`"
                    + glob
                    + "` is not inside the frozen boundary of "
                    + task.key()
                    + " "
                    + frozenPaths));
      }
    }
    Map<String, Criterion> frozen = new LinkedHashMap<>();
    task.acceptance().forEach(c -> frozen.put(c.id(), c));
    Map<String, Integer> seen = new LinkedHashMap<>();
    for (int i = 0; i < pack.acceptanceCriteria().size(); i++) {
      AcceptanceCriterion ac = pack.acceptanceCriteria().get(i);
      seen.put(ac.id(), i);
      Criterion f = frozen.get(ac.id());
      if (f == null) {
        out.add(
            new Finding(
                "GUARD_ACCEPTANCE_NOT_FROZEN",
                "/acceptance_criteria/" + i + "/id",
                ac.id() + " is not a frozen criterion of " + task.key() + " " + frozen.keySet()));
      } else if (!same(f.description(), ac.description())) {
        out.add(
            new Finding(
                "GUARD_ACCEPTANCE_CHANGED",
                "/acceptance_criteria/" + i + "/description",
                ac.id()
                    + " says \""
                    + ac.description()
                    + "\"; frozen: \""
                    + f.description()
                    + "\""));
      }
    }
    for (Criterion f : task.acceptance()) {
      if (!seen.containsKey(f.id())) {
        out.add(
            new Finding(
                "GUARD_ACCEPTANCE_MISSING",
                "/acceptance_criteria",
                "the frozen criterion " + f.id() + " of " + task.key() + " is missing"));
      }
    }
    return out;
  }

  /** Equal up to runs of whitespace: re-wrapping a line is not a change of spec. */
  static boolean same(String a, String b) {
    return norm(a).equals(norm(b));
  }

  private static String norm(String s) {
    return s == null ? "" : s.trim().replaceAll("\\s+", " ");
  }

  /** Whether a step is checked at all: it names at least one frozen snapshot. */
  public static boolean applies(boolean hasPlanSnapshot, boolean hasBoundarySnapshot) {
    return hasPlanSnapshot || hasBoundarySnapshot;
  }

  /**
   * A guarded step needs both snapshots: one alone would let the step run half-checked, so it is
   * blocked instead ({@code GUARD_SNAPSHOT_MISSING}).
   *
   * @throws SnapshotException naming the missing one
   */
  public static void requireBothSnapshots(boolean hasPlanSnapshot, boolean hasBoundarySnapshot) {
    if (hasPlanSnapshot != hasBoundarySnapshot) {
      throw new SnapshotException(
          java.nio.file.Path.of(hasPlanSnapshot ? "boundarySnapshotPath" : "planSnapshotPath"),
          "",
          "SNAPSHOT_MISSING",
          "the guard needs both planSnapshotPath and boundarySnapshotPath");
    }
  }

  private ContractGuard() {}
}
