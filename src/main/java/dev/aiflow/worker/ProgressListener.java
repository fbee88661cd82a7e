package dev.aiflow.worker;

import java.time.Instant;

/**
 * Told, about every tick of the supervisor, how much output the agent produced and when it last
 * did: the engine extends an external task's lock while output flows (silence is the heartbeat).
 */
@FunctionalInterface
public interface ProgressListener {

  ProgressListener NONE = (bytes, lastOutput) -> {};

  void onProgress(long bytesSeen, Instant lastOutput);

  /** Asked every tick: true stops the run at once (outcome {@code CANCELLED}). */
  default boolean cancelled() {
    return false;
  }
}
