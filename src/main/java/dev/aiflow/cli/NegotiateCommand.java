package dev.aiflow.cli;

import dev.aiflow.negotiation.Negotiation;
import dev.aiflow.negotiation.Snapshots;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code aiflow negotiate}: frozen requirements into plan and boundary snapshots. */
@Command(
    name = "negotiate",
    mixinStandardHelpOptions = true,
    description = {
      "Read a task brief (docs/templates/task_brief.template.md) and write plan_snapshot.json",
      "(tasks and their acceptance) and boundary_snapshot.json (the paths each task may touch)",
      "into --progress-dir, stamped with the SHA-256 of the brief. run-cycle and run-campaign",
      "check every StepPack against them before dispatch. A brief that does not parse is refused",
      "with every problem and its line; nothing is written then (exit 2)."
    })
public class NegotiateCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Option(names = "--requirements-md", required = true, description = "The frozen brief.")
  Path requirements;

  @Option(names = "--progress-dir", required = true, description = "Where the snapshots go.")
  Path progressDir;

  @Override
  public Integer call() {
    Snapshots.Written w = Negotiation.negotiate(requirements, progressDir);
    PrintWriter out = spec.commandLine().getOut();
    out.printf(
        "negotiated %d task(s) from %s (sha256 %s)%n",
        w.planSnapshot().tasks().size(), requirements, w.planSnapshot().requirementsSha256());
    w.planSnapshot()
        .tasks()
        .values()
        .forEach(
            t ->
                out.printf(
                    "  %s: %d criterion(s), paths %s%n",
                    t.key(), t.acceptance().size(), w.boundarySnapshot().tasks().get(t.key())));
    out.println("plan: " + w.plan());
    out.println("boundary: " + w.boundary());
    return ExitCodes.OK;
  }
}
