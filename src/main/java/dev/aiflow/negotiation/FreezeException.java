package dev.aiflow.negotiation;

/** A freeze that cannot happen; {@link #code()} says why. */
public class FreezeException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  private final String code;

  public FreezeException(String code, String message) {
    super(code + ": " + message);
    this.code = code;
  }

  public String code() {
    return code;
  }
}
