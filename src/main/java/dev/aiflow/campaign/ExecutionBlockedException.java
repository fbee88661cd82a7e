package dev.aiflow.campaign;

/**
 * A campaign refused by the execution guard: the project requires frozen requirements and has no
 * approved freeze in force. The campaign instance ended as {@code execution_blocked}.
 */
public class ExecutionBlockedException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  private final String campaignId;
  private final String code;

  public ExecutionBlockedException(String campaignId, String code, String message) {
    super(message);
    this.campaignId = campaignId;
    this.code = code;
  }

  public String campaignId() {
    return campaignId;
  }

  public String code() {
    return code;
  }
}
