package dev.aiflow.campaign;

/** A campaign input that cannot be used; {@link #field()} names it for the caller. */
public final class CampaignInputException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  private final String field;

  public CampaignInputException(String field, String message) {
    super(message);
    this.field = field;
  }

  /** The request field, e.g. {@code stepPacks.T-1} or {@code options.maxCycles}. */
  public String field() {
    return field;
  }
}
