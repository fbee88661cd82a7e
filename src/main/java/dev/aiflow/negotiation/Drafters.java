package dev.aiflow.negotiation;

import dev.aiflow.files.AtomicFile;
import dev.aiflow.worker.ProcessLimits;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;

/** Picks the drafting backend ({@code heuristic} or {@code command}) by name. */
public final class Drafters {

  /** The task brief template, as shipped in the jar (docs/templates/task_brief.template.md). */
  public static final String TEMPLATE_RESOURCE = "aiflow/templates/task_brief.template.md";

  /** Limits of a drafting command: the auto-planner's, generous for a model, never unbounded. */
  public static final ProcessLimits COMMAND_LIMITS =
      new ProcessLimits(
          Duration.ofSeconds(900),
          Duration.ofSeconds(120),
          2048L * 1024 * 1024,
          Duration.ofSeconds(2));

  /**
   * @param commandLine the command of the {@code command} backend (ignored for heuristic)
   * @param workDir where a command's dialogue, output and the template are kept
   * @throws IllegalArgumentException for an unknown backend or a command backend without a command
   */
  public static Drafter create(String backend, String model, String commandLine, Path workDir) {
    String b = backend == null ? "heuristic" : backend;
    switch (b) {
      case "heuristic":
        return new HeuristicDrafter();
      case "command":
        if (commandLine == null || commandLine.isBlank()) {
          throw new IllegalArgumentException("the command backend needs a controller command");
        }
        Path template = workDir.resolve("task_brief.template.md");
        AtomicFile.write(template, template().getBytes(StandardCharsets.UTF_8));
        return new CommandDrafter(commandLine, model, workDir, COMMAND_LIMITS, template);
      default:
        throw new IllegalArgumentException(
            "unknown controller backend '" + b + "' (heuristic or command)");
    }
  }

  public static String template() {
    try (InputStream in = Drafters.class.getClassLoader().getResourceAsStream(TEMPLATE_RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException(TEMPLATE_RESOURCE + " is missing from the jar");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private Drafters() {}
}
