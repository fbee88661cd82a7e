package dev.aiflow.qa;

/**
 * An evidence file the review saw, and its SHA-256 at that moment.
 *
 * @param origin {@code agent} (named in the StepResult) or {@code kernel} (written by the kernel's
 *     observation and re-runs)
 */
public record EvidenceRecord(String path, String sha256, long bytes, String origin) {

  public static final String AGENT = "agent";
  public static final String KERNEL = "kernel";

  public EvidenceRecord {
    origin = origin == null ? AGENT : origin;
  }

  public EvidenceRecord(String path, String sha256, long bytes) {
    this(path, sha256, bytes, AGENT);
  }
}
