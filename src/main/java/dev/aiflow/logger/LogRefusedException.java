package dev.aiflow.logger;

/**
 * The logger refused a request and wrote nothing: an R/S pointer out of order, a closed task, an
 * invalid id, a hostile archive, a chain that does not verify. The message names what was wrong
 * and, where it applies, what would have been accepted.
 */
public class LogRefusedException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  private final String code;

  public LogRefusedException(String code, String message) {
    super(message);
    this.code = code;
  }

  public LogRefusedException(String code, String message, Throwable cause) {
    super(message, cause);
    this.code = code;
  }

  /** A stable code such as {@code RS_OUT_OF_ORDER} or {@code ARCHIVE_ZIP_SLIP}. */
  public String code() {
    return code;
  }
}
