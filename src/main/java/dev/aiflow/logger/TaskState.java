package dev.aiflow.logger;

/** What the store knows about one task after reading the project chain. */
final class TaskState {
  final String taskId;
  long count;
  String head = EventFields.GENESIS;
  long mirrorBytes;
  int lastR = -1;
  int lastS = -1;
  String lastRevisionKey;
  boolean closed;
  String finalStatus;
  long closedAtSeq;
  int attempts;

  TaskState(String taskId) {
    this.taskId = taskId;
  }

  /** A copy a batch changes while it is encoded; it replaces this one once the batch is durable. */
  TaskState copy() {
    TaskState c = new TaskState(taskId);
    c.count = count;
    c.head = head;
    c.mirrorBytes = mirrorBytes;
    c.lastR = lastR;
    c.lastS = lastS;
    c.lastRevisionKey = lastRevisionKey;
    c.closed = closed;
    c.finalStatus = finalStatus;
    c.closedAtSeq = closedAtSeq;
    c.attempts = attempts;
    return c;
  }
}
