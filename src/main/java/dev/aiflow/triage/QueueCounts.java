package dev.aiflow.triage;

/** How many tasks are in each status. */
public record QueueCounts(int pending, int inProgress, int completed, int failed) {

  public int total() {
    return pending + inProgress + completed + failed;
  }

  /** Nothing is left to run or running. */
  public boolean drained() {
    return pending == 0 && inProgress == 0;
  }
}
