package dev.aiflow.worker;

import dev.aiflow.protocol.Limits;
import java.time.Duration;

/**
 * The limits a supervised process runs under.
 *
 * @param maxRuntime wall-clock time from start
 * @param maxSilence longest stretch without a byte on stdout or stderr (the heartbeat)
 * @param maxMemoryBytes resident memory of the whole process tree, sampled
 * @param grace how long a stopped tree gets between SIGTERM and SIGKILL
 */
public record ProcessLimits(
    Duration maxRuntime, Duration maxSilence, long maxMemoryBytes, Duration grace) {

  public static ProcessLimits of(Limits limits) {
    return new ProcessLimits(
        Duration.ofSeconds(limits.maxRuntimeSec()),
        Duration.ofSeconds(limits.maxSilenceSec()),
        limits.maxMemoryMb() * 1024L * 1024L,
        Duration.ofSeconds(2));
  }

  public ProcessLimits withGrace(Duration value) {
    return new ProcessLimits(maxRuntime, maxSilence, maxMemoryBytes, value);
  }
}
