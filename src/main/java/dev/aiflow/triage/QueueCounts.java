package dev.aiflow.triage;

/** How many tasks are in each status. */
public record QueueCounts(int pending, int inProgress, int completed, int failed) {

  /**
   * The counts of a tree that spells them {@code pending}, {@code in_progress}, ... (0 if absent).
   */
  public static QueueCounts fromTree(com.fasterxml.jackson.databind.JsonNode n) {
    return new QueueCounts(
        n.path("pending").asInt(),
        n.path("in_progress").asInt(),
        n.path("completed").asInt(),
        n.path("failed").asInt());
  }

  public int total() {
    return pending + inProgress + completed + failed;
  }

  /** Nothing is left to run or running. */
  public boolean drained() {
    return pending == 0 && inProgress == 0;
  }
}
