package dev.aiflow.protocol;

/**
 * One acceptance criterion of a step.
 *
 * @param id e.g. {@code AC-1}
 * @param description what must hold
 * @param verification how it is checked (a command or an observable check), if stated
 */
public record AcceptanceCriterion(String id, String description, String verification) {}
