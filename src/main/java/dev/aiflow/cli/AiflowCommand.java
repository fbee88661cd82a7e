package dev.aiflow.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** The top-level {@code aiflow} command. */
@Command(
    name = "aiflow",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    description = "Runs AI coding agents under the discipline of a Camunda 7 workflow engine.",
    subcommands = {
      ServeCommand.class,
      LogCommand.class,
      PrepareCommand.class,
      NegotiateCommand.class,
      RequirementsCommand.class,
      ReviewStepCommand.class,
      SnapshotWorkspaceCommand.class,
      DispatchCommands.Step.class,
      DispatchCommands.Rework.class,
      PrepareNextCommand.class,
      RunCycleCommand.class,
      RunCampaignCommand.class,
      RecoveryCommands.Create.class,
      RecoveryCommands.Rollback.class,
      SessionCommand.class,
      DemoCommand.class,
      AuditCommand.class,
      RemoteWorkerCommand.class,
      ShimCommand.class,
      DoctorCommand.class
    },
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
      "0:success",
      "1:verification failed, or the step/cycle/campaign did not complete",
      "2:bad usage or refused input (nothing was changed)"
    })
public class AiflowCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    spec.commandLine().usage(spec.commandLine().getErr());
    return ExitCodes.USAGE;
  }
}
