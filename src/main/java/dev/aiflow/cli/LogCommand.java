package dev.aiflow.cli;

import dev.aiflow.logger.AttemptRecord;
import dev.aiflow.logger.ChainEvent;
import dev.aiflow.logger.ChainProblem;
import dev.aiflow.logger.ExportResult;
import dev.aiflow.logger.ImportResult;
import dev.aiflow.logger.VerificationReport;
import dev.aiflow.logger.WorkflowLogger;
import dev.aiflow.qa.EvidenceCheck;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;

/**
 * {@code aiflow log ...}: the workflow logger from the command line, with the seed's flags. The
 * shared options may stand before or after the subcommand.
 */
@Command(
    name = "log",
    mixinStandardHelpOptions = true,
    description =
        "Append-only, hash-chained workflow log: R/S attempts, close, verify, export; signed"
            + " checkpoints, proofs and offline bundles.",
    subcommands = {
      LogCommand.Init.class,
      LogCommand.Attempt.class,
      LogCommand.Close.class,
      LogCommand.Verify.class,
      LogCommand.Export.class,
      LogCommand.Import.class,
      TransparencyCommands.Key.class,
      TransparencyCommands.Checkpoint.class,
      TransparencyCommands.Prove.class,
      TransparencyCommands.VerifyBundle.class,
      TransparencyCommands.MonitorCommand.class
    })
public class LogCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Option(
      names = "--root-dir",
      defaultValue = "${env:AIFLOW_DATA_DIR:-data}/workflow",
      scope = ScopeType.INHERIT,
      description =
          "Folder holding the projects (default: ${DEFAULT-VALUE}, the data directory's, which the"
              + " server uses too).")
  Path rootDir;

  @Option(
      converter = IdConverter.class,
      names = "--project-id",
      scope = ScopeType.INHERIT,
      description = "The project's id.")
  String projectId;

  @Option(
      names = "--store",
      defaultValue = "files",
      scope = ScopeType.INHERIT,
      description =
          "Where the chain is read: files (the --root-dir folder; default) or postgres (a"
              + " cluster's database, see --db-url). With postgres the chain is written out into a"
              + " temporary folder first, and only verify and export run.")
  String store;

  @Option(
      names = "--db-url",
      scope = ScopeType.INHERIT,
      description = "With --store postgres: the JDBC URL (default: $AIFLOW_DB_URL).")
  String dbUrl;

  @Option(
      names = "--db-user",
      scope = ScopeType.INHERIT,
      description = "With --store postgres: the database user (default: $AIFLOW_DB_USER).")
  String dbUser;

  @Option(
      names = "--db-password-file",
      scope = ScopeType.INHERIT,
      description =
          "With --store postgres: a file holding the password (default: $AIFLOW_DB_PASSWORD).")
  Path dbPasswordFile;

  private boolean writtenOut;

  @Override
  public Integer call() {
    spec.commandLine().usage(spec.commandLine().getErr());
    return ExitCodes.USAGE;
  }

  String project() {
    if (projectId == null || projectId.isBlank()) {
      throw new CliException(ExitCodes.USAGE, "--project-id is required");
    }
    switch (store == null ? "files" : store) {
      case "files" -> {}
      case "postgres" -> {
        if (!writtenOut) {
          rootDir = ClusterChains.writeOut(this);
          writtenOut = true;
        }
      }
      default ->
          throw new CliException(
              ExitCodes.USAGE, "--store must be files or postgres, not " + store);
    }
    return projectId;
  }

  /** The folder holding the projects: with --store postgres, where the chain was written out. */
  Path root() {
    if ("postgres".equals(store)) {
      project();
    }
    return rootDir;
  }

  /** The subcommand that runs, by name. */
  String subcommand() {
    var sub = spec.commandLine().getParseResult().subcommand();
    return sub == null ? "" : sub.commandSpec().name();
  }

  static void reportRepairs(WorkflowLogger log, PrintWriter err) {
    for (String repair : log.repairs()) {
      err.println("aiflow: repaired: " + repair);
    }
  }

  @Command(name = "init", description = "Create the project's layout and first event.")
  static class Init implements Callable<Integer> {
    @picocli.CommandLine.ParentCommand LogCommand log;
    @Spec CommandSpec spec;

    @Override
    public Integer call() {
      boolean created = WorkflowLogger.init(log.root(), log.project());
      spec.commandLine()
          .getOut()
          .println(
              (created ? "initialised project " : "project already initialised: ")
                  + log.project()
                  + " in "
                  + log.root().resolve(log.project()));
      return ExitCodes.OK;
    }
  }

  @Command(name = "attempt", description = "Append one R/S attempt of a task.")
  static class Attempt implements Callable<Integer> {
    @picocli.CommandLine.ParentCommand LogCommand log;
    @Spec CommandSpec spec;

    @Option(
        converter = IdConverter.class,
        names = "--task-id",
        required = true,
        description = "The task the attempt belongs to.")
    String taskId;

    @Option(names = "--r", required = true, description = "Revision number R (0 first).")
    int r;

    @Option(names = "--s", required = true, description = "Attempt number S within R (0 first).")
    int s;

    @Option(names = "--acceptance", description = "An acceptance criterion (repeatable).")
    List<String> acceptance = new ArrayList<>();

    @Option(names = "--code-change-summary", description = "What the attempt changed, in a line.")
    String codeChangeSummary;

    @Option(
        names = "--code-artifact-ref",
        description = "Where the change is (a commit, a branch or a diff file).")
    String codeArtifactRef;

    @Option(
        names = "--code-content",
        description = "Code content; over 64 KiB it is stored under the task's artifacts/.")
    String codeContent;

    @Option(names = "--executed-file", description = "A file the attempt executed (repeatable).")
    List<String> executedFiles = new ArrayList<>();

    @Option(names = "--executed-command", description = "A command it ran (repeatable).")
    List<String> executedCommands = new ArrayList<>();

    @Option(
        names = "--test-results",
        description = "What the tests said, in a line (for example \"0 failed, 12 passed\").")
    String testResults;

    @Option(
        names = "--result",
        required = true,
        description = "PASS, FAIL, REWORK, BLOCKED or ERROR.")
    String result;

    @Option(
        names = "--reason-code",
        required = true,
        description = "Why the result is what it is (for example PASS_ALL_CRITERIA or TESTS_FAIL).")
    String reasonCode;

    @Option(names = "--reason-detail", description = "The reason in words.")
    String reasonDetail;

    @Option(names = "--next-action", description = "What happens next (a rework, a person...).")
    String nextAction;

    @Override
    public Integer call() {
      try (WorkflowLogger logger = WorkflowLogger.open(log.root(), log.project())) {
        reportRepairs(logger, spec.commandLine().getErr());
        ChainEvent e =
            logger.logAttempt(
                AttemptRecord.builder(taskId)
                    .pointer(r, s)
                    .acceptanceSnapshot(acceptance)
                    .codeChangeSummary(codeChangeSummary)
                    .codeArtifactRef(codeArtifactRef)
                    .codeContent(codeContent)
                    .executedFiles(executedFiles)
                    .executedCommands(executedCommands)
                    .testResults(testResults)
                    .result(result)
                    .reasonCode(reasonCode)
                    .reasonDetail(reasonDetail)
                    .nextAction(nextAction)
                    .build());
        spec.commandLine()
            .getOut()
            .printf(
                "appended attempt R%d/S%d of %s: event #%d, hash %s%n",
                r, s, taskId, e.seq(), e.eventHash());
      }
      return ExitCodes.OK;
    }
  }

  @Command(name = "close", description = "Close a task with its final record (once).")
  static class Close implements Callable<Integer> {
    @picocli.CommandLine.ParentCommand LogCommand log;
    @Spec CommandSpec spec;

    @Option(
        converter = IdConverter.class,
        names = "--task-id",
        required = true,
        description = "The task to close.")
    String taskId;

    @Option(
        names = "--final-status",
        required = true,
        description = "One of accepted, rejected, failed or abandoned.")
    String finalStatus;

    @Option(names = "--summary", description = "How the task ended, in a line.")
    String summary;

    @Override
    public Integer call() {
      try (WorkflowLogger logger = WorkflowLogger.open(log.root(), log.project())) {
        reportRepairs(logger, spec.commandLine().getErr());
        ChainEvent e = logger.closeTask(taskId, finalStatus, summary);
        spec.commandLine()
            .getOut()
            .printf(
                "closed %s as %s: event #%d, hash %s%n",
                taskId, finalStatus, e.seq(), e.eventHash());
      }
      return ExitCodes.OK;
    }
  }

  @Command(
      name = "verify",
      description = "Verify a task's chain, or the project's chains; never writes.")
  static class Verify implements Callable<Integer> {
    @picocli.CommandLine.ParentCommand LogCommand log;
    @Spec CommandSpec spec;

    @Option(
        converter = IdConverter.class,
        names = "--task-id",
        description = "Verify only this task's chain.")
    String taskId;

    @Option(
        names = "--expect-head",
        description = "The head hash recorded elsewhere: detects a truncated tail.")
    String expectHead;

    @Option(
        names = "--evidence",
        description =
            "Also recheck every evidence file the QA reviews recorded (agent's and kernel's,"
                + " under .artifacts/ of --workspace) against its SHA-256 in the chain.")
    boolean evidence;

    @Option(
        names = "--workspace",
        defaultValue = ".",
        description =
            "The workspace holding .artifacts/, for --evidence (default: ${DEFAULT-VALUE}).")
    Path workspace;

    @Override
    public Integer call() {
      VerificationReport report =
          WorkflowLogger.verify(log.root(), log.project(), taskId, expectHead);
      PrintWriter out = spec.commandLine().getOut();
      for (String warning : report.warnings()) {
        spec.commandLine().getErr().println("aiflow: warning: " + warning);
      }
      boolean evidenceOk = !evidence || checkEvidence(out);
      if (report.ok()) {
        out.printf(
            "OK %s of %s: %d events, head %s%n",
            report.scope(), log.project(), report.events(), report.head());
        return evidenceOk ? ExitCodes.OK : ExitCodes.FAILED;
      }
      PrintWriter err = spec.commandLine().getErr();
      for (ChainProblem p : report.problems()) {
        err.println("FAIL " + p);
      }
      err.printf(
          "aiflow: verification of %s failed: %d problem(s); first: %s%n",
          report.scope(), report.problems().size(), report.firstProblem());
      return ExitCodes.FAILED;
    }

    /** Prints every evidence file that is not as reviewed; true when all are. */
    private boolean checkEvidence(PrintWriter out) {
      if (!java.nio.file.Files.isDirectory(workspace)) {
        throw new CliException(ExitCodes.USAGE, "--workspace " + workspace + " is not a folder");
      }
      List<ChainEvent> events =
          WorkflowLogger.readProjectEvents(log.root(), log.project()).stream()
              .filter(e -> taskId == null || taskId.equals(e.taskId()))
              .toList();
      EvidenceCheck.ChainResult r = EvidenceCheck.checkChain(workspace, events);
      if (r.ok()) {
        out.printf("OK evidence: %d file(s) of %d review(s) as reviewed%n", r.files(), r.reviews());
        return true;
      }
      PrintWriter err = spec.commandLine().getErr();
      for (EvidenceCheck.Recorded m : r.mismatches()) {
        err.println("FAIL EVIDENCE_" + m.mismatch().problem() + " " + m.describe());
      }
      err.printf(
          "aiflow: evidence check failed: %d of %d file(s) not as reviewed; first: %s%n",
          r.mismatches().size(), r.files(), r.mismatches().get(0).describe());
      return false;
    }
  }

  @Command(
      name = "export",
      description =
          "Export the project to a zip with a hash manifest, a checkpoint signed over exactly the"
              + " exported events and the verifier key (check it with verify-bundle).")
  static class Export implements Callable<Integer> {
    @picocli.CommandLine.ParentCommand LogCommand log;
    @Spec CommandSpec spec;
    @picocli.CommandLine.Mixin TransparencyCommands.KeyOptions key;

    @Option(names = "--archive", required = true, description = "The zip file to write.")
    Path archive;

    @Override
    public Integer call() {
      try (WorkflowLogger logger = WorkflowLogger.open(log.root(), log.project())) {
        reportRepairs(logger, spec.commandLine().getErr());
        ExportResult r;
        try {
          r = logger.export(archive, key.open(log.root()).exportExtras());
        } catch (dev.aiflow.transparency.CheckpointException e) {
          spec.commandLine().getErr().println("aiflow: refusing to export: " + e.getMessage());
          return ExitCodes.FAILED;
        }
        spec.commandLine()
            .getOut()
            .printf(
                "exported %s to %s: %d events, %d files, head %s, archive sha256 %s%n",
                r.projectId(), r.archive(), r.events(), r.files(), r.head(), r.archiveSha256());
      }
      return ExitCodes.OK;
    }
  }

  @Command(
      name = "import",
      description = {
        "Import an exported zip under a new project id (checked before writing). Exit 1 when",
        "the archive fails its check (manifest, hashes, chain), 2 when there is none."
      })
  static class Import implements Callable<Integer> {
    @picocli.CommandLine.ParentCommand LogCommand log;
    @Spec CommandSpec spec;

    @Option(names = "--archive", required = true, description = "The zip file an export wrote.")
    Path archive;

    @Option(
        converter = IdConverter.class,
        names = "--target-project-id",
        required = true,
        description = "The project to import the chain as.")
    String targetProjectId;

    @Override
    public Integer call() {
      ImportResult r;
      try {
        r = WorkflowLogger.importProject(log.root(), archive, targetProjectId);
      } catch (dev.aiflow.logger.LogRefusedException e) {
        if (!e.code().startsWith("ARCHIVE_") || e.code().equals("ARCHIVE_MISSING")) {
          throw e; // no archive, or a target that exists: bad usage (exit 2)
        }
        // the archive is there and fails its own check (manifest, hashes, chain): exit 1
        spec.commandLine().getErr().println("aiflow: " + e.getMessage());
        return ExitCodes.FAILED;
      }
      spec.commandLine()
          .getOut()
          .printf(
              "imported %s as %s into %s (migration event %s)%n",
              r.sourceProjectId(), r.targetProjectId(), r.projectDir(), r.migrationEventHash());
      return ExitCodes.OK;
    }
  }
}
