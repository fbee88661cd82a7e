package dev.aiflow.qa;

import dev.aiflow.observe.ChangeSet;
import dev.aiflow.observe.KernelFile;
import dev.aiflow.observe.KernelObservation;
import dev.aiflow.observe.KernelRun;
import dev.aiflow.observe.ObservedChange;
import dev.aiflow.protocol.AcceptanceCriterion;
import dev.aiflow.protocol.AcceptanceEvidence;
import dev.aiflow.protocol.CommandRecord;
import dev.aiflow.protocol.PathGlob;
import dev.aiflow.protocol.StepResult;
import dev.aiflow.protocol.StepSpec;
import dev.aiflow.protocol.WorkspacePath;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * The QA gate: judges a {@link StepResult} against the step it answers and the kernel's {@link
 * KernelObservation} of the workspace (what changed, what the kernel's own runs of the proofs
 * showed). The agent's StepResult is a claim: it is compared with the observation, and every
 * contradiction is a {@code CLAIM_MISMATCH}. Each check is reported on its own; the verdict rules
 * are in instructions/qa.md. Deterministic: the same files give the same review.
 */
public final class StepQaReviewer {

  /** The evidence root every evidence path must lie under. */
  public static final String EVIDENCE_ROOT = ".artifacts/";

  /** Supervisor outcomes a rework can address (the agent may behave differently next time). */
  public static final Set<String> FIXABLE_DISPATCH_CODES =
      Set.of("TIMEOUT", "SILENCE", "MEMORY", "EXIT_NONZERO");

  /** Supervisor outcomes that mean the agent broke the protocol. */
  public static final Set<String> PROTOCOL_DISPATCH_CODES = Set.of("PARSE_ERROR", "SCHEMA_ERROR");

  public static final String CLAIM_MISMATCH = "CLAIM_MISMATCH";

  private final WorkspaceFiles files;

  public StepQaReviewer(Path workspace) {
    this(WorkspaceFiles.live(workspace));
  }

  /**
   * A gate asking {@code files} about the workspace: the folder itself, or on the server the
   * answers the kernel gathered next to it ({@link ReviewInputs}).
   */
  public StepQaReviewer(WorkspaceFiles files) {
    this.files = files;
  }

  /**
   * Reviews a result with the kernel's observation of the workspace: SCOPE judges the observed
   * change set, REQUIRED_COMMANDS and ACCEPTANCE_COVERAGE the kernel's runs, CLAIMS compares the
   * agent's claims with both.
   *
   * @throws IllegalArgumentException when the observation is of another step
   */
  public QaReview review(StepSpec spec, StepResult result, KernelObservation kernel) {
    Objects.requireNonNull(kernel, "the kernel observation is required");
    if (!spec.runId().equals(kernel.runId())
        || !spec.taskId().equals(kernel.taskId())
        || !spec.stepId().equals(kernel.stepId())) {
      throw new IllegalArgumentException(
          "the kernel observation is of "
              + kernel.runId()
              + "/"
              + kernel.taskId()
              + "/"
              + kernel.stepId()
              + ", not of the step "
              + spec.runId()
              + "/"
              + spec.taskId()
              + "/"
              + spec.stepId());
    }
    if (kernel.workspace() != null && !files.isWorkspace(kernel.workspace())) {
      throw new IllegalArgumentException(
          "the kernel observation is of the workspace "
              + kernel.workspace()
              + ", not of "
              + files.describe());
    }
    Map<String, EvidenceRecord> evidence = new LinkedHashMap<>();
    List<String> needsPerson = new ArrayList<>();
    List<Finding> coverage = coverage(spec, result, evidence);
    coverage.addAll(verifiedCoverage(spec, kernel, needsPerson));
    List<Finding> commands = agentCommands(spec, result);
    commands.addAll(verifiedCommands(spec, kernel));
    List<Finding> evidenceFindings = evidenceCheck(result, evidence);
    evidenceFindings.addAll(kernelEvidence(kernel, evidence));
    List<CheckResult> checks =
        List.of(
            CheckResult.of(Check.IDENTITY, identity(spec, result)),
            CheckResult.of(Check.DISPATCH, dispatch(result)),
            CheckResult.of(Check.ACCEPTANCE_COVERAGE, coverage),
            CheckResult.of(Check.REQUIRED_COMMANDS, commands),
            CheckResult.of(Check.SCOPE, observedScope(spec, result, kernel)),
            CheckResult.of(Check.EVIDENCE, evidenceFindings),
            CheckResult.of(Check.CLAIMS, claims(spec, result, kernel)));
    return verdict(
        spec,
        result,
        checks,
        List.copyOf(evidence.values()),
        kernel.backend(),
        needsPerson,
        kernel.file());
  }

  /**
   * The review before the kernel observed and re-ran: it judges the agent's own claims (its
   * changed_files, exit codes and evidence), which an agent can fabricate.
   *
   * @deprecated a PASS from this review means only that the agent said so; use {@link
   *     #review(StepSpec, StepResult, KernelObservation)}. Kept until the engine passes the
   *     kernel's observation (Task_VerifyInWorkspace).
   */
  @Deprecated(forRemoval = true)
  public QaReview review(StepSpec spec, StepResult result) {
    Map<String, EvidenceRecord> evidence = new LinkedHashMap<>();
    List<Finding> commands = claimedCommands(spec, result);
    List<CheckResult> checks =
        List.of(
            CheckResult.of(Check.IDENTITY, identity(spec, result)),
            CheckResult.of(Check.DISPATCH, dispatch(result)),
            CheckResult.of(Check.ACCEPTANCE_COVERAGE, coverage(spec, result, evidence)),
            CheckResult.of(Check.REQUIRED_COMMANDS, commands),
            CheckResult.of(Check.SCOPE, claimedScope(spec, result)),
            CheckResult.of(Check.EVIDENCE, evidenceCheck(result, evidence)));
    return verdict(
        spec,
        result,
        checks,
        List.copyOf(evidence.values()),
        spec.worker() == null ? null : spec.worker().backend(),
        List.of(),
        null);
  }

  private static QaReview verdict(
      StepSpec spec,
      StepResult result,
      List<CheckResult> checks,
      List<EvidenceRecord> evidence,
      String backend,
      List<String> needsPerson,
      String kernelFile) {
    boolean allPassed = checks.stream().allMatch(CheckResult::passed);
    Verdict verdict;
    String code;
    String summary;
    CheckResult scope = find(checks, Check.SCOPE);
    boolean protocol =
        checks.stream().anyMatch(c -> !c.passed() && !c.fixable() && c.check() != Check.SCOPE);
    boolean lied = checks.stream().anyMatch(c -> c.check() == Check.CLAIMS && !c.passed());
    if (!scope.passed() && !scope.fixable()) {
      verdict = Verdict.FAIL;
      code = "FAIL_SCOPE_VIOLATION";
      summary = "files changed outside the allowed paths (or the git folder, or a link out)";
    } else if (protocol) {
      verdict = Verdict.FAIL;
      code = "FAIL_PROTOCOL_VIOLATION";
      summary = "the result breaks the protocol";
    } else if (lied) {
      verdict = Verdict.FAIL;
      code = "FAIL_CLAIM_MISMATCH";
      summary = "the worker's claims contradict what the kernel observed in the workspace";
    } else if (allPassed && "PASS".equals(result.result()) && !needsPerson.isEmpty()) {
      verdict = Verdict.ESCALATE;
      code = "ESCALATE_MANUAL_CRITERIA";
      summary = "every automated check passed; a person must judge " + needsPerson;
    } else if (allPassed && "PASS".equals(result.result())) {
      verdict = Verdict.PASS;
      code = "PASS_ALL_CRITERIA";
      summary =
          kernelFile == null
              ? "every check passed and the evidence supports the PASS"
              : "every check passed: the kernel's own runs prove every criterion";
    } else if ("PASS".equals(result.result())) {
      verdict = Verdict.FAIL;
      code = "FAIL_PASS_WITHOUT_EVIDENCE";
      summary = "the worker reported PASS but the evidence does not support it";
    } else if ("BLOCKED".equals(result.result())) {
      verdict = Verdict.FAIL;
      code = "FAIL_WORKER_BLOCKED";
      summary = "the worker is blocked: " + result.reasonCode() + " (needs a person, not a rework)";
    } else {
      verdict = Verdict.REWORK;
      code = "REWORK_FIXABLE_FINDINGS";
      summary = "the step is not done yet; the failing checks can be reworked";
    }
    int contradicted =
        (int)
            checks.stream()
                .flatMap(c -> c.findings().stream())
                .filter(f -> CLAIM_MISMATCH.equals(f.reasonCode()))
                .count();
    return new QaReview(
        spec.runId(),
        spec.taskId(),
        spec.stepId(),
        result.result(),
        result.reasonCode(),
        verdict,
        code,
        summary,
        checks,
        evidence,
        backend,
        contradicted,
        needsPerson,
        kernelFile);
  }

  private static CheckResult find(List<CheckResult> checks, Check check) {
    return checks.stream().filter(c -> c.check() == check).findFirst().orElseThrow();
  }

  // ------------------------------------------------------------------ checks

  private static List<Finding> identity(StepSpec spec, StepResult result) {
    List<Finding> findings = new ArrayList<>();
    compare(findings, "run_id", spec.runId(), result.runId());
    compare(findings, "task_id", spec.taskId(), result.taskId());
    compare(findings, "step_id", spec.stepId(), result.stepId());
    return findings;
  }

  private static void compare(List<Finding> findings, String field, String expected, String found) {
    if (!expected.equals(found)) {
      findings.add(
          new Finding(
              "IDENTITY_MISMATCH",
              field,
              field + " is '" + found + "' but the step dispatched was '" + expected + "'",
              false));
    }
  }

  private static List<Finding> dispatch(StepResult result) {
    String code = result.reasonCode();
    if (FIXABLE_DISPATCH_CODES.contains(code)) {
      return List.of(new Finding(code, "agent", describe(result), true));
    }
    if (PROTOCOL_DISPATCH_CODES.contains(code)) {
      return List.of(new Finding(code, "agent", describe(result), false));
    }
    return List.of();
  }

  private static String describe(StepResult result) {
    return result.reasonDetail() == null || result.reasonDetail().isBlank()
        ? result.reasonCode()
        : result.reasonDetail();
  }

  private List<Finding> coverage(
      StepSpec spec, StepResult result, Map<String, EvidenceRecord> evidence) {
    List<Finding> findings = new ArrayList<>();
    Map<String, List<String>> offered = new LinkedHashMap<>();
    for (AcceptanceEvidence a : result.acceptance()) {
      offered.computeIfAbsent(a.criterionId(), k -> new ArrayList<>()).addAll(a.evidencePaths());
    }
    Set<String> known = new LinkedHashSet<>();
    for (AcceptanceCriterion c : spec.acceptanceCriteria()) {
      known.add(c.id());
      List<String> paths = offered.getOrDefault(c.id(), List.of());
      boolean covered = false;
      for (String p : paths) {
        covered |= inspect(p, evidence) != null;
      }
      if (!covered) {
        findings.add(
            new Finding(
                "AC_NOT_COVERED",
                c.id(),
                paths.isEmpty()
                    ? c.id() + " has no evidence"
                    : c.id() + " names evidence that does not exist under " + EVIDENCE_ROOT,
                true));
      }
    }
    for (String id : offered.keySet()) {
      if (!known.contains(id)) {
        findings.add(
            new Finding(
                "AC_UNKNOWN", id, id + " is not an acceptance criterion of this step", true));
      }
    }
    return findings;
  }

  /** What the agent reported about the required commands: that it ran them and kept output. */
  private static List<Finding> agentCommands(StepSpec spec, StepResult result) {
    List<Finding> findings = new ArrayList<>();
    for (String required : spec.requiredCommands()) {
      CommandRecord ran = lastRun(result, required);
      if (ran == null) {
        findings.add(new Finding("CMD_NOT_RUN", required, "`" + required + "` was not run", true));
      } else if (ran.evidencePath() == null || ran.evidencePath().isBlank()) {
        findings.add(
            new Finding(
                "CMD_NO_EVIDENCE",
                required,
                "`" + required + "` ran but its output was not kept as evidence",
                true));
      }
    }
    return findings;
  }

  /** The claims-only review of the required commands: the agent's word for exit codes. */
  private static List<Finding> claimedCommands(StepSpec spec, StepResult result) {
    List<Finding> findings = new ArrayList<>();
    for (String required : spec.requiredCommands()) {
      CommandRecord ran = lastRun(result, required);
      if (ran == null) {
        findings.add(new Finding("CMD_NOT_RUN", required, "`" + required + "` was not run", true));
      } else if (ran.exitCode() != 0) {
        findings.add(
            new Finding(
                "CMD_FAILED", required, "`" + required + "` exited " + ran.exitCode(), true));
      } else if (ran.evidencePath() == null || ran.evidencePath().isBlank()) {
        findings.add(
            new Finding(
                "CMD_NO_EVIDENCE",
                required,
                "`" + required + "` ran but its output was not kept as evidence",
                true));
      }
    }
    return findings;
  }

  /** What the kernel's own runs of the required commands showed. */
  private static List<Finding> verifiedCommands(StepSpec spec, KernelObservation kernel) {
    List<Finding> findings = new ArrayList<>();
    for (String required : spec.requiredCommands()) {
      KernelRun run = kernel.runOf(required).orElse(null);
      if (run == null) {
        findings.add(
            new Finding(
                "CMD_NOT_VERIFIED",
                required,
                "the kernel did not run `" + required + "` (its verification was interrupted)",
                true));
      } else if (!run.passed()) {
        findings.add(new Finding("CMD_FAILED", required, run.describe(), true));
      }
    }
    return findings;
  }

  private static CommandRecord lastRun(StepResult result, String command) {
    CommandRecord ran = null;
    for (CommandRecord c : result.commands()) {
      if (sameCommand(command, c.command())) {
        ran = c; // the last run of a command is the one that counts
      }
    }
    return ran;
  }

  /** The kernel's verification of each criterion, and the criteria only a person can judge. */
  private static List<Finding> verifiedCoverage(
      StepSpec spec, KernelObservation kernel, List<String> needsPerson) {
    List<Finding> findings = new ArrayList<>();
    for (AcceptanceCriterion c : spec.acceptanceCriteria()) {
      boolean command = c.verification() != null && !c.verification().isBlank();
      if (command) {
        KernelRun run = kernel.runFor(c.id()).orElse(null);
        if (run == null) {
          findings.add(
              new Finding(
                  "AC_NOT_VERIFIED",
                  c.id(),
                  "the kernel did not run the verification of "
                      + c.id()
                      + " (its verification was interrupted)",
                  true));
        } else if (!run.passed()) {
          findings.add(
              new Finding(
                  "AC_VERIFICATION_FAILED",
                  c.id(),
                  c.id() + " does not hold: " + run.describe(),
                  true));
        }
      }
      if (c.needsPerson()) {
        needsPerson.add(c.id());
        findings.add(
            Finding.warning(
                "AC_MANUAL", c.id(), c.id() + " is marked manual: a person must judge it"));
      } else if (!command) {
        needsPerson.add(c.id());
        findings.add(
            Finding.warning(
                "AC_NO_VERIFICATION",
                c.id(),
                c.id()
                    + " has no verification command, so nothing proves it and a person must"
                    + " judge it (give it a command, or mark it manual)"));
      }
    }
    return findings;
  }

  /** SCOPE from what the kernel saw change, against the allowed paths and the agent's list. */
  private List<Finding> observedScope(StepSpec spec, StepResult result, KernelObservation kernel) {
    List<Finding> findings = new ArrayList<>();
    ChangeSet changes = kernel.changes();
    if (changes.incomplete() != null) {
      findings.add(
          new Finding(
              "OBSERVATION_INCOMPLETE",
              "workspace",
              "the kernel could not compare the workspace: " + changes.incomplete(),
              false));
    }
    for (ObservedChange c : changes.workspaceChanges()) {
      scopeOf(spec, c, "", findings);
    }
    for (ObservedChange c : changes.gitMetadataChanges()) {
      findings.add(gitDirFinding(c, ""));
    }
    if (changes.headMoved()) {
      findings.add(
          Finding.warning(
              "GIT_HEAD_MOVED",
              "HEAD",
              "HEAD moved from "
                  + abbrev(changes.headBefore())
                  + " to "
                  + abbrev(changes.headAfter())
                  + " (a commit, reset or checkout); the change set compares the files, not"
                  + " the commits"));
    }
    Set<String> claimed = claimedPaths(result, findings);
    Set<String> observed = observedPaths(changes);
    for (String p : observed) {
      if (!claimed.contains(p)) {
        findings.add(
            new Finding(
                "CHANGE_NOT_LISTED", p, "'" + p + "' changed but is not in changed_files", true));
      }
    }
    for (String p : claimed) {
      if (!observed.contains(p)) {
        findings.add(
            Finding.warning(
                "LISTED_NOT_CHANGED",
                p,
                "'" + p + "' is in changed_files but the kernel saw no change to it"));
      }
    }
    ChangeSet during = kernel.verificationChanges();
    if (during != null) {
      String when = " while the kernel ran the verification commands";
      for (ObservedChange c : during.workspaceChanges()) {
        if (!scopeOf(spec, c, when, findings)) {
          findings.add(Finding.warning("CHANGED_BY_VERIFICATION", c.path(), c.describe() + when));
        }
      }
      for (ObservedChange c : during.gitMetadataChanges()) {
        findings.add(gitDirFinding(c, when));
      }
    }
    for (ObservedChange c : changes.workspaceChanges()) {
      String name = c.path().substring(c.path().lastIndexOf('/') + 1);
      if (name.equals(".gitignore")) {
        findings.add(
            Finding.warning(
                "IGNORE_RULES_CHANGED",
                c.path(),
                c.path()
                    + " changed: files it now ignores are not observed; a person should check"
                    + " them"));
      }
    }
    return findings;
  }

  /** Adds the findings of one observed change; true when it was out of scope. */
  private static boolean scopeOf(
      StepSpec spec, ObservedChange c, String when, List<Finding> findings) {
    boolean out = false;
    if (!PathGlob.anyMatches(spec.allowedPaths(), c.path())) {
      findings.add(
          new Finding(
              "SCOPE_VIOLATION",
              c.path(),
              c.describe() + when + " is outside the allowed paths " + spec.allowedPaths(),
              false));
      out = true;
    }
    if (Boolean.TRUE.equals(c.linkEscapes())) {
      findings.add(
          new Finding(
              "LINK_OUTSIDE_WORKSPACE",
              c.path(),
              c.describe() + when + ": the link leads out of the workspace",
              false));
      out = true;
    }
    return out;
  }

  private static Finding gitDirFinding(ObservedChange c, String when) {
    return new Finding(
        "GIT_DIR_CHANGED",
        c.path(),
        c.describe() + when + ": the git folder (hooks, config, info) is not the agent's to change",
        false);
  }

  /** The agent's changed_files, normalised; unsafe ones are scope findings. */
  private Set<String> claimedPaths(StepResult result, List<Finding> findings) {
    Set<String> claimed = new TreeSet<>();
    for (String changed : result.changedFiles()) {
      WorkspacePath p = WorkspacePath.check(null, changed);
      if (!p.safe()) {
        findings.add(
            new Finding("SCOPE_VIOLATION", changed, "'" + changed + "': " + p.problem(), false));
      } else if (!p.normalised().startsWith(EVIDENCE_ROOT)) {
        claimed.add(p.normalised());
      }
    }
    return claimed;
  }

  private static Set<String> observedPaths(ChangeSet changes) {
    Set<String> observed = new TreeSet<>();
    changes.workspaceChanges().forEach(c -> observed.add(c.path()));
    return observed;
  }

  private static String abbrev(String commit) {
    return commit == null ? "(none)" : commit.substring(0, Math.min(12, commit.length()));
  }

  /** The kernel's evidence files: still as the kernel wrote them, and nothing forged before. */
  private List<Finding> kernelEvidence(
      KernelObservation kernel, Map<String, EvidenceRecord> evidence) {
    List<Finding> findings = new ArrayList<>();
    for (String t : kernel.tampering()) {
      findings.add(
          new Finding(
              "KERNEL_EVIDENCE_FORGED",
              kernel.kernelDir(),
              "the kernel's evidence folder was not empty before the kernel wrote it: " + t,
              false));
    }
    List<KernelFile> files = new ArrayList<>(kernel.files());
    for (KernelFile f : files) {
      EvidenceRecord now = hash(f.path(), EvidenceRecord.KERNEL);
      if (now == null) {
        findings.add(
            new Finding("KERNEL_EVIDENCE_MISSING", f.path(), "'" + f.path() + "' is gone", false));
      } else if (!now.sha256().equals(f.sha256())) {
        findings.add(
            new Finding(
                "KERNEL_EVIDENCE_ALTERED",
                f.path(),
                "'" + f.path() + "' changed after the kernel wrote it",
                false));
      } else {
        evidence.put(now.path(), now);
      }
    }
    EvidenceRecord self = hash(kernel.file(), EvidenceRecord.KERNEL);
    if (self != null) {
      evidence.put(self.path(), self);
    }
    return findings;
  }

  /** The agent's claims against what the kernel saw. */
  private List<Finding> claims(StepSpec spec, StepResult result, KernelObservation kernel) {
    List<Finding> findings = new ArrayList<>();
    Map<String, CommandRecord> last = new LinkedHashMap<>();
    for (CommandRecord c : result.commands()) {
      last.put(c.command().strip().replaceAll("\\s+", " "), c);
    }
    for (CommandRecord c : last.values()) {
      KernelRun run = kernel.runOf(c.command()).orElse(null);
      if (c.exitCode() == 0 && run != null && !run.passed()) {
        findings.add(
            new Finding(
                CLAIM_MISMATCH,
                c.command(),
                "you reported `"
                    + c.command()
                    + "` exited 0"
                    + (c.evidencePath() == null || c.evidencePath().isBlank()
                        ? ""
                        : " (evidence " + c.evidencePath() + ")")
                    + "; "
                    + run.describe(),
                true));
      }
    }
    Set<String> claimed = claimedPaths(result, new ArrayList<>());
    Set<String> observed = observedPaths(kernel.changes());
    Set<String> hidden = new TreeSet<>(observed);
    hidden.removeAll(claimed);
    if (!hidden.isEmpty()) {
      findings.add(
          new Finding(
              CLAIM_MISMATCH,
              "changed_files",
              "you listed "
                  + claimed
                  + " in changed_files; the kernel observed changes to "
                  + observed
                  + "; not listed: "
                  + hidden,
              true));
    }
    if ("PASS".equals(result.result())) {
      for (AcceptanceEvidence a : result.acceptance()) {
        KernelRun run = kernel.runFor(a.criterionId()).orElse(null);
        if (!a.evidencePaths().isEmpty() && run != null && !run.passed()) {
          findings.add(
              new Finding(
                  CLAIM_MISMATCH,
                  a.criterionId(),
                  "you cited "
                      + a.evidencePaths()
                      + " as evidence that "
                      + a.criterionId()
                      + " holds; "
                      + run.describe(),
                  true));
        }
      }
    }
    return findings;
  }

  static boolean sameCommand(String a, String b) {
    return a.strip().replaceAll("\\s+", " ").equals(b.strip().replaceAll("\\s+", " "));
  }

  /** The claims-only review's scope: the agent's own list of changed files. */
  private List<Finding> claimedScope(StepSpec spec, StepResult result) {
    List<Finding> findings = new ArrayList<>();
    for (String changed : result.changedFiles()) {
      WorkspacePath p = files.check(changed);
      if (!p.safe()) {
        findings.add(
            new Finding("SCOPE_VIOLATION", changed, "'" + changed + "': " + p.problem(), false));
      } else if (!PathGlob.anyMatches(spec.allowedPaths(), p.normalised())) {
        findings.add(
            new Finding(
                "SCOPE_VIOLATION",
                changed,
                "'" + p.normalised() + "' is outside the allowed paths " + spec.allowedPaths(),
                false));
      }
    }
    return findings;
  }

  /** Every path a result cites as evidence: of its commands, its criteria, its artifacts. */
  static Set<String> citedPaths(StepResult result) {
    Set<String> paths = new LinkedHashSet<>();
    for (CommandRecord c : result.commands()) {
      if (c.evidencePath() != null && !c.evidencePath().isBlank()) {
        paths.add(c.evidencePath());
      }
    }
    result.acceptance().forEach(a -> paths.addAll(a.evidencePaths()));
    paths.addAll(result.artifacts());
    return paths;
  }

  private List<Finding> evidenceCheck(StepResult result, Map<String, EvidenceRecord> evidence) {
    List<Finding> findings = new ArrayList<>();
    for (String path : citedPaths(result)) {
      WorkspacePath p = files.check(path);
      if (!p.safe() || !p.normalised().startsWith(EVIDENCE_ROOT)) {
        findings.add(
            new Finding(
                "EVIDENCE_OUTSIDE_ARTIFACTS",
                path,
                "'"
                    + path
                    + "' is not under "
                    + EVIDENCE_ROOT
                    + (p.safe() ? "" : ": " + p.problem()),
                false));
      } else if (inspect(path, evidence) == null) {
        findings.add(new Finding("EVIDENCE_MISSING", path, "'" + path + "' does not exist", true));
      }
    }
    return findings;
  }

  /** The evidence record of an existing, safe evidence file (hashed once), or null. */
  private EvidenceRecord inspect(String reported, Map<String, EvidenceRecord> evidence) {
    WorkspacePath p = files.check(reported);
    if (!p.safe() || !p.normalised().startsWith(EVIDENCE_ROOT)) {
      return null;
    }
    EvidenceRecord known = evidence.get(p.normalised());
    if (known != null) {
      return known;
    }
    EvidenceRecord record = hash(p.normalised(), EvidenceRecord.AGENT);
    if (record != null) {
      evidence.put(p.normalised(), record);
    }
    return record;
  }

  private EvidenceRecord hash(String normalised, String origin) {
    return files.hash(normalised, origin);
  }
}
