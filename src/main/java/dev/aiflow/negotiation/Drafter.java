package dev.aiflow.negotiation;

/**
 * The controller's drafting backend: natural-language dialogue in, a task brief in the template's
 * format out (docs/requirements.md, "Drafting").
 */
public interface Drafter {

  /** {@code heuristic} or {@code command}: what controller_profile.json records. */
  String backend();

  /**
   * @throws DraftException when the backend produced no usable draft
   */
  String draft(String dialogue);
}
