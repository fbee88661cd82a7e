package dev.aiflow.qa;

import dev.aiflow.protocol.FailingCheck;
import dev.aiflow.protocol.Protocol;
import dev.aiflow.protocol.ReworkPack;
import dev.aiflow.protocol.StepPack;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Turns a failing review into a {@link ReworkPack} that names exactly the failing checks, each with
 * what was found and what the rework must do. Deterministic: the same pack and review give the same
 * rework pack, which always validates against its schema.
 */
public final class ReworkBuilder {

  private static final String ROUND_NOTE = "This is rework round ";

  private ReworkBuilder() {}

  /**
   * @param pack the step as first dispatched (scope, criteria and limits come from it)
   * @param review the failing review of the latest attempt
   * @param round 1 for the first rework
   * @param threadId the agent thread to resume, or null to start a new one
   */
  public static ReworkPack build(StepPack pack, QaReview review, int round, String threadId) {
    if (review.verdict() == Verdict.PASS) {
      throw new IllegalArgumentException("a passing review needs no rework");
    }
    if (review.verdict() == Verdict.ESCALATE) {
      throw new IllegalArgumentException(
          "the review needs a person for " + review.needsPerson() + ", not a rework");
    }
    List<FailingCheck> failing = new ArrayList<>();
    for (CheckResult c : review.failingChecks()) {
      failing.add(
          new FailingCheck(
              c.check().name(),
              c.reasonCode(),
              limit(c.errors().stream().map(Finding::detail).collect(Collectors.joining("; "))),
              needs(c)));
    }
    if (failing.isEmpty()) {
      // every check passed but the worker itself did not report PASS
      failing.add(
          new FailingCheck(
              Check.DISPATCH.name(),
              review.workerReasonCode(),
              "the worker reported "
                  + review.workerResult()
                  + " ("
                  + review.workerReasonCode()
                  + ")",
              "Finish the step and report PASS with evidence for every acceptance criterion."));
    }
    String stepId = pack.stepId() + "-R" + round;
    List<String> instructions = new ArrayList<>(pack.instructions());
    instructions.add(
        ROUND_NOTE
            + round
            + " of step "
            + pack.stepId()
            + ": fix exactly the failing checks listed in this pack; keep what already passed.");
    ReworkPack rework =
        new ReworkPack(
            ReworkPack.SCHEMA,
            pack.runId(),
            pack.taskId(),
            stepId,
            pack.stepId(),
            round,
            threadId,
            failing,
            pack.objective(),
            instructions,
            pack.allowedPaths(),
            pack.acceptanceCriteria(),
            pack.requiredCommands(),
            ".artifacts/" + pack.runId() + "/" + pack.taskId() + "/" + stepId,
            pack.limits(),
            pack.worker());
    return Protocol.validate(Protocol.Kind.REWORK_PACK, rework);
  }

  /** The next round after a rework that failed its review too. */
  public static ReworkPack next(ReworkPack previous, QaReview review, String threadId) {
    StepPack step =
        new StepPack(
            StepPack.SCHEMA,
            previous.runId(),
            previous.taskId(),
            previous.reworksStepId(),
            previous.reworksStepId(),
            previous.objective(),
            previous.instructions().stream().filter(i -> !i.startsWith(ROUND_NOTE)).toList(),
            "tier2",
            null,
            previous.allowedPaths(),
            previous.acceptanceCriteria(),
            previous.requiredCommands(),
            previous.evidenceDir(),
            previous.limits(),
            previous.worker());
    return build(step, review, previous.round() + 1, threadId);
  }

  /** A failing check's detail stays within the schema's text limit. */
  private static String limit(String detail) {
    return detail.length() > 60_000 ? detail.substring(0, 60_000) + "..." : detail;
  }

  private static String needs(CheckResult c) {
    String subjects =
        limit(
            c.errors().stream().map(Finding::subject).distinct().collect(Collectors.joining(", ")));
    java.util.Set<String> codes =
        c.errors().stream().map(Finding::reasonCode).collect(Collectors.toSet());
    return switch (c.check()) {
      case IDENTITY ->
          "Report the run_id, task_id and step_id of this pack exactly (" + subjects + ").";
      case DISPATCH ->
          switch (c.reasonCode()) {
            case "TIMEOUT" ->
                "Finish within max_runtime_sec: make smaller changes, run fewer commands.";
            case "SILENCE" ->
                "Keep producing output: print progress at least every max_silence_sec seconds.";
            case "MEMORY" ->
                "Stay under max_memory_mb: avoid loading large files or builds at once.";
            case "EXIT_NONZERO" -> "Exit 0 after printing exactly one framed StepResult.";
            default ->
                "Print exactly one StepResult between the AIFLOW-STEP-RESULT markers, valid against"
                    + " the aiflow.step_result.v1 schema.";
          };
      case ACCEPTANCE_COVERAGE ->
          codes.contains("AC_VERIFICATION_FAILED") || codes.contains("AC_NOT_VERIFIED")
              ? "Make "
                  + subjects
                  + " hold: after you finish, the kernel runs each verification command itself"
                  + " and only its exit code counts; map each criterion to evidence under"
                  + " .artifacts/."
              : "Map each of " + subjects + " to an existing evidence file under .artifacts/.";
      case REQUIRED_COMMANDS ->
          "Run "
              + subjects
              + " until it exits 0 (the kernel runs it again after you), and keep its output as"
              + " evidence under .artifacts/.";
      case SCOPE ->
          codes.equals(java.util.Set.of("CHANGE_NOT_LISTED"))
              ? "List every file you changed in changed_files: the kernel observed changes to "
                  + subjects
                  + "."
              : "Revert the changes to "
                  + subjects
                  + " and change only the allowed paths; never touch the git folder or create"
                  + " links out of the workspace.";
      case CLAIMS ->
          "Report only what happened: the kernel re-ran every command and observed every changed"
              + " file, and it contradicts "
              + subjects
              + ". Fix the work for real, list every file you changed, and report the exit"
              + " codes the commands really had.";
      case EVIDENCE ->
          "Write the evidence files " + subjects + " under .artifacts/ (or stop citing them).";
    };
  }
}
