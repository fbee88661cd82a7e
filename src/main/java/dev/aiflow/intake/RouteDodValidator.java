package dev.aiflow.intake;

import dev.aiflow.protocol.AcceptanceCriterion;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Route / Definition-of-Done readiness: a task is ready only with a title, a target, a known
 * execution route and at least one acceptance criterion, each of them testable. Every problem is
 * one coded finding (see docs/intake.md).
 */
public final class RouteDodValidator {

  /** Execution routes the tier table knows. */
  public static final List<String> ROUTES =
      List.of(
          "direct-edit",
          "bug-fix",
          "refactor",
          "new-feature",
          "dependency-upgrade",
          "migration",
          "schema-change",
          "security-fix");

  public static final List<String> RISKS = List.of("low", "medium", "high");

  /**
   * A criterion is testable when it says how it is checked: a {@code verification}, a command in
   * backticks, or one of these observable verbs ("returns 0", "exits", "lists only ...").
   */
  static final Pattern OBSERVABLE =
      Pattern.compile(
          "`[^`]+`|\\b(returns?|exits?|pass(es)?|fails?|prints?|outputs?|responds?|contains?|"
              + "equals?|match(es)?|shows?|lists?|rejects?|accepts?|changed|changes|exists?|"
              + "succeeds?|raises?|renders?|loads?|status|within|at most|at least|no more than)\\b",
          Pattern.CASE_INSENSITIVE);

  private static final Pattern UNSAFE_PATH = Pattern.compile("^/|\\\\|(^|/)\\.\\.(/|$)|^[A-Za-z]:");

  private RouteDodValidator() {}

  /** Every reason the task is not ready; empty when it is. */
  public static List<IntakeFinding> validate(IntakeTask task) {
    List<IntakeFinding> findings = new ArrayList<>();
    if (blank(task.taskTitle())) {
      findings.add(
          new IntakeFinding("INTAKE_MISSING_TASK_TITLE", "/task_title", "a task needs a title"));
    }
    if (blank(task.target())) {
      findings.add(
          new IntakeFinding(
              "INTAKE_MISSING_TARGET",
              "/target",
              "say what is changed (a module, a file, a service)"));
    }
    if (blank(task.executionRoute())) {
      findings.add(
          new IntakeFinding(
              "INTAKE_MISSING_EXECUTION_ROUTE", "/execution_route", "one of " + ROUTES));
    } else if (!ROUTES.contains(task.executionRoute())) {
      findings.add(
          new IntakeFinding(
              "INTAKE_UNKNOWN_EXECUTION_ROUTE",
              "/execution_route",
              "'" + task.executionRoute() + "' is not one of " + ROUTES));
    }
    if (task.risk() != null && !RISKS.contains(task.risk().toLowerCase(Locale.ROOT))) {
      findings.add(
          new IntakeFinding(
              "INTAKE_UNKNOWN_RISK", "/risk", "'" + task.risk() + "' is not one of " + RISKS));
    }
    if (task.acceptanceCriteria().isEmpty()) {
      findings.add(
          new IntakeFinding(
              "INTAKE_MISSING_ACCEPTANCE_CRITERIA",
              "/acceptance_criteria",
              "at least one testable acceptance criterion is required"));
    }
    Set<String> ids = new HashSet<>();
    List<AcceptanceCriterion> criteria = task.acceptanceCriteria();
    for (int i = 0; i < criteria.size(); i++) {
      AcceptanceCriterion c = criteria.get(i);
      String at = "/acceptance_criteria/" + i;
      if (blank(c.id())) {
        findings.add(
            new IntakeFinding(
                "INTAKE_CRITERION_WITHOUT_ID",
                at,
                "give the criterion an id such as AC-" + (i + 1)));
      } else if (!ids.add(c.id())) {
        findings.add(
            new IntakeFinding(
                "INTAKE_DUPLICATE_CRITERION_ID", at, "id " + c.id() + " is used twice"));
      }
      if (blank(c.description())) {
        findings.add(new IntakeFinding("INTAKE_EMPTY_CRITERION", at, "the criterion says nothing"));
      } else if (!testable(c)) {
        findings.add(
            new IntakeFinding(
                "INTAKE_UNTESTABLE_CRITERION",
                at,
                "'"
                    + c.description()
                    + "' does not say how it is checked: add a verification (a command or an"
                    + " observable result)"));
      }
    }
    List<String> paths = task.allowedPaths();
    for (int i = 0; i < paths.size(); i++) {
      if (blank(paths.get(i)) || UNSAFE_PATH.matcher(paths.get(i)).find()) {
        findings.add(
            new IntakeFinding(
                "INTAKE_UNSAFE_ALLOWED_PATH",
                "/allowed_paths/" + i,
                "'" + paths.get(i) + "' must be a workspace-relative glob without '..'"));
      }
    }
    return findings;
  }

  static boolean testable(AcceptanceCriterion c) {
    return !blank(c.verification()) || OBSERVABLE.matcher(c.description()).find();
  }

  private static boolean blank(String s) {
    return s == null || s.isBlank();
  }
}
