package dev.aiflow.cli;

import dev.aiflow.engine.audit.HistoryReconciler;
import dev.aiflow.engine.audit.ReconcileReport;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code aiflow audit ...}: the two audit layers against each other. */
@Command(
    name = "audit",
    mixinStandardHelpOptions = true,
    description = "Check the hash chain against Camunda's history.",
    subcommands = {AuditCommand.Reconcile.class})
public class AuditCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    spec.commandLine().usage(spec.commandLine().getErr());
    return ExitCodes.USAGE;
  }

  @Command(
      name = "reconcile",
      mixinStandardHelpOptions = true,
      description = {
        "Name every attempt in the chain that history has no record of, every completed",
        "dispatch that has no attempt in the chain, every anchor in history whose event the",
        "chain no longer holds (rewritten or deleted), and every event of a finished instance",
        "after its last anchor. Exit 0 when there is none, 1 otherwise."
      })
  static class Reconcile implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(
        converter = IdConverter.class,
        names = "--project-id",
        required = true,
        description = "The project whose chain is reconciled with the history.")
    String projectId;

    @Option(names = "--data-dir", description = "Default: $AIFLOW_DATA_DIR or ./data.")
    Path dataDir;

    @Override
    public Integer call() {
      Path data = dataDir != null ? dataDir : EngineContext.defaultDataDir();
      if (!java.nio.file.Files.isDirectory(data)) {
        // reconciling creates nothing: an empty new engine would report a clean project
        spec.commandLine()
            .getErr()
            .println(
                "audit reconcile: no data directory at "
                    + data.toAbsolutePath()
                    + " (give --data-dir or set AIFLOW_DATA_DIR)");
        return ExitCodes.USAGE;
      }
      try (EngineContext engine =
          EngineContext.start(
              EngineContext.dataDir(data), Map.of("aiflow.worker.in-process", "false"))) {
        ReconcileReport r = engine.bean(HistoryReconciler.class).reconcile(projectId);
        PrintWriter out = spec.commandLine().getOut();
        out.printf(
            "%s project %s: %d process instance(s), %d attempt(s) in the chain, %d completed"
                + " dispatch(es) and %d anchor(s) in history%n",
            r.clean() ? "CLEAN" : "MISMATCH",
            projectId,
            r.processInstances(),
            r.attemptsInChain(),
            r.dispatchesInHistory(),
            r.anchorsInHistory());
        r.attemptsWithoutHistory()
            .forEach(o -> out.println("  attempt without history: " + o.detail()));
        r.dispatchesWithoutAttempt()
            .forEach(o -> out.println("  dispatch without attempt: " + o.detail()));
        r.anchorsBroken().forEach(o -> out.println("  anchor broken: " + o.detail()));
        r.eventsUnanchored().forEach(o -> out.println("  event unanchored: " + o.detail()));
        return r.clean() ? ExitCodes.OK : ExitCodes.FAILED;
      }
    }
  }
}
