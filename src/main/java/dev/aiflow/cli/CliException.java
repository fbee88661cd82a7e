package dev.aiflow.cli;

/** A command refused its input; the message is the one line the user sees. */
public class CliException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  private final int exitCode;

  public CliException(int exitCode, String message) {
    super(message);
    this.exitCode = exitCode;
  }

  public int exitCode() {
    return exitCode;
  }
}
