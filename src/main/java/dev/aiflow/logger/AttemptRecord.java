package dev.aiflow.logger;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * One R/S attempt of a task, the input of {@link WorkflowLogger#logAttempt}. Field names follow the
 * seed's {@code log_attempt}; the optional tail carries what the engine knows.
 *
 * @param idempotencyKey when set, a second append with the same key for the same task returns the
 *     event already stored instead of writing another (a retried engine job)
 * @param revisionKey what the attempt was made against (for example the SHA-256 of the StepPack);
 *     {@link WorkflowLogger#nextPointer} uses it to tell a retry from a new revision
 * @param context extra string facts recorded with the attempt (QA verdict, requirements hash...)
 * @param usage what the attempt used: tokens, cost, turns, wall time (docs/chain-format.md); values
 *     are strings, booleans or integers below 2^53; empty when nothing is known
 */
public record AttemptRecord(
    String taskId,
    int r,
    int s,
    List<String> acceptanceSnapshot,
    String codeChangeSummary,
    String codeArtifactRef,
    String codeContent,
    List<String> executedFiles,
    List<String> executedCommands,
    String testResults,
    String result,
    String reasonCode,
    String reasonDetail,
    String nextAction,
    EngineCorrelation engine,
    String idempotencyKey,
    String revisionKey,
    Map<String, String> context,
    Map<String, Object> usage) {

  public AttemptRecord {
    acceptanceSnapshot = acceptanceSnapshot == null ? List.of() : List.copyOf(acceptanceSnapshot);
    executedFiles = executedFiles == null ? List.of() : List.copyOf(executedFiles);
    executedCommands = executedCommands == null ? List.of() : List.copyOf(executedCommands);
    engine = engine == null ? EngineCorrelation.none() : engine;
    context = context == null ? Map.of() : Map.copyOf(new TreeMap<>(context));
    usage = usage == null ? Map.of() : Map.copyOf(new TreeMap<>(usage));
    usage.forEach(
        (k, v) -> {
          boolean integral =
              (v instanceof Long || v instanceof Integer)
                  && Math.abs(((Number) v).longValue()) < (1L << 53);
          if (!(v instanceof String || v instanceof Boolean || integral)) {
            throw new IllegalArgumentException(
                "usage." + k + " must be a string, a boolean or an integer below 2^53");
          }
        });
  }

  public static Builder builder(String taskId) {
    return new Builder(taskId);
  }

  /** Builds an {@link AttemptRecord}; unset lists are empty, unset strings are null. */
  public static final class Builder {
    private final String taskId;
    private int r;
    private int s;
    private List<String> acceptanceSnapshot = List.of();
    private String codeChangeSummary;
    private String codeArtifactRef;
    private String codeContent;
    private List<String> executedFiles = List.of();
    private List<String> executedCommands = List.of();
    private String testResults;
    private String result;
    private String reasonCode;
    private String reasonDetail;
    private String nextAction;
    private EngineCorrelation engine;
    private String idempotencyKey;
    private String revisionKey;
    private Map<String, String> context = Map.of();
    private Map<String, Object> usage = Map.of();

    private Builder(String taskId) {
      this.taskId = taskId;
    }

    public Builder pointer(int r, int s) {
      this.r = r;
      this.s = s;
      return this;
    }

    public Builder acceptanceSnapshot(List<String> v) {
      this.acceptanceSnapshot = v;
      return this;
    }

    public Builder codeChangeSummary(String v) {
      this.codeChangeSummary = v;
      return this;
    }

    public Builder codeArtifactRef(String v) {
      this.codeArtifactRef = v;
      return this;
    }

    public Builder codeContent(String v) {
      this.codeContent = v;
      return this;
    }

    public Builder executedFiles(List<String> v) {
      this.executedFiles = v;
      return this;
    }

    public Builder executedCommands(List<String> v) {
      this.executedCommands = v;
      return this;
    }

    public Builder testResults(String v) {
      this.testResults = v;
      return this;
    }

    public Builder result(String v) {
      this.result = v;
      return this;
    }

    public Builder reasonCode(String v) {
      this.reasonCode = v;
      return this;
    }

    public Builder reasonDetail(String v) {
      this.reasonDetail = v;
      return this;
    }

    public Builder nextAction(String v) {
      this.nextAction = v;
      return this;
    }

    public Builder engine(EngineCorrelation v) {
      this.engine = v;
      return this;
    }

    public Builder idempotencyKey(String v) {
      this.idempotencyKey = v;
      return this;
    }

    public Builder revisionKey(String v) {
      this.revisionKey = v;
      return this;
    }

    public Builder context(Map<String, String> v) {
      this.context = v;
      return this;
    }

    public Builder usage(Map<String, Object> v) {
      this.usage = v;
      return this;
    }

    public AttemptRecord build() {
      return new AttemptRecord(
          taskId,
          r,
          s,
          acceptanceSnapshot,
          codeChangeSummary,
          codeArtifactRef,
          codeContent,
          executedFiles,
          executedCommands,
          testResults,
          result,
          reasonCode,
          reasonDetail,
          nextAction,
          engine,
          idempotencyKey,
          revisionKey,
          context,
          usage);
    }
  }
}
