package dev.aiflow.logger;

/**
 * Where an event came from in the workflow engine, so the chain and the engine's history can be
 * reconciled. Every field is optional; the logger stores them as plain strings and never interprets
 * them.
 */
public record EngineCorrelation(
    String processInstanceId, String activityInstanceId, String externalTaskId, String activityId) {

  public static EngineCorrelation none() {
    return new EngineCorrelation(null, null, null, null);
  }

  boolean isEmpty() {
    return processInstanceId == null
        && activityInstanceId == null
        && externalTaskId == null
        && activityId == null;
  }
}
