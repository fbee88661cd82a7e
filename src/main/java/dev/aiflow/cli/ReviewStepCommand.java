package dev.aiflow.cli;

import dev.aiflow.observe.KernelObservation;
import dev.aiflow.observe.KernelRunner;
import dev.aiflow.observe.KernelVerifier;
import dev.aiflow.observe.WorkspaceObserver;
import dev.aiflow.observe.WorkspaceSnapshot;
import dev.aiflow.protocol.Protocol;
import dev.aiflow.protocol.ReworkPack;
import dev.aiflow.protocol.StepPack;
import dev.aiflow.protocol.StepResult;
import dev.aiflow.qa.CheckResult;
import dev.aiflow.qa.Finding;
import dev.aiflow.qa.QaJson;
import dev.aiflow.qa.QaReview;
import dev.aiflow.qa.ReworkBuilder;
import dev.aiflow.qa.StepQaReviewer;
import dev.aiflow.qa.Verdict;
import dev.aiflow.worker.ProgressListener;
import dev.aiflow.worker.Sandbox;
import dev.aiflow.worker.SandboxPolicy;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code aiflow review-step}: the QA gate offline, on files. The gate judges the kernel's
 * observation of the workspace: a recorded one ({@code --observation-file}), or one made now
 * against a snapshot taken before the agent ran ({@code --snapshot-file}, see {@code aiflow
 * snapshot-workspace}) or, in a git work tree, against HEAD.
 */
@Command(
    name = "review-step",
    mixinStandardHelpOptions = true,
    description = {
      "Judge a StepResult against its StepPack with the QA gate and the kernel's observation of",
      "the workspace: --observation-file, or observe and re-run now against --snapshot-file (or,",
      "in a git work tree, against HEAD). Exit 0 on PASS, 1 on REWORK, FAIL or ESCALATE (the",
      "rework pack is written when asked), 2 on invalid input."
    })
public class ReviewStepCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Option(
      names = "--step-pack-file",
      required = true,
      description = "The StepPack the agent worked on.")
  Path stepPackFile;

  @Option(
      names = "--step-result-file",
      required = true,
      description = "The StepResult the agent returned.")
  Path stepResultFile;

  @Option(names = "--write-rework-file", description = "Write a ReworkPack here unless PASS.")
  Path reworkFile;

  @Option(names = "--write-review-file", description = "Write the review as JSON here.")
  Path reviewFile;

  @Option(
      names = "--workspace",
      defaultValue = ".",
      description = "Where changed files and .artifacts/ are (default: the current folder).")
  Path workspace;

  @Option(
      names = "--observation-file",
      description = "A kernel observation (<evidence_dir>/kernel/observation.json) to judge.")
  Path observationFile;

  @Option(
      names = "--snapshot-file",
      description =
          "A snapshot taken before the agent ran (aiflow snapshot-workspace): observe the"
              + " changes and re-run the proofs now.")
  Path snapshotFile;

  @Option(
      names = "--sandbox",
      defaultValue = "auto",
      description = "Where the re-runs run: auto, bwrap or none (default: ${DEFAULT-VALUE}).")
  String sandbox;

  @Option(names = "--round", defaultValue = "1", description = "Rework round (default: 1).")
  int round;

  @Option(names = "--thread-id", description = "Agent thread to resume (default: the result's).")
  String threadId;

  @Override
  public Integer call() throws IOException {
    StepPack pack = Protocol.parseStepPack(read(stepPackFile));
    StepResult result = Protocol.parseStepResult(read(stepResultFile));
    PrintWriter out = spec.commandLine().getOut();
    KernelObservation kernel = observation(pack, out);
    QaReview review = new StepQaReviewer(workspace).review(pack, result, kernel);
    print(review, out);
    if (reviewFile != null) {
      Files.writeString(reviewFile, QaJson.toJson(review) + "\n");
    }
    if (review.verdict() == Verdict.PASS) {
      return ExitCodes.OK;
    }
    if (reworkFile != null && review.verdict() != Verdict.ESCALATE) {
      ReworkPack rework =
          ReworkBuilder.build(pack, review, round, threadId != null ? threadId : result.threadId());
      Files.writeString(reworkFile, Protocol.toJson(rework) + "\n");
      out.println("rework pack: " + reworkFile);
    }
    return ExitCodes.FAILED;
  }

  private KernelObservation observation(StepPack pack, PrintWriter out) throws IOException {
    if (observationFile != null && snapshotFile != null) {
      throw new CliException(
          ExitCodes.USAGE, "give --observation-file or --snapshot-file, not both");
    }
    if (observationFile != null) {
      return KernelObservation.read(observationFile);
    }
    Path ws = workspace.toAbsolutePath().normalize();
    KernelVerifier verifier = verifier(spec.commandLine().getErr());
    if (snapshotFile != null) {
      WorkspaceSnapshot before = WorkspaceSnapshot.read(snapshotFile);
      return announce(verifier.verify(pack, before, ws, null, ProgressListener.NONE), out);
    }
    Path state = Files.createTempDirectory("aiflow-review-");
    try {
      WorkspaceSnapshot head;
      try {
        head = verifier.observer().headSnapshot(ws, state);
      } catch (dev.aiflow.observe.ObserveException e) {
        throw new CliException(
            ExitCodes.USAGE,
            "review-step needs --observation-file or --snapshot-file: "
                + ws
                + " is not a git work tree whose HEAD could be the baseline");
      }
      out.println("baseline: HEAD " + (head.git().head() == null ? "(none)" : head.git().head()));
      return announce(verifier.verify(pack, head, ws, null, ProgressListener.NONE), out);
    } finally {
      deleteQuietly(state);
    }
  }

  private KernelVerifier verifier(PrintWriter err) {
    Sandbox s = Sandbox.resolve(sandbox, null);
    s.warning().ifPresent(w -> err.println("aiflow: warning: " + w));
    // the state root is unused here: the snapshot names its own state folder
    return new KernelVerifier(
        Path.of(System.getProperty("java.io.tmpdir"), "aiflow-observe"),
        WorkspaceObserver.withDefaults(),
        new KernelRunner(KernelRunner.Settings.defaults(), SandboxPolicy.of(s, List.of(), null)));
  }

  private static KernelObservation announce(KernelObservation k, PrintWriter out) {
    out.println(
        "kernel: "
            + k.changes().changes().size()
            + " change(s), "
            + k.runs().size()
            + " run(s) in sandbox "
            + k.sandbox()
            + "; observation "
            + k.file());
    return k;
  }

  static void print(QaReview review, PrintWriter out) {
    out.printf(
        "%s %s/%s: %s (%s)%n",
        review.verdict(), review.taskId(), review.stepId(), review.reasonCode(), review.summary());
    for (CheckResult c : review.checks()) {
      out.printf("  %-20s %s%n", c.check(), c.passed() ? "ok" : c.reasonCode());
      for (Finding f : c.findings()) {
        out.println("    - " + (f.blocking() ? "" : "(warning) ") + f.detail());
      }
    }
    if (review.claimsContradicted() > 0) {
      out.println("  claims contradicted by the workspace: " + review.claimsContradicted());
    }
  }

  static void deleteQuietly(Path dir) {
    try (var walk = Files.walk(dir)) {
      walk.sorted(java.util.Comparator.reverseOrder())
          .forEach(
              p -> {
                try {
                  Files.deleteIfExists(p);
                } catch (IOException e) {
                  // a temporary folder; the system cleans it
                }
              });
    } catch (IOException e) {
      // already gone
    }
  }

  private static String read(Path file) throws IOException {
    try {
      return Files.readString(file);
    } catch (NoSuchFileException e) {
      throw new CliException(ExitCodes.USAGE, "no file at " + file);
    }
  }
}
