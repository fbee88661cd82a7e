package dev.aiflow.cli;

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
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code aiflow review-step}: the QA gate offline, on files. */
@Command(
    name = "review-step",
    mixinStandardHelpOptions = true,
    description = {
      "Judge a StepResult against its StepPack with the QA gate and the evidence in the workspace.",
      "Exit 0 on PASS, 1 on REWORK or FAIL (the rework pack is written when asked), 2 on invalid",
      "input."
    })
public class ReviewStepCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Option(names = "--step-pack-file", required = true)
  Path stepPackFile;

  @Option(names = "--step-result-file", required = true)
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

  @Option(names = "--round", defaultValue = "1", description = "Rework round (default: 1).")
  int round;

  @Option(names = "--thread-id", description = "Agent thread to resume (default: the result's).")
  String threadId;

  @Override
  public Integer call() throws IOException {
    StepPack pack = Protocol.parseStepPack(read(stepPackFile));
    StepResult result = Protocol.parseStepResult(read(stepResultFile));
    QaReview review = new StepQaReviewer(workspace).review(pack, result);
    PrintWriter out = spec.commandLine().getOut();
    print(review, out);
    if (reviewFile != null) {
      Files.writeString(reviewFile, QaJson.toJson(review) + "\n");
    }
    if (review.verdict() == Verdict.PASS) {
      return ExitCodes.OK;
    }
    if (reworkFile != null) {
      ReworkPack rework =
          ReworkBuilder.build(pack, review, round, threadId != null ? threadId : result.threadId());
      Files.writeString(reworkFile, Protocol.toJson(rework) + "\n");
      out.println("rework pack: " + reworkFile);
    }
    return ExitCodes.FAILED;
  }

  static void print(QaReview review, PrintWriter out) {
    out.printf(
        "%s %s/%s: %s (%s)%n",
        review.verdict(), review.taskId(), review.stepId(), review.reasonCode(), review.summary());
    for (CheckResult c : review.checks()) {
      out.printf("  %-20s %s%n", c.check(), c.passed() ? "ok" : c.reasonCode());
      for (Finding f : c.findings()) {
        out.println("    - " + f.detail());
      }
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
