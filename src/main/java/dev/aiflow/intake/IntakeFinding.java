package dev.aiflow.intake;

/**
 * One reason a task is not ready.
 *
 * @param code e.g. {@code INTAKE_MISSING_TARGET}
 * @param field the JSON pointer of the field in the task file
 * @param message a readable sentence
 */
public record IntakeFinding(String code, String field, String message) {

  @Override
  public String toString() {
    return code + " " + field + ": " + message;
  }
}
