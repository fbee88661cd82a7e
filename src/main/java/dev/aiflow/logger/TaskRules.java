package dev.aiflow.logger;

/**
 * The R/S protocol and close-once, in one place for the writer (which refuses) and the verifier
 * (which reports).
 */
final class TaskRules {

  private TaskRules() {}

  /** Null when an attempt R{@code r}/S{@code s} may follow the task's state, else why not. */
  static String attemptViolation(TaskState t, int r, int s) {
    if (t.closed) {
      return closedMessage(t);
    }
    if (r < 0 || s < 0) {
      return "R and S must be >= 0, got R" + r + "/S" + s;
    }
    if (t.lastR < 0) {
      return r == 0 && s == 0
          ? null
          : "attempt R"
              + r
              + "/S"
              + s
              + " refused for task "
              + t.taskId
              + ": the first attempt must be R0/S0";
    }
    if ((r == t.lastR && s == t.lastS + 1) || (r == t.lastR + 1 && s == 0)) {
      return null;
    }
    return "attempt R"
        + r
        + "/S"
        + s
        + " refused for task "
        + t.taskId
        + ": after R"
        + t.lastR
        + "/S"
        + t.lastS
        + " the next attempt must be R"
        + t.lastR
        + "/S"
        + (t.lastS + 1)
        + " (retry) or R"
        + (t.lastR + 1)
        + "/S0 (new revision)";
  }

  /** Null when any further event may be appended to the task, else why not. */
  static String appendViolation(TaskState t) {
    return t.closed ? closedMessage(t) : null;
  }

  private static String closedMessage(TaskState t) {
    return "task "
        + t.taskId
        + " was closed ("
        + t.finalStatus
        + ") at event #"
        + t.closedAtSeq
        + "; a task closes once and nothing is appended after its final record";
  }
}
