package dev.aiflow.negotiation;

import dev.aiflow.worker.Outcome;
import dev.aiflow.worker.ProcessLimits;
import dev.aiflow.worker.ProcessReport;
import dev.aiflow.worker.SecretRedactor;
import dev.aiflow.worker.SupervisedProcess;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The external drafting backend: runs {@code command} (split like a shell would split words, no
 * expansion) with the dialogue file as its last argument, under the same supervision as an agent
 * (runtime, silence, memory; the whole tree stopped on a breach). Its stdout is the draft. The
 * environment gets {@code AIFLOW_DIALOGUE_FILE}, {@code AIFLOW_CONTROLLER_MODEL} and {@code
 * AIFLOW_TEMPLATE_FILE}.
 */
public final class CommandDrafter implements Drafter {

  private final List<String> command;
  private final String model;
  private final Path workDir;
  private final ProcessLimits limits;
  private final Path template;

  /**
   * @param workDir where the dialogue, stdout and stderr of the run are kept as evidence
   */
  public CommandDrafter(
      String command, String model, Path workDir, ProcessLimits limits, Path template) {
    this.command = split(command);
    if (this.command.isEmpty()) {
      throw new IllegalArgumentException("--controller-command is empty");
    }
    this.model = model;
    this.workDir = workDir;
    this.limits = limits;
    this.template = template;
  }

  @Override
  public String backend() {
    return "command";
  }

  @Override
  public String draft(String dialogue) {
    try {
      Files.createDirectories(workDir);
      Path dialogueFile = workDir.resolve("dialogue.txt");
      Files.writeString(dialogueFile, dialogue, StandardCharsets.UTF_8);
      List<String> cmd = new ArrayList<>(command);
      cmd.add(dialogueFile.toString());
      Map<String, String> env = new HashMap<>(System.getenv());
      env.put("AIFLOW_DIALOGUE_FILE", dialogueFile.toString());
      if (model != null) {
        env.put("AIFLOW_CONTROLLER_MODEL", model);
      }
      if (template != null) {
        env.put("AIFLOW_TEMPLATE_FILE", template.toString());
      }
      ProcessReport r =
          new SupervisedProcess(
                  cmd,
                  workDir,
                  env,
                  limits,
                  workDir.resolve("draft.stdout"),
                  workDir.resolve("draft.stderr"),
                  SupervisedProcess.DEFAULT_CAPTURE_CAP,
                  null,
                  new SecretRedactor(env))
              .run();
      if (r.outcome() != Outcome.OK) {
        throw new DraftException(
            "DRAFT_COMMAND_" + r.outcome().name(),
            "the controller command "
                + command.get(0)
                + " did not draft: "
                + r.detail()
                + " (stderr: "
                + r.stderrFile()
                + ")");
      }
      if (r.truncated() || r.stdout().isBlank()) {
        throw new DraftException(
            "DRAFT_COMMAND_OUTPUT",
            "the controller command printed " + (r.truncated() ? "too much" : "nothing"));
      }
      return r.stdout();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Words as a POSIX shell splits them: spaces separate, quotes group, backslash escapes. */
  static List<String> split(String line) {
    List<String> out = new ArrayList<>();
    StringBuilder w = new StringBuilder();
    boolean in = false;
    char quote = 0;
    for (int i = 0; i < line.length(); i++) {
      char c = line.charAt(i);
      if (quote != 0) {
        if (c == quote) {
          quote = 0;
        } else if (c == '\\' && quote == '"' && i + 1 < line.length()) {
          w.append(line.charAt(++i));
        } else {
          w.append(c);
        }
      } else if (c == '\'' || c == '"') {
        quote = c;
        in = true;
      } else if (c == '\\' && i + 1 < line.length()) {
        w.append(line.charAt(++i));
        in = true;
      } else if (Character.isWhitespace(c)) {
        if (in) {
          out.add(w.toString());
          w.setLength(0);
          in = false;
        }
      } else {
        w.append(c);
        in = true;
      }
    }
    if (quote != 0) {
      throw new IllegalArgumentException("unclosed quote in --controller-command: " + line);
    }
    if (in) {
      out.add(w.toString());
    }
    return out;
  }
}
