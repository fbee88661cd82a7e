package dev.aiflow.protocol;

import java.util.List;
import java.util.stream.Collectors;

/** A protocol document was refused; {@link #errors()} names every problem by JSON pointer. */
public class ProtocolException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  private final String kind;
  private final transient List<ProtocolError> errors;

  public ProtocolException(String kind, List<ProtocolError> errors) {
    super(
        "invalid "
            + kind
            + ": "
            + errors.stream().map(ProtocolError::toString).collect(Collectors.joining("; ")));
    this.kind = kind;
    this.errors = List.copyOf(errors);
  }

  /** {@code StepPack}, {@code ReworkPack} or {@code StepResult}. */
  public String kind() {
    return kind;
  }

  public List<ProtocolError> errors() {
    return errors;
  }

  /** True when the document was not JSON at all (as opposed to JSON of the wrong shape). */
  public boolean isSyntaxError() {
    return errors.stream().anyMatch(e -> e.code().equals("JSON_SYNTAX"));
  }
}
