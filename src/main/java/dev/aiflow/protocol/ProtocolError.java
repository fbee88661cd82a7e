package dev.aiflow.protocol;

/**
 * One reason a protocol document was refused.
 *
 * @param pointer RFC 6901 JSON pointer to the offending value ({@code ""} is the document)
 * @param code {@code JSON_SYNTAX}, {@code UNKNOWN_FIELD}, {@code MISSING_FIELD}, {@code
 *     WRONG_TYPE}, {@code UNKNOWN_ENUM_VALUE} or {@code INVALID_VALUE}
 * @param message a readable sentence
 */
public record ProtocolError(String pointer, String code, String message) {

  @Override
  public String toString() {
    return (pointer.isEmpty() ? "(document)" : pointer) + ": " + code + ": " + message;
  }
}
