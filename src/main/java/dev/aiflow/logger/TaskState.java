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
}
