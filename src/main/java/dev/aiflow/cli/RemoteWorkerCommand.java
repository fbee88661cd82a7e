package dev.aiflow.cli;

import dev.aiflow.config.AiflowProperties;
import dev.aiflow.engine.dispatch.RemoteDispatchWorker;
import dev.aiflow.engine.dispatch.WorkerKernel;
import dev.aiflow.worker.SelfLauncher;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code aiflow remote-worker}: run dispatches for a server, from another machine or process. */
@Command(
    name = "remote-worker",
    mixinStandardHelpOptions = true,
    description = {
      "Subscribe to the aiflow-dispatch and aiflow-verify topics of a server's /engine-rest with",
      "Camunda's external task client, and run the agents here; the account must be in the",
      "group aiflow-workers. The password comes from --password-file or",
      "$AIFLOW_WORKER_PASSWORD (never from the command line). Runs until stopped."
    })
public class RemoteWorkerCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Option(
      names = "--engine-rest",
      required = true,
      description = "The server's Camunda REST API, for example http://host:8080/engine-rest.")
  String engineRest;

  @Option(
      names = "--user",
      required = true,
      description = "The Camunda user the worker signs in as.")
  String user;

  @Option(
      names = "--password-file",
      description = "A file holding that user's password (default: $AIFLOW_WORKER_PASSWORD).")
  Path passwordFile;

  @Option(names = "--shim", description = "Default: $AIFLOW_SHIM or builtin (aiflow's own).")
  String shim;

  @Option(names = "--workspace", description = "Used when a dispatch names none.")
  Path workspace;

  @Option(
      names = "--max-parallel-steps",
      defaultValue = "2",
      description = "Agent runs at once in this worker (default: ${DEFAULT-VALUE}).")
  int maxParallelSteps;

  @Option(
      names = "--long-poll-sec",
      defaultValue = "20",
      description = "Seconds a fetch waits for work; 0 turns long polling off.")
  int longPollSec;

  @Option(
      names = "--data-dir",
      description =
          "Where the worker keeps its kernel state (workspace snapshots, agent records)."
              + " Default: $AIFLOW_DATA_DIR or ./data.")
  Path dataDir;

  @Override
  public Integer call() throws Exception {
    String password =
        passwordFile != null
            ? Files.readString(passwordFile).trim()
            : System.getenv("AIFLOW_WORKER_PASSWORD");
    if (password == null || password.isBlank()) {
      throw new CliException(ExitCodes.USAGE, "give --password-file or set AIFLOW_WORKER_PASSWORD");
    }
    String executable =
        shim != null ? shim : System.getenv().getOrDefault("AIFLOW_SHIM", SelfLauncher.BUILTIN);
    AiflowProperties.Worker config =
        new AiflowProperties.Worker(
            executable,
            false,
            maxParallelSteps,
            null,
            null,
            null,
            null,
            null,
            null,
            Map.of(),
            null);
    CountDownLatch stopped = new CountDownLatch(1);
    try (RemoteDispatchWorker worker =
        RemoteDispatchWorker.start(
            engineRest,
            user,
            password,
            config,
            workspace == null ? null : workspace.toAbsolutePath(),
            longPollSec > 0 ? Duration.ofSeconds(longPollSec) : null,
            WorkerKernel.of(
                new AiflowProperties(
                    EngineContext.dataDir(dataDir),
                    null,
                    config,
                    null,
                    null,
                    null,
                    null,
                    // anywhere this worker's user can reach, never its own data directory
                    false,
                    null,
                    null)))) {
      spec.commandLine()
          .getOut()
          .println("remote worker subscribed to " + engineRest + "; stop with Ctrl-C");
      spec.commandLine().getOut().flush();
      // the JVM exits once its hooks end: the hook itself stops the agents and hands the tasks
      // back (close() is idempotent), or the release would race the exit
      Runtime.getRuntime()
          .addShutdownHook(
              new Thread(
                  () -> {
                    worker.close();
                    stopped.countDown();
                  }));
      stopped.await();
    }
    return ExitCodes.OK;
  }
}
