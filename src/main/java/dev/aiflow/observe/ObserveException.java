package dev.aiflow.observe;

/**
 * The kernel could not observe or verify a workspace: a missing snapshot, a git command that
 * failed, an unreadable folder. The message names what and where, never a file's content.
 */
public final class ObserveException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  private final String code;

  public ObserveException(String code, String message) {
    super(message);
    this.code = code;
  }

  public ObserveException(String code, String message, Throwable cause) {
    super(message, cause);
    this.code = code;
  }

  /** e.g. {@code NO_SNAPSHOT}, {@code GIT_FAILED}, {@code UNREADABLE} */
  public String code() {
    return code;
  }
}
