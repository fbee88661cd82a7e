package dev.aiflow.attempts;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.aiflow.files.Digests;
import dev.aiflow.logger.AttemptPointer;
import dev.aiflow.logger.AttemptRecord;
import dev.aiflow.logger.CanonicalJson;
import dev.aiflow.logger.ChainEvent;
import dev.aiflow.logger.EngineCorrelation;
import dev.aiflow.logger.WorkflowLogger;
import dev.aiflow.protocol.AcceptanceCriterion;
import dev.aiflow.protocol.CommandRecord;
import dev.aiflow.protocol.Protocol;
import dev.aiflow.protocol.StepResult;
import dev.aiflow.protocol.StepSpec;
import dev.aiflow.qa.CheckResult;
import dev.aiflow.qa.EvidenceRecord;
import dev.aiflow.qa.QaReview;
import dev.aiflow.worker.AgentUsage;
import dev.aiflow.worker.DispatchOutcome;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes dispatches and reviews into the workflow log, with the R/S pointer managed: the first
 * dispatch of a task is R0/S0; a rework or a re-dispatch of the same revision is S+1; a StepPack
 * whose revision differs is R+1/S0.
 *
 * <p>The revision is what a step is accepted against: its task, objective, allowed paths,
 * acceptance criteria and required commands ({@link #revisionKey}). A ReworkPack carries the same
 * fields as its step, so it stays in the same revision; new limits, a new backend or reworded
 * instructions do not make a new revision.
 */
public final class AttemptLogging {

  private AttemptLogging() {}

  /** SHA-256 over the canonical JSON of the step's accepted-against fields. */
  public static String revisionKey(StepSpec spec) {
    ObjectNode key = CanonicalJsonHolder.MAPPER.createObjectNode();
    key.put("task_id", spec.taskId());
    key.put("objective", spec.objective());
    key.set("allowed_paths", Protocol.toTree(spec.allowedPaths()));
    key.set("acceptance_criteria", Protocol.toTree(spec.acceptanceCriteria()));
    key.set("required_commands", Protocol.toTree(spec.requiredCommands()));
    return Digests.sha256(CanonicalJson.toCanonicalString(key));
  }

  /** An attempt as logged, with the pointer it was given. */
  public record LoggedAttempt(ChainEvent event, AttemptPointer pointer) {}

  /** Appends one attempt for the dispatch; idempotent per key when one is given. */
  public static LoggedAttempt logDispatch(
      WorkflowLogger log,
      StepSpec spec,
      DispatchOutcome dispatch,
      EngineCorrelation engine,
      String idempotencyKey,
      Map<String, String> context) {
    return logDispatch(
        log,
        spec,
        dispatch.result(),
        dispatch.outcome().name(),
        dispatch.backend(),
        dispatch.evidenceDir(),
        dispatch.process().elapsed().toMillis(),
        dispatch.usage(),
        engine,
        idempotencyKey,
        context);
  }

  /** As above, from what an engine keeps of a dispatch in its variables (usage unknown). */
  public static LoggedAttempt logDispatch(
      WorkflowLogger log,
      StepSpec spec,
      StepResult result,
      String outcome,
      String backend,
      String evidenceDir,
      long elapsedMs,
      EngineCorrelation engine,
      String idempotencyKey,
      Map<String, String> context) {
    return logDispatch(
        log,
        spec,
        result,
        outcome,
        backend,
        evidenceDir,
        elapsedMs,
        AgentUsage.UNKNOWN,
        engine,
        idempotencyKey,
        context);
  }

  /**
   * As above, with the run's usage (an engine keeps it as the JSON of {@link AgentUsage#toTree()}
   * in a variable and reads it back with {@link AgentUsage#fromTree}).
   */
  public static LoggedAttempt logDispatch(
      WorkflowLogger log,
      StepSpec spec,
      StepResult result,
      String outcome,
      String backend,
      String evidenceDir,
      long elapsedMs,
      AgentUsage usage,
      EngineCorrelation engine,
      String idempotencyKey,
      Map<String, String> context) {
    String revision = revisionKey(spec);
    AttemptPointer pointer = log.nextPointer(spec.taskId(), revision);
    ChainEvent event =
        log.logAttempt(
            attempt(
                spec,
                result,
                outcome,
                backend,
                evidenceDir,
                elapsedMs,
                usage,
                pointer,
                revision,
                engine,
                idempotencyKey,
                context));
    return new LoggedAttempt(event, event.replayed() ? storedPointer(event) : pointer);
  }

  /** The pointer an already stored attempt has (a replayed idempotent append). */
  private static AttemptPointer storedPointer(ChainEvent event) {
    try {
      var node = new com.fasterxml.jackson.databind.ObjectMapper().readTree(event.json());
      return new AttemptPointer(node.path("r").asInt(), node.path("s").asInt());
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  static AttemptRecord attempt(
      StepSpec spec,
      StepResult r,
      String outcome,
      String backend,
      String evidenceDir,
      long elapsedMs,
      AgentUsage usage,
      AttemptPointer pointer,
      String revision,
      EngineCorrelation engine,
      String idempotencyKey,
      Map<String, String> context) {
    List<String> acceptance = new ArrayList<>();
    for (AcceptanceCriterion c : spec.acceptanceCriteria()) {
      acceptance.add(c.id() + ": " + c.description());
    }
    List<String> commands = new ArrayList<>();
    StringBuilder tests = new StringBuilder();
    for (CommandRecord c : r.commands()) {
      commands.add(c.command());
      tests
          .append(tests.length() == 0 ? "" : "; ")
          .append(c.command())
          .append(" -> exit ")
          .append(c.exitCode());
    }
    Map<String, String> ctx = new LinkedHashMap<>(context == null ? Map.of() : context);
    ctx.put("step_id", spec.stepId());
    ctx.put("run_id", spec.runId());
    ctx.put("dispatch_outcome", outcome);
    if (backend != null) {
      ctx.put("backend", backend);
    }
    if (evidenceDir != null) {
      ctx.put("evidence_dir", evidenceDir);
    }
    ctx.put("elapsed_ms", String.valueOf(elapsedMs));
    if (r.threadId() != null) {
      ctx.put("thread_id", r.threadId());
    }
    return AttemptRecord.builder(spec.taskId())
        .pointer(pointer.r(), pointer.s())
        .acceptanceSnapshot(acceptance)
        .codeChangeSummary(r.reasonDetail())
        .codeArtifactRef(r.artifacts().isEmpty() ? null : r.artifacts().get(0))
        .executedFiles(r.changedFiles())
        .executedCommands(commands)
        .testResults(tests.length() == 0 ? null : tests.toString())
        .result("OK".equals(outcome) ? r.result() : "ERROR")
        .reasonCode(r.reasonCode())
        .reasonDetail(r.reasonDetail())
        .nextAction(r.nextAction())
        .engine(engine)
        .idempotencyKey(idempotencyKey)
        .revisionKey(revision)
        .context(ctx)
        .usage((usage == null ? AgentUsage.UNKNOWN : usage).chainFields(elapsedMs))
        .build();
  }

  /** Appends the QA review of the task's latest attempt as a {@code qa_review} event. */
  public static ChainEvent logReview(
      WorkflowLogger log, QaReview review, EngineCorrelation engine, String idempotencyKey) {
    return log.logTaskEvent(
        review.taskId(), "qa_review", reviewFields(review, engine), idempotencyKey);
  }

  static Map<String, Object> reviewFields(QaReview review, EngineCorrelation engine) {
    Map<String, Object> fields = new LinkedHashMap<>();
    fields.put("run_id", review.runId());
    fields.put("step_id", review.stepId());
    fields.put("verdict", review.verdict().name());
    fields.put("reason_code", review.reasonCode());
    fields.put("summary", review.summary());
    List<Map<String, Object>> checks = new ArrayList<>();
    for (CheckResult c : review.checks()) {
      Map<String, Object> check = new LinkedHashMap<>();
      check.put("check", c.check().name());
      check.put("passed", c.passed());
      check.put("reason_code", c.reasonCode());
      check.put(
          "findings", c.findings().stream().map(f -> f.reasonCode() + ": " + f.detail()).toList());
      checks.add(check);
    }
    fields.put("checks", checks);
    List<Map<String, Object>> evidence = new ArrayList<>();
    for (EvidenceRecord e : review.evidence()) {
      Map<String, Object> record = new LinkedHashMap<>();
      record.put("path", e.path());
      record.put("sha256", e.sha256());
      record.put("bytes", e.bytes());
      record.put("origin", e.origin());
      evidence.add(record);
    }
    fields.put("evidence", evidence);
    if (review.kernelObservation() != null) {
      fields.put("kernel_observation", review.kernelObservation());
    }
    if (review.backend() != null) {
      fields.put("backend", review.backend());
    }
    fields.put("claims_contradicted", review.claimsContradicted());
    if (!review.needsPerson().isEmpty()) {
      fields.put("needs_person", review.needsPerson());
    }
    if (engine != null && engine.processInstanceId() != null) {
      Map<String, Object> e = new LinkedHashMap<>();
      e.put("process_instance_id", engine.processInstanceId());
      if (engine.activityInstanceId() != null) {
        e.put("activity_instance_id", engine.activityInstanceId());
      }
      fields.put("engine", e);
    }
    return fields;
  }

  /** A private mapper for the revision key (plain Jackson, no protocol rules). */
  private static final class CanonicalJsonHolder {
    static final com.fasterxml.jackson.databind.ObjectMapper MAPPER =
        new com.fasterxml.jackson.databind.ObjectMapper();
  }
}
