package dev.aiflow.logger;

/** When an append is on stable storage relative to the moment the call returns. */
public enum Durability {
  /** Each append is fsync'd before the call returns. */
  SYNC,
  /**
   * Each call still returns only once its event is fsync'd, but concurrent callers share one fsync
   * (leader/follower group commit), so throughput grows with the number of concurrent writers.
   */
  GROUP_COMMIT
}
