package dev.aiflow.negotiation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.aiflow.files.PathRefusedException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DraftingInputTest {

  static final Map<String, String> ALLOWED = Map.of("claude", "claude -p", "local", "llm run");

  @Test
  void onlyTheCommandBackendRunsACommandAndOnlyOneTheServerLists() {
    assertThat(DraftingInput.commandLine("heuristic", "claude", ALLOWED)).isNull();
    assertThat(DraftingInput.commandLine("command", "claude", ALLOWED)).isEqualTo("claude -p");
    assertThatThrownBy(() -> DraftingInput.commandLine("command", "rm -rf /", ALLOWED))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "controllerCommand 'rm -rf /' is not one of the server's aiflow.controller.commands"
                + " [claude, local]");
    assertThatThrownBy(() -> DraftingInput.commandLine("command", null, ALLOWED))
        .hasMessageContaining("controllerCommand 'null'");
  }

  @Test
  void onlyTheProjectsOwnDialogueFilesAreRead() {
    Path input = Path.of("/data/projects/p/input");
    DraftingInput.requireOwnDialogueFile("dialoguePath", input.resolve("dialogue-17.txt"), input);
    for (Path p :
        List.of(
            input.resolve("requirements.current.md"),
            input.resolve("dialogue-x.txt"),
            Path.of("/data/projects/q/input/dialogue-1.txt"),
            input.resolve("sub/dialogue-1.txt"),
            Path.of("/"))) {
      assertThatThrownBy(() -> DraftingInput.requireOwnDialogueFile("dialoguePath", p, input))
          .as(p.toString())
          .isInstanceOf(PathRefusedException.class)
          .hasMessageStartingWith("not a dialogue file of this project")
          .extracting(e -> ((PathRefusedException) e).field())
          .isEqualTo("dialoguePath");
    }
  }

  @Test
  void theDrafterReadsTheDialogueThenEveryReviewersNoteInOrder() {
    assertThat(DraftingInput.dialogue("lead: greet", List.of("add tests", "name the file")))
        .isEqualTo("lead: greet\nreviewer: add tests\nreviewer: name the file");
    assertThat(DraftingInput.dialogue("lead: greet", List.of())).isEqualTo("lead: greet");
    assertThatThrownBy(() -> DraftingInput.dialogue(null, List.of()))
        .hasMessage("dialogue or dialoguePath is required");
  }

  @Test
  void aRejectionAddsTheFreezesRefusalElseTheCommentElseNothing() {
    assertThat(DraftingInput.rejectionNote("T-1: no acceptance", "fine"))
        .isEqualTo("The freeze refused the draft: T-1: no acceptance");
    assertThat(DraftingInput.rejectionNote(null, "add tests")).isEqualTo("add tests");
    assertThat(DraftingInput.rejectionNote(null, "  ")).isNull();
    assertThat(DraftingInput.rejectionNote(null, null)).isNull();
  }
}
