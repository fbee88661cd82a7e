package dev.aiflow.triage;

/**
 * A queue document that cannot be used, with the JSON pointer of the offending member. Nothing is
 * written when one is thrown: the file on disk stays as it was.
 */
public final class QueueFormatException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  private final String pointer;

  public QueueFormatException(String pointer, String message) {
    super((pointer.isEmpty() ? "" : pointer + ": ") + message);
    this.pointer = pointer;
  }

  private QueueFormatException(String pointer, String message, Throwable cause) {
    super(message, cause);
    this.pointer = pointer;
  }

  /** The same problem, with the file it was found in. */
  QueueFormatException in(java.nio.file.Path file) {
    return new QueueFormatException(pointer, "queue " + file + ": " + getMessage(), this);
  }

  /** Where in the document, e.g. {@code /tasks/2/priority}; empty for the whole document. */
  public String pointer() {
    return pointer;
  }
}
