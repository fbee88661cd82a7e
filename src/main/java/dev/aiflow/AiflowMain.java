package dev.aiflow;

import dev.aiflow.cli.Cli;

/** The entry point of the jar: {@code aiflow serve} starts the server, other commands run here. */
public final class AiflowMain {

  private AiflowMain() {}

  public static void main(String[] args) {
    int code = Cli.commandLine().execute(args);
    System.exit(code);
  }
}
