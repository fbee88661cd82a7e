package dev.aiflow.qa;

import dev.aiflow.protocol.AcceptanceCriterion;
import dev.aiflow.protocol.AcceptanceEvidence;
import dev.aiflow.protocol.CommandRecord;
import dev.aiflow.protocol.PathGlob;
import dev.aiflow.protocol.StepResult;
import dev.aiflow.protocol.StepSpec;
import dev.aiflow.protocol.WorkspacePath;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The QA gate: judges a {@link StepResult} against the step it answers, with the evidence in the
 * workspace. Each check is reported on its own; the verdict rules are in instructions/qa.md.
 * Deterministic: the same files give the same review.
 */
public final class StepQaReviewer {

  /** The evidence root every evidence path must lie under. */
  public static final String EVIDENCE_ROOT = ".artifacts/";

  /** Supervisor outcomes a rework can address (the agent may behave differently next time). */
  public static final Set<String> FIXABLE_DISPATCH_CODES =
      Set.of("TIMEOUT", "SILENCE", "MEMORY", "EXIT_NONZERO");

  /** Supervisor outcomes that mean the agent broke the protocol. */
  public static final Set<String> PROTOCOL_DISPATCH_CODES = Set.of("PARSE_ERROR", "SCHEMA_ERROR");

  private final Path workspace;

  public StepQaReviewer(Path workspace) {
    this.workspace = workspace.toAbsolutePath().normalize();
  }

  public QaReview review(StepSpec spec, StepResult result) {
    Map<String, EvidenceRecord> evidence = new LinkedHashMap<>();
    List<CheckResult> checks =
        List.of(
            CheckResult.of(Check.IDENTITY, identity(spec, result)),
            CheckResult.of(Check.DISPATCH, dispatch(result)),
            CheckResult.of(Check.ACCEPTANCE_COVERAGE, coverage(spec, result, evidence)),
            CheckResult.of(Check.REQUIRED_COMMANDS, commands(spec, result)),
            CheckResult.of(Check.SCOPE, scope(spec, result)),
            CheckResult.of(Check.EVIDENCE, evidenceCheck(result, evidence)));
    return verdict(spec, result, checks, List.copyOf(evidence.values()));
  }

  private static QaReview verdict(
      StepSpec spec, StepResult result, List<CheckResult> checks, List<EvidenceRecord> evidence) {
    boolean allPassed = checks.stream().allMatch(CheckResult::passed);
    Verdict verdict;
    String code;
    String summary;
    CheckResult scope = find(checks, Check.SCOPE);
    boolean protocol =
        checks.stream().anyMatch(c -> !c.passed() && !c.fixable() && c.check() != Check.SCOPE);
    if (!scope.passed()) {
      verdict = Verdict.FAIL;
      code = "FAIL_SCOPE_VIOLATION";
      summary = "files changed outside the allowed paths";
    } else if (protocol) {
      verdict = Verdict.FAIL;
      code = "FAIL_PROTOCOL_VIOLATION";
      summary = "the result breaks the protocol";
    } else if (allPassed && "PASS".equals(result.result())) {
      verdict = Verdict.PASS;
      code = "PASS_ALL_CRITERIA";
      summary = "every check passed and the evidence supports the PASS";
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
        evidence);
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

  private static List<Finding> commands(StepSpec spec, StepResult result) {
    List<Finding> findings = new ArrayList<>();
    for (String required : spec.requiredCommands()) {
      CommandRecord ran = null;
      for (CommandRecord c : result.commands()) {
        if (sameCommand(required, c.command())) {
          ran = c; // the last run of a command is the one that counts
        }
      }
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

  static boolean sameCommand(String a, String b) {
    return a.strip().replaceAll("\\s+", " ").equals(b.strip().replaceAll("\\s+", " "));
  }

  private List<Finding> scope(StepSpec spec, StepResult result) {
    List<Finding> findings = new ArrayList<>();
    for (String changed : result.changedFiles()) {
      WorkspacePath p = WorkspacePath.check(workspace, changed);
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

  private List<Finding> evidenceCheck(StepResult result, Map<String, EvidenceRecord> evidence) {
    Set<String> paths = new LinkedHashSet<>();
    for (CommandRecord c : result.commands()) {
      if (c.evidencePath() != null && !c.evidencePath().isBlank()) {
        paths.add(c.evidencePath());
      }
    }
    result.acceptance().forEach(a -> paths.addAll(a.evidencePaths()));
    paths.addAll(result.artifacts());
    List<Finding> findings = new ArrayList<>();
    for (String path : paths) {
      WorkspacePath p = WorkspacePath.check(workspace, path);
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
    WorkspacePath p = WorkspacePath.check(workspace, reported);
    if (!p.safe() || !p.normalised().startsWith(EVIDENCE_ROOT)) {
      return null;
    }
    EvidenceRecord known = evidence.get(p.normalised());
    if (known != null) {
      return known;
    }
    Path file = workspace.resolve(p.normalised());
    if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
      return null;
    }
    try {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      long bytes = 0;
      byte[] buf = new byte[1 << 16];
      try (InputStream in = Files.newInputStream(file, LinkOption.NOFOLLOW_LINKS)) {
        int n;
        while ((n = in.read(buf)) > 0) {
          md.update(buf, 0, n);
          bytes += n;
        }
      }
      EvidenceRecord record =
          new EvidenceRecord(p.normalised(), HexFormat.of().formatHex(md.digest()), bytes);
      evidence.put(p.normalised(), record);
      return record;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read evidence " + file, e);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
