package dev.aiflow.engine;

import dev.aiflow.logger.ChainEvent;
import org.camunda.bpm.engine.delegate.VariableScope;

/**
 * Anchors a step's appends in the engine's history: after a step appended to the chain, the hash of
 * its last event becomes the value of {@link SharedVars#CHAIN_ANCHOR}. With history level full
 * every value a variable takes is kept, and an event's hash covers every event before it in the
 * project chain; so a rewritten or deleted event, even with every later hash recomputed, leaves an
 * anchor in history that the chain no longer has, and reconcile names it.
 */
public final class ChainAnchors {

  private ChainAnchors() {}

  /** Records {@code last} (the last event this step appended) as the instance's anchor. */
  public static void anchor(VariableScope scope, ChainEvent last) {
    if (last != null && !last.eventHash().equals(scope.getVariable(SharedVars.CHAIN_ANCHOR))) {
      scope.setVariable(SharedVars.CHAIN_ANCHOR, last.eventHash());
    }
  }
}
