package dev.aiflow.negotiation;

import java.util.List;
import java.util.stream.Collectors;

/** A task brief that cannot be frozen; every finding names its line. */
public class RequirementsFormatException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  /** One problem: {@code line} is 1-based, 0 when it concerns the whole brief. */
  public record Finding(int line, String code, String message) {
    @Override
    public String toString() {
      return (line > 0 ? "line " + line + ": " : "") + code + ": " + message;
    }
  }

  private final transient List<Finding> findings;

  public RequirementsFormatException(String source, List<Finding> findings) {
    super(
        source
            + ": "
            + findings.size()
            + " problem(s): "
            + findings.stream().map(Finding::toString).collect(Collectors.joining("; ")));
    this.findings = List.copyOf(findings);
  }

  public List<Finding> findings() {
    return findings;
  }
}
