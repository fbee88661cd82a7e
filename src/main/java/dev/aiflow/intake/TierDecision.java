package dev.aiflow.intake;

/**
 * The outcome of tier routing.
 *
 * @param tier {@code tier2} (lightweight) or {@code tier3} (contract-first)
 * @param reason the matched rule's explanation, for people and the log
 */
public record TierDecision(String tier, String reason) {

  public boolean contractFirst() {
    return "tier3".equals(tier);
  }
}
