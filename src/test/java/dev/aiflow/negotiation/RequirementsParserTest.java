package dev.aiflow.negotiation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.aiflow.negotiation.RequirementsFormatException.Finding;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class RequirementsParserTest {

  static List<Finding> findings(String md) {
    try {
      RequirementsParser.parse(md, "brief.md");
    } catch (RequirementsFormatException e) {
      return e.findings();
    }
    throw new AssertionError("expected the brief to be refused");
  }

  static final String GOOD =
      """
      # Task brief: Demo

      ## Goal
      Make the demo greet by name.

      ## Scope
      Allowed paths:
      - `src/`
      - `tests/**/*.py`

      ## Tasks
      ### T-1: Greet by name
      - Priority: 1
      - Allowed paths: `src/greet.py`, `tests/unit/test_greet.py`
      - Acceptance:
        - AC-1: prints Hello, Ada (verify: `pytest -q`)
        - AC-2: no name still prints Hello, world
      """;

  @Test
  void theShippedExampleParses() throws Exception {
    Requirements r =
        RequirementsParser.parse(
            Files.readString(Path.of("docs/templates/task_brief.example.md")), "example");
    assertThat(r.tasks())
        .extracting(Requirements.PlannedTask::key)
        .containsExactly("GREET-1", "GREET-2");
    assertThat(r.tasks().get(0).priority()).isEqualTo(1);
    assertThat(r.tasks().get(0).acceptance().get(0).verification())
        .isEqualTo("python -m pytest tests/test_greet.py -q");
    assertThat(r.boundary()).containsExactly("src/greet.py", "tests/", "README.md");
    assertThat(r.openQuestions()).hasSize(1);
  }

  @Test
  void theBareTemplateIsRefusedForItsPlaceholders() throws Exception {
    List<Finding> f = findings(Files.readString(Path.of("docs/templates/task_brief.template.md")));
    assertThat(f).extracting(Finding::code).contains("PLACEHOLDER_LEFT");
  }

  @Test
  void aGoodBriefReadsEveryPart() {
    Requirements r = RequirementsParser.parse(GOOD, "brief.md");
    assertThat(r.title()).isEqualTo("Demo");
    assertThat(r.goal()).isEqualTo("Make the demo greet by name.");
    Requirements.PlannedTask t = r.tasks().get(0);
    assertThat(t.allowedPaths()).containsExactly("src/greet.py", "tests/unit/test_greet.py");
    assertThat(t.acceptance())
        .containsExactly(
            new Requirements.Criterion("AC-1", "prints Hello, Ada", "pytest -q"),
            new Requirements.Criterion("AC-2", "no name still prints Hello, world", null));
  }

  @Test
  void everyProblemIsReportedWithItsLine() {
    String md =
        """
        # Task brief: Demo

        ## Scope
        Allowed paths:
        - `/etc/passwd`
        - `src/`

        ## Tasks
        ### T-1: One
        - Allowed paths: `lib/x.py`
        - Acceptance:
        ### T-1: Again
        - Priority: high
        - Acceptance:
          - AC-1: works
          - AC-1: works twice
          - not a criterion
        """;
    List<Finding> f = findings(md);
    assertThat(f)
        .extracting(Finding::code)
        .contains(
            "GOAL_MISSING",
            "PATH_INVALID",
            "PRIORITY_INVALID",
            "CRITERION_REPEATED",
            "CRITERION_UNREADABLE",
            "TASK_KEY_REPEATED",
            "ACCEPTANCE_MISSING",
            "PATH_OUTSIDE_SCOPE");
    assertThat(f)
        .filteredOn(x -> x.code().equals("PATH_INVALID"))
        .extracting(Finding::line)
        .containsExactly(5);
    assertThat(f)
        .filteredOn(x -> x.code().equals("PRIORITY_INVALID"))
        .extracting(Finding::line)
        .containsExactly(13);
    assertThat(f)
        .filteredOn(x -> x.code().equals("TASK_KEY_REPEATED"))
        .extracting(Finding::line)
        .containsExactly(12);
  }

  @Test
  void pathsThatEscapeAreRefused() {
    assertThat(findings(GOOD.replace("`src/greet.py`", "`../outside.py`")))
        .extracting(Finding::code)
        .containsExactly("PATH_INVALID");
  }

  @Test
  void aBriefWithoutSectionsSaysWhatIsMissing() {
    assertThatThrownBy(() -> RequirementsParser.parse("# Task brief: Nothing\n", "empty.md"))
        .isInstanceOf(RequirementsFormatException.class)
        .hasMessageContaining("GOAL_MISSING")
        .hasMessageContaining("SCOPE_MISSING")
        .hasMessageContaining("TASKS_MISSING")
        .hasMessageContaining("empty.md");
  }

  @Test
  void htmlCommentsAreIgnoredAndLineNumbersKept() {
    String md = GOOD.replace("## Goal\n", "<!-- a note\nover two lines -->\n## Goal\n");
    assertThat(RequirementsParser.parse(md, "brief.md").goal())
        .isEqualTo("Make the demo greet by name.");
  }
}
