package dev.aiflow.protocol;

/**
 * Which agent backend runs the step.
 *
 * @param backend passed to the shim as {@code --backend=<backend>}, e.g. {@code codex}, {@code
 *     claude}, {@code mock}
 * @param model an optional model label
 */
public record Worker(String backend, String model) {}
