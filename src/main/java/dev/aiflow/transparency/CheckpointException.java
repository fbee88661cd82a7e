package dev.aiflow.transparency;

/**
 * aiflow refused to sign, or to prove against, a checkpoint because the project chain is not an
 * extension of what it signed before: events were changed, removed or reordered. The message says
 * which sizes disagree; nothing was signed or written.
 */
public class CheckpointException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  private final String code;

  public CheckpointException(String code, String message) {
    super(message);
    this.code = code;
  }

  /** {@code CHAIN_REWRITTEN}, {@code CHAIN_CUT}, {@code CHECKPOINT_LOG_DAMAGED}, ... */
  public String code() {
    return code;
  }
}
