package dev.aiflow.cli;

import dev.aiflow.logger.LogRefusedException;
import java.io.UncheckedIOException;
import picocli.CommandLine;

/** Builds the {@code aiflow} command line with its exit-code and error conventions. */
public final class Cli {

  private Cli() {}

  /** A command line whose factory creates commands with their no-argument constructors. */
  public static CommandLine commandLine() {
    return commandLine(CommandLine.defaultFactory());
  }

  /** A command line whose commands come from {@code factory} (Spring wires engine commands). */
  public static CommandLine commandLine(CommandLine.IFactory factory) {
    CommandLine cli = new CommandLine(new AiflowCommand(), factory);
    cli.setExecutionExceptionHandler(
        (e, commandLine, parseResult) -> {
          commandLine.getErr().println("aiflow: " + oneLine(e));
          commandLine.getErr().flush();
          if (e instanceof CliException c) {
            return c.exitCode();
          }
          // refused by the execution guard: the command ran and the answer is no
          return e instanceof dev.aiflow.campaign.ExecutionBlockedException
              ? ExitCodes.FAILED
              : ExitCodes.USAGE;
        });
    cli.setParameterExceptionHandler(
        (e, args) -> {
          CommandLine command = e.getCommandLine();
          command.getErr().println("aiflow: " + e.getMessage());
          command
              .getErr()
              .println("Try '" + command.getCommandSpec().qualifiedName() + " --help'.");
          command.getErr().flush();
          return ExitCodes.USAGE;
        });
    return cli;
  }

  static String oneLine(Throwable e) {
    String message;
    if (e instanceof LogRefusedException || e instanceof CliException) {
      message = e.getMessage();
    } else if (e instanceof dev.aiflow.campaign.ExecutionBlockedException b) {
      message =
          "execution_blocked_unapproved: "
              + b.getMessage()
              + " (freeze the requirements first: aiflow requirements freeze; campaign "
              + b.campaignId()
              + ")";
    } else if (e instanceof dev.aiflow.campaign.CampaignInputException c) {
      message = c.field() + ": " + c.getMessage();
    } else if (e instanceof UncheckedIOException u && u.getCause() != null) {
      message = u.getMessage() + ": " + u.getCause().getMessage();
    } else {
      message = e.getMessage() == null ? e.toString() : e.getMessage();
    }
    return message.replace('\n', ' ');
  }
}
