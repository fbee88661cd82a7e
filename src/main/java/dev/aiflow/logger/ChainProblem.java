package dev.aiflow.logger;

/**
 * One finding of a verification.
 *
 * @param file path of the file relative to the project directory
 * @param line 1-based line number, 0 when the problem is about the file as a whole
 * @param kind a stable code such as {@code HASH_MISMATCH} or {@code BROKEN_LINK}
 * @param expected what verification computed or required, if it applies
 * @param found what the file holds, if it applies
 * @param message a readable sentence
 */
public record ChainProblem(
    String file, long line, String kind, String expected, String found, String message) {

  @Override
  public String toString() {
    StringBuilder s = new StringBuilder(file);
    if (line > 0) {
      s.append(" line ").append(line);
    }
    s.append(": ").append(kind).append(": ").append(message);
    if (expected != null || found != null) {
      s.append(" (expected ").append(expected).append(", found ").append(found).append(')');
    }
    return s.toString();
  }
}
