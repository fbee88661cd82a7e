package dev.aiflow.logger;

import java.time.Clock;

/**
 * Tuning of a {@link WorkflowLogger}.
 *
 * @param durability when an append is durable
 * @param clock source of {@code recorded_at}
 * @param inlineContentLimit code content larger than this many UTF-8 bytes goes to the task's
 *     {@code artifacts/} folder instead of the log
 */
public record LoggerOptions(Durability durability, Clock clock, int inlineContentLimit) {

  /** 64 KiB, the documented limit for inline code content. */
  public static final int DEFAULT_INLINE_CONTENT_LIMIT = 64 * 1024;

  public LoggerOptions {
    if (durability == null || clock == null) {
      throw new IllegalArgumentException("durability and clock are required");
    }
    if (inlineContentLimit < 0) {
      throw new IllegalArgumentException("inlineContentLimit must be >= 0");
    }
  }

  public static LoggerOptions defaults() {
    return new LoggerOptions(Durability.SYNC, Clock.systemUTC(), DEFAULT_INLINE_CONTENT_LIMIT);
  }

  public LoggerOptions withDurability(Durability value) {
    return new LoggerOptions(value, clock, inlineContentLimit);
  }

  public LoggerOptions withClock(Clock value) {
    return new LoggerOptions(durability, value, inlineContentLimit);
  }
}
