package dev.aiflow.negotiation;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class HeuristicDrafterTest {

  static String exampleDialogue() throws Exception {
    return Files.readString(Path.of("examples/requirements/dialogue.txt"));
  }

  @Test
  void theExampleDialogueDraftsABriefThatFreezes() throws Exception {
    String md = new HeuristicDrafter().draft(exampleDialogue());
    Requirements r = RequirementsParser.parse(md, "draft");

    assertThat(r.title()).isEqualTo("Greeting command with a configurable name");
    assertThat(r.goal()).contains("Operators want to pass a name");
    assertThat(r.context()).contains("src/greet.py prints a fixed greeting");
    assertThat(r.boundary()).containsExactly("src/greet.py", "tests/test_greet.py", "README.md");
    assertThat(r.outOfScope()).containsExactly("Do not touch packaging or release scripts.");
    assertThat(r.openQuestions()).containsExactly("Should an empty name fall back to \"world\"?");
    assertThat(r.tasks()).extracting(Requirements.PlannedTask::key).containsExactly("T-1", "T-2");

    Requirements.PlannedTask t1 = r.tasks().get(0);
    assertThat(t1.title())
        .isEqualTo("Add a --name option to src/greet.py with tests in tests/test_greet.py");
    assertThat(t1.allowedPaths()).containsExactly("src/greet.py", "tests/test_greet.py");
    assertThat(t1.acceptance()).hasSize(2);
    assertThat(t1.acceptance().get(0).description()).startsWith("greet --name Ada must print");
    assertThat(t1.acceptance().get(0).verification())
        .isEqualTo("python -m pytest tests/test_greet.py -q");
    assertThat(t1.acceptance().get(1).description())
        .isEqualTo("without --name the output must stay \"Hello, world\"");

    Requirements.PlannedTask t2 = r.tasks().get(1);
    assertThat(t2.allowedPaths()).containsExactly("README.md");
    assertThat(t2.acceptance()).extracting(Requirements.Criterion::id).containsExactly("AC-1");
  }

  @Test
  void theSameDialogueGivesTheSameBytes() throws Exception {
    assertThat(new HeuristicDrafter().draft(exampleDialogue()))
        .isEqualTo(new HeuristicDrafter().draft(exampleDialogue()));
  }

  @Test
  void aDialogueWithoutChecksOrPathsDraftsPlaceholdersTheParserRefuses() {
    String md = new HeuristicDrafter().draft("user: make the app nicer\nuser: it feels slow");
    assertThat(md).contains("<say what should change and for whom>", "`<path>`");
    try {
      RequirementsParser.parse(md, "draft");
      throw new AssertionError("a draft with placeholders must not freeze");
    } catch (RequirementsFormatException e) {
      assertThat(e.findings())
          .extracting(RequirementsFormatException.Finding::code)
          .contains("PLACEHOLDER_LEFT");
    }
  }

  @Test
  void aReviewersCommentAddsTheMissingCheck() {
    String dialogue =
        "user: we need a faster start so that demos feel quick\n"
            + "user: - Speed up src/app.py\n"
            + "reviewer: startup must take under 2 s; run `make bench`";
    Requirements r = RequirementsParser.parse(new HeuristicDrafter().draft(dialogue), "draft");
    assertThat(r.tasks().get(0).acceptance().get(0).verification()).isEqualTo("make bench");
    assertThat(r.tasks().get(0).allowedPaths()).containsExactly("src/app.py");
  }
}
