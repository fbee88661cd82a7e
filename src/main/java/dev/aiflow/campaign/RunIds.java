package dev.aiflow.campaign;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/** Run ids in the seed's shape: {@code <task>_<yyyyMMddTHHmmssZ>_<7 hex>}. */
public final class RunIds {

  private static final DateTimeFormatter STAMP =
      DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'", Locale.ROOT).withZone(ZoneOffset.UTC);

  private RunIds() {}

  /**
   * @param salt anything that tells two runs of the same second apart (a cycle number and a
   *     campaign id)
   */
  public static String of(String taskKey, Instant at, String salt) {
    String hex = Integer.toHexString((salt + "|" + taskKey + "|" + at).hashCode() & 0x0fffffff);
    hex = "0".repeat(7 - Math.min(7, hex.length())) + hex;
    // ids are at most 128 characters (docs/protocol.md); the stamp and hex take 25
    String key = taskKey.length() > 100 ? taskKey.substring(0, 100) : taskKey;
    return key + "_" + STAMP.format(at) + "_" + hex.substring(0, 7);
  }
}
