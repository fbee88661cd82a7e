package dev.aiflow.engine;

import dev.aiflow.logger.ChainEvent;
import org.camunda.bpm.engine.delegate.VariableScope;

/**
 * Anchors a step's appends in the engine's history: after a step appended to the chain, its last
 * event becomes the value of {@link SharedVars#CHAIN_ANCHOR}, written {@code <seq>:<event hash>}.
 * With history level full every value a variable takes is kept (one {@code ACT_HI_DETAIL} row per
 * update), and an event's hash covers every event before it in the project chain; so a rewritten or
 * deleted event, even with every later hash recomputed, leaves an anchor in history that the chain
 * no longer has, and reconcile names it (docs/chain-format.md, "Anchors").
 *
 * <p>Every delegate that appends to a chain calls {@link #anchor} after its last append, in the
 * same transaction as the append's other variables.
 */
public final class ChainAnchors {

  private ChainAnchors() {}

  /** Records {@code last} (the last event this step appended) as the instance's anchor. */
  public static void anchor(VariableScope scope, ChainEvent last) {
    if (last == null) {
      return;
    }
    String value = value(last);
    if (!value.equals(scope.getVariable(SharedVars.CHAIN_ANCHOR))) {
      scope.setVariable(SharedVars.CHAIN_ANCHOR, value);
    }
  }

  /** The anchor's value for an event: {@code <seq>:<event hash>}. */
  public static String value(ChainEvent event) {
    return event.seq() + ":" + event.eventHash();
  }

  /**
   * One anchor as history holds it.
   *
   * @param seq the anchored event's position in the project chain, or -1 for an anchor written as a
   *     bare hash (before anchors carried the position)
   * @param hash the anchored event's hash
   */
  public record Anchor(long seq, String hash) {

    /** Reads a value of {@link SharedVars#CHAIN_ANCHOR}; null when it is neither form. */
    public static Anchor parse(Object value) {
      if (value == null) {
        return null;
      }
      String s = value.toString();
      int colon = s.indexOf(':');
      String hash = colon < 0 ? s : s.substring(colon + 1);
      if (!hash.matches("[0-9a-f]{64}")) {
        return null;
      }
      if (colon < 0) {
        return new Anchor(-1, hash);
      }
      try {
        long seq = Long.parseLong(s.substring(0, colon));
        return seq > 0 ? new Anchor(seq, hash) : null;
      } catch (NumberFormatException e) {
        return null;
      }
    }
  }
}
