package dev.aiflow.recovery;

/**
 * A checkpoint or rollback that was refused; nothing in the workspace was changed. Codes: {@code
 * PATH_ESCAPES_WORKSPACE}, {@code CHECKPOINT_NOT_FOUND}, {@code CHECKPOINT_CORRUPT}, {@code
 * WORKSPACE_MISSING}.
 */
public class RecoveryException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  private final String code;

  public RecoveryException(String code, String message) {
    super(code + ": " + message);
    this.code = code;
  }

  public String code() {
    return code;
  }
}
