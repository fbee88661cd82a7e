package dev.aiflow.cli;

import dev.aiflow.negotiation.Drafter;
import dev.aiflow.negotiation.Drafters;
import dev.aiflow.negotiation.FreezeStatus;
import dev.aiflow.negotiation.FreezeStore;
import dev.aiflow.negotiation.Negotiation;
import dev.aiflow.sessionlog.SessionLog;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code aiflow requirements draft|freeze|status}: the freeze workflow on the command line, for a
 * single user working locally. On a server the same steps run as requirements-freeze.bpmn with the
 * approval in Tasklist (docs/requirements.md).
 */
@Command(
    name = "requirements",
    mixinStandardHelpOptions = true,
    description = {
      "Draft requirements from dialogue, freeze an approved draft, or show the freeze status of a",
      "project folder (input/, progress/). Server projects live in <data-dir>/projects/<id>."
    },
    subcommands = {
      RequirementsCommand.Draft.class,
      RequirementsCommand.Freeze.class,
      RequirementsCommand.Status.class
    })
public class RequirementsCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Option(
      names = "--project-dir",
      defaultValue = "${env:AIFLOW_DATA_DIR:-data}/projects/default",
      scope = picocli.CommandLine.ScopeType.INHERIT,
      description =
          "The project folder (input/ and progress/). Default: ${DEFAULT-VALUE}, project default"
              + " of the data directory.")
  Path projectDir;

  @Override
  public Integer call() {
    spec.commandLine().usage(spec.commandLine().getOut());
    return ExitCodes.USAGE;
  }

  SessionLog session() {
    return new SessionLog(projectDir.resolve("session_log.jsonl"));
  }

  static SessionLog.Entry entry(String kind, Map<String, String> details) {
    return new SessionLog.Entry(kind, null, null, null, null, null, details);
  }

  @Command(
      name = "draft",
      mixinStandardHelpOptions = true,
      description = {
        "Turn a dialogue into input/requirements.draft.md in the task brief format and record the",
        "controller in input/controller_profile.json. Prints the problems that would stop a",
        "freeze (exit 1 when there are any, 0 when the draft would freeze as it is)."
      })
  static class Draft implements Callable<Integer> {
    @Spec CommandSpec spec;
    @ParentCommand RequirementsCommand parent;

    @Option(names = "--dialogue-file", required = true, description = "The conversation, as text.")
    Path dialogue;

    @Option(
        names = "--controller-backend",
        defaultValue = "heuristic",
        description =
            "The drafter: heuristic (rules, no AI) or command. Default: ${DEFAULT-VALUE}.")
    String backend;

    @Option(names = "--controller-model", description = "A label for the model, recorded.")
    String model;

    @Option(
        names = "--controller-command",
        description =
            "With --controller-backend command: the command that drafts (it gets the"
                + " dialogue file as its last argument and prints the brief).")
    String command;

    @Override
    public Integer call() throws Exception {
      FreezeStore store = new FreezeStore(parent.projectDir);
      Drafter drafter =
          Drafters.create(
              backend, model, command, store.inputDir().resolve("controller-runs").resolve("cli"));
      Negotiation.Drafted d =
          Negotiation.draft(
              drafter, DispatchCommands.read(dialogue), store, model, command, Instant.now());
      parent
          .session()
          .append(
              entry(
                  "requirements_drafted",
                  Map.of(
                      "backend", drafter.backend(),
                      "draft_sha256", d.sha256(),
                      "findings", String.valueOf(d.findings().size()))));
      PrintWriter out = spec.commandLine().getOut();
      out.printf(
          "drafted %s (sha256 %s) with the %s controller%n",
          store.draftFile(), d.sha256(), drafter.backend());
      if (d.findings().isEmpty()) {
        out.println(
            "the draft would freeze as it is; read it, then: aiflow requirements freeze --approver <you>");
        return ExitCodes.OK;
      }
      out.println("the draft would not freeze yet:");
      d.findings().forEach(f -> out.println("  " + f));
      return ExitCodes.FAILED;
    }
  }

  @Command(
      name = "freeze",
      mixinStandardHelpOptions = true,
      description = {
        "Approve the draft: it becomes input/requirements.vN.md (never overwritten) and",
        "input/requirements.current.md, progress/plan_snapshot.json and boundary_snapshot.json",
        "are derived, and input/freeze_meta.json records version, approver, time and SHA-256."
      })
  static class Freeze implements Callable<Integer> {
    @Spec CommandSpec spec;
    @ParentCommand RequirementsCommand parent;

    @Option(names = "--approver", required = true, description = "Who approves (recorded).")
    String approver;

    @Option(names = "--comment", description = "Why, recorded with the freeze.")
    String comment;

    @Option(
        names = "--expect-draft-sha256",
        description = "Refuse if the draft is no longer the one you reviewed.")
    String expectSha;

    @Override
    public Integer call() {
      FreezeStore.Frozen f =
          new FreezeStore(parent.projectDir).freeze(approver, comment, expectSha, Instant.now());
      parent
          .session()
          .append(
              entry(
                  "requirements_frozen",
                  Map.of(
                      "version", String.valueOf(f.meta().version()),
                      "sha256", f.meta().sha256(),
                      "approver", approver)));
      PrintWriter out = spec.commandLine().getOut();
      out.printf(
          "frozen v%d (%s) approved by %s: %s%n",
          f.meta().version(), f.meta().sha256(), approver, f.versionFile());
      out.println("plan: " + f.snapshots().plan());
      out.println("boundary: " + f.snapshots().boundary());
      return ExitCodes.OK;
    }
  }

  @Command(
      name = "status",
      mixinStandardHelpOptions = true,
      description =
          "Whether the project may execute: exit 0 with an approved freeze, else 1 and why.")
  static class Status implements Callable<Integer> {
    @Spec CommandSpec spec;
    @ParentCommand RequirementsCommand parent;

    @Override
    public Integer call() {
      FreezeStatus s = new FreezeStore(parent.projectDir).status();
      PrintWriter out = spec.commandLine().getOut();
      if (s.approved()) {
        out.printf(
            "approved: v%d, sha256 %s, by %s at %s%n",
            s.meta().version(), s.meta().sha256(), s.meta().approver(), s.meta().approvedAt());
        return ExitCodes.OK;
      }
      out.println("blocked: " + s.code() + ": " + s.message());
      return ExitCodes.FAILED;
    }
  }
}
