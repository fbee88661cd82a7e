package dev.aiflow;

import dev.aiflow.cli.Cli;

/** The entry point of the jar: {@code aiflow serve} starts the server, other commands run here. */
public final class AiflowMain {

  /** The logging of every command but {@code serve}: warnings and errors, on stderr. */
  static final String CLI_LOGGING = "aiflow/logback-cli.xml";

  private AiflowMain() {}

  public static void main(String[] args) {
    if (args.length == 0 || !args[0].equals("serve")) {
      cliLogging();
    }
    int code = Cli.commandLine().execute(args);
    System.exit(code);
  }

  /**
   * Stdout is the command's output only: logging goes to stderr, both before Spring starts (the
   * logging library's own start-up) and in an engine a command starts (Spring Boot's), unless the
   * user chose their own configuration.
   */
  static void cliLogging() {
    if (System.getProperty("logback.configurationFile") == null) {
      System.setProperty("logback.configurationFile", CLI_LOGGING);
    }
    if (System.getProperty("logging.config") == null) {
      System.setProperty("logging.config", "classpath:" + CLI_LOGGING);
    }
  }
}
