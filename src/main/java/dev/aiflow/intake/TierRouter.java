package dev.aiflow.intake;

/**
 * Decides the tier. The implementation evaluates the DMN table in {@code processes/} (in {@code
 * dev.aiflow.engine}), so the CLI and the BPMN business-rule task decide with the same table.
 */
public interface TierRouter {

  TierDecision route(TierInputs inputs);
}
