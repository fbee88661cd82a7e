package dev.aiflow.negotiation;

import dev.aiflow.files.PathRefusedException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The rules for what a draft is made from (docs/requirements.md, docs/security.md): which
 * controller command may run (only one the server's {@code aiflow.controller.commands} names),
 * which dialogue file may be read (only one aiflow wrote itself into the project's {@code input/}),
 * and how the dialogue and the reviewers' comments are put together for the drafter.
 */
public final class DraftingInput {

  /** The backend that runs a configured command. */
  public static final String COMMAND_BACKEND = "command";

  /** The largest dialogue read: 1 MiB (the API caps a dialogue at 256 KiB). */
  public static final long MAX_DIALOGUE_BYTES = 1024 * 1024;

  private static final Pattern OWN_DIALOGUE = Pattern.compile("dialogue-[0-9]+\\.txt");

  private DraftingInput() {}

  /**
   * The command line to draft with: null unless {@code backend} is {@value #COMMAND_BACKEND}; then
   * the allow-list's entry for {@code commandName}. A variable names a command, it never is one.
   *
   * @throws IllegalArgumentException naming the command and the allowed names when it is not listed
   */
  public static String commandLine(
      String backend, String commandName, Map<String, String> allowedCommands) {
    if (!COMMAND_BACKEND.equals(backend)) {
      return null;
    }
    String line = commandName == null ? null : allowedCommands.get(commandName);
    if (line == null) {
      throw new IllegalArgumentException(
          "controllerCommand '"
              + commandName
              + "' is not one of the server's aiflow.controller.commands "
              + allowedCommands.keySet().stream().sorted().toList());
    }
    return line;
  }

  /**
   * Refuses a dialogue file that is not {@code input/dialogue-<n>.txt} of the project: the draft
   * shows the dialogue to approvers, so a variable must not make it show any other file.
   *
   * @param real the file's real path
   * @param inputDir the project's input folder, real path
   * @throws PathRefusedException naming {@code field}
   */
  public static void requireOwnDialogueFile(String field, Path real, Path inputDir) {
    if (real.getParent() == null
        || !real.getParent().equals(inputDir)
        || !OWN_DIALOGUE.matcher(real.getFileName().toString()).matches()) {
      throw new PathRefusedException(
          field, "not a dialogue file of this project (input/dialogue-<n>.txt, written by aiflow)");
    }
  }

  /**
   * What the drafter reads: the dialogue, then each reviewer's comment (a rejection, or the
   * freeze's refusal) on its own line, oldest first, so a redraft answers them.
   */
  public static String dialogue(String dialogue, List<String> reviewNotes) {
    if (dialogue == null) {
      throw new IllegalArgumentException("dialogue or dialoguePath is required");
    }
    StringBuilder sb = new StringBuilder(dialogue);
    for (String note : reviewNotes) {
      sb.append("\nreviewer: ").append(note);
    }
    return sb.toString();
  }

  /**
   * The note a rejection adds to the dialogue: the freeze's refusal when it refused, else the
   * approver's comment; null when there is nothing to add.
   */
  public static String rejectionNote(String freezeRefusal, String approvalComment) {
    String note =
        freezeRefusal != null ? "The freeze refused the draft: " + freezeRefusal : approvalComment;
    return note == null || note.isBlank() ? null : note;
  }
}
