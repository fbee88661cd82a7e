package dev.aiflow.cli;

import dev.aiflow.attempts.AttemptLogging;
import dev.aiflow.logger.EngineCorrelation;
import dev.aiflow.logger.WorkflowLogger;
import dev.aiflow.observe.KernelObservation;
import dev.aiflow.observe.KernelVerifier;
import dev.aiflow.protocol.Protocol;
import dev.aiflow.protocol.ReworkPack;
import dev.aiflow.protocol.StepPack;
import dev.aiflow.protocol.StepSpec;
import dev.aiflow.qa.QaReview;
import dev.aiflow.qa.ReworkBuilder;
import dev.aiflow.qa.StepQaReviewer;
import dev.aiflow.qa.Verdict;
import dev.aiflow.worker.BackendMap;
import dev.aiflow.worker.DispatchOutcome;
import dev.aiflow.worker.Outcome;
import dev.aiflow.worker.ProgressListener;
import dev.aiflow.worker.SandboxPolicy;
import dev.aiflow.worker.ShimAdapter;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.Function;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code aiflow dispatch-step} and {@code aiflow dispatch-rework}: one agent run, supervised. */
public final class DispatchCommands {

  private DispatchCommands() {}

  @Command(
      name = "dispatch-step",
      mixinStandardHelpOptions = true,
      description = {
        "Run a StepPack through the shim under its limits, keep the evidence, extract the",
        "StepResult; optionally log the attempt (R/S managed) and review it with the QA gate.",
        "Exit 0 when the run is OK and its StepResult is PASS (and it PASSes review when",
        "asked), 1 when it is not (a FAIL or BLOCKED result exits 1), 2 on bad input."
      })
  public static class Step implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin DispatchOptions options = new DispatchOptions();

    @Option(names = "--step-pack-file", required = true, description = "The StepPack to dispatch.")
    Path stepPackFile;

    @Override
    public Integer call() throws IOException {
      StepPack pack = Protocol.parseStepPack(read(stepPackFile));
      pack = pack.withLimits(options.limits(pack.limits()));
      pack = withRoutedBackend(pack, options.workerBackend);
      PrintWriter out = spec.commandLine().getOut();
      if (options.dryRun) {
        printDryRun(out, options.adapter().dryRun(pack));
        printBudget(out, pack.limits());
        return ExitCodes.OK;
      }
      StepPack original = pack;
      return Kernel.around(
          options,
          spec,
          pack,
          (adapter, kernel) -> {
            DispatchOutcome dispatch = adapter.dispatch(original, ProgressListener.NONE);
            return finish(
                out,
                options,
                original,
                dispatch,
                kernel,
                review -> ReworkBuilder.build(original, review, 1, dispatch.threadId()));
          });
    }
  }

  @Command(
      name = "dispatch-rework",
      mixinStandardHelpOptions = true,
      description = {
        "Run a ReworkPack through the shim, resuming the agent's thread; the same limits,",
        "evidence, logging, review and exit codes as dispatch-step."
      })
  public static class Rework implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin DispatchOptions options = new DispatchOptions();

    @Option(
        names = "--rework-pack-file",
        required = true,
        description = "The ReworkPack to dispatch.")
    Path reworkPackFile;

    @Option(
        names = "--thread-id",
        required = true,
        description = "The agent thread to resume (\"\" starts a new one).")
    String threadId;

    @Override
    public Integer call() throws IOException {
      ReworkPack pack = Protocol.parseReworkPack(read(reworkPackFile));
      pack = pack.withLimits(options.limits(pack.limits())).withThreadId(emptyToNull(threadId));
      pack = withRoutedBackend(pack, options.workerBackend);
      PrintWriter out = spec.commandLine().getOut();
      if (options.dryRun) {
        printDryRun(out, options.adapter().dryRun(pack, pack.threadId()));
        printBudget(out, pack.limits());
        return ExitCodes.OK;
      }
      ReworkPack previous = pack;
      return Kernel.around(
          options,
          spec,
          pack,
          (adapter, kernel) -> {
            DispatchOutcome dispatch =
                adapter.dispatch(previous, previous.threadId(), ProgressListener.NONE);
            return finish(
                out,
                options,
                previous,
                dispatch,
                kernel,
                review -> ReworkBuilder.next(previous, review, dispatch.threadId()));
          });
    }
  }

  /** A dispatch inside the kernel's snapshot and verification (when it will be reviewed). */
  @FunctionalInterface
  interface Body {
    int run(ShimAdapter adapter, KernelVerifier kernel) throws IOException;
  }

  /** The kernel around a dispatch: a snapshot before it when the run is to be reviewed. */
  static final class Kernel {
    private Kernel() {}

    static int around(DispatchOptions options, CommandSpec spec, StepSpec pack, Body body)
        throws IOException {
      SandboxPolicy policy = options.policy(spec.commandLine().getErr());
      ShimAdapter adapter = options.adapter(policy);
      if (!options.review) {
        return body.run(adapter, null);
      }
      Path state = Files.createTempDirectory("aiflow-observe-");
      try {
        KernelVerifier kernel = options.verifier(policy, state);
        kernel.before(pack, options.workspace);
        return body.run(adapter, kernel);
      } finally {
        ReviewStepCommand.deleteQuietly(state);
      }
    }
  }

  static int finish(
      PrintWriter out,
      DispatchOptions options,
      StepSpec spec,
      DispatchOutcome dispatch,
      KernelVerifier kernel,
      Function<QaReview, ReworkPack> nextRework)
      throws IOException {
    out.printf(
        "%s %s/%s on %s: %s in %d ms (%s)%n",
        dispatch.outcome(),
        spec.taskId(),
        spec.stepId(),
        dispatch.backend(),
        dispatch.result().result() + " " + dispatch.result().reasonCode(),
        dispatch.process().elapsed().toMillis(),
        dispatch.process().detail());
    out.println("evidence: " + dispatch.evidenceDir());
    if (dispatch.usage().reported()) {
      dev.aiflow.worker.AgentUsage u = dispatch.usage();
      out.printf(
          "usage: %s tokens, cost %s, %s turns%n",
          u.totalTokens() == null ? "?" : u.totalTokens(),
          u.costUsd() == null
              ? "unknown"
              : "$"
                  + dev.aiflow.worker.AgentUsage.costString(u.costUsd())
                  + " ("
                  + u.costSource().json()
                  + ")",
          u.turns() == null ? "?" : u.turns());
    }
    if (dispatch.outcome() == Outcome.SPAWN_FAILED) {
      throw new CliException(ExitCodes.USAGE, dispatch.process().detail());
    }
    WorkflowLogger log = options.logger();
    try {
      if (log != null) {
        AttemptLogging.LoggedAttempt logged =
            AttemptLogging.logDispatch(
                log, spec, dispatch, EngineCorrelation.none(), null, Map.of("source", "cli"));
        out.printf(
            "logged attempt %s of %s in %s: event #%d%n",
            logged.pointer(), spec.taskId(), log.projectId(), logged.event().seq());
      }
      if (!options.review) {
        // The exit code follows the result: a clean run whose StepResult says FAIL or BLOCKED
        // did not do the step.
        return dispatch.ok() && "PASS".equals(dispatch.result().result())
            ? ExitCodes.OK
            : ExitCodes.FAILED;
      }
      KernelObservation observed =
          kernel.verify(spec, options.workspace, dispatch.backend(), ProgressListener.NONE);
      out.println(
          "kernel: "
              + observed.changes().changes().size()
              + " change(s), "
              + observed.runs().size()
              + " run(s) in sandbox "
              + observed.sandbox()
              + "; observation "
              + observed.file());
      QaReview review =
          new StepQaReviewer(options.workspace).review(spec, dispatch.result(), observed);
      ReviewStepCommand.print(review, out);
      if (log != null) {
        AttemptLogging.logReview(log, review, EngineCorrelation.none(), null);
      }
      if (review.verdict() == Verdict.PASS) {
        return ExitCodes.OK;
      }
      if (options.reworkFile != null && review.verdict() != Verdict.ESCALATE) {
        Files.writeString(options.reworkFile, Protocol.toJson(nextRework.apply(review)) + "\n");
        out.println("rework pack: " + options.reworkFile);
      }
      return ExitCodes.FAILED;
    } finally {
      if (log != null) {
        log.close();
      }
    }
  }

  static void printDryRun(PrintWriter out, ShimAdapter.DryRun dry) {
    out.println("DRY RUN: nothing is executed");
    out.println("command: " + dry.command());
    out.printf(
        "limits: max_runtime_sec=%d max_silence_sec=%d max_memory_mb=%d max_parallel_steps=%d%n",
        dry.limits().maxRuntime().toSeconds(),
        dry.limits().maxSilence().toSeconds(),
        dry.limits().maxMemoryBytes() / (1024 * 1024),
        dry.maxParallelSteps());
    out.println("evidence: " + dry.evidenceDir());
  }

  /** The step's budget, when it has one: enforced live from the shim's usage lines. */
  static void printBudget(PrintWriter out, dev.aiflow.protocol.Limits limits) {
    if (limits.hasBudget()) {
      out.printf(
          "budget: max_tokens=%s max_cost_usd=%s max_turns=%s%n",
          limits.maxTokens() == null ? "-" : limits.maxTokens(),
          limits.maxCostUsd() == null ? "-" : limits.maxCostUsd(),
          limits.maxTurns() == null ? "-" : limits.maxTurns());
    }
  }

  /** {@code --worker-backend} is an override for this dispatch ({@link BackendMap#route}). */
  static StepPack withRoutedBackend(StepPack pack, String override) {
    String own = pack.worker() == null ? null : pack.worker().backend();
    String backend = BackendMap.route(override, own);
    return backend == null || backend.equals(own) ? pack : pack.withBackend(backend);
  }

  static ReworkPack withRoutedBackend(ReworkPack pack, String override) {
    String own = pack.worker() == null ? null : pack.worker().backend();
    String backend = BackendMap.route(override, own);
    return backend == null || backend.equals(own) ? pack : pack.withBackend(backend);
  }

  private static String emptyToNull(String s) {
    return s == null || s.isBlank() ? null : s;
  }

  static String read(Path file) throws IOException {
    try {
      return Files.readString(file);
    } catch (NoSuchFileException e) {
      throw new CliException(ExitCodes.USAGE, "no file at " + file);
    }
  }
}
