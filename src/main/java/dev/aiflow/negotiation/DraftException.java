package dev.aiflow.negotiation;

/** A drafting backend that failed; {@link #code()} says how ({@code DRAFT_COMMAND_FAILED}...). */
public class DraftException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  private final String code;

  public DraftException(String code, String message) {
    super(code + ": " + message);
    this.code = code;
  }

  public String code() {
    return code;
  }
}
