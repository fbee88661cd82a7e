package dev.aiflow.cli;

/** The exit codes every aiflow command uses. */
public final class ExitCodes {

  /** Success: the command did what was asked, the chain verified, the step passed. */
  public static final int OK = 0;

  /** The command ran, and the answer is "no": verification failed, a step or cycle failed. */
  public static final int FAILED = 1;

  /** Bad usage or refused input: nothing was changed. */
  public static final int USAGE = 2;

  private ExitCodes() {}
}
