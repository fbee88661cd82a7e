package dev.aiflow.worker;

import dev.aiflow.protocol.Protocol;
import dev.aiflow.protocol.ProtocolException;
import dev.aiflow.protocol.StepResult;
import java.util.ArrayList;
import java.util.List;

/**
 * Finds the one framed StepResult in a shim's stdout (docs/protocol.md, "Framing"). None, several,
 * an unclosed or nested block, or a block that is not JSON is a {@code PARSE_ERROR}; a block that
 * does not validate is a {@code SCHEMA_ERROR}. Never throws on bad output.
 */
public final class StepResultExtractor {

  public static final String OPEN = "<<<AIFLOW-STEP-RESULT";
  public static final String CLOSE = "AIFLOW-STEP-RESULT>>>";

  private StepResultExtractor() {}

  /** A result, or the reason there is none. */
  public record Extraction(StepResult result, Outcome failure, String detail) {

    public boolean ok() {
      return result != null;
    }
  }

  public static Extraction extract(String stdout) {
    List<String> blocks = new ArrayList<>();
    StringBuilder current = null;
    for (String raw : stdout.split("\n", -1)) {
      String line = raw.stripTrailing();
      if (line.equals(OPEN)) {
        if (current != null) {
          return parseError("an opening marker inside an open StepResult block");
        }
        current = new StringBuilder();
      } else if (line.equals(CLOSE)) {
        if (current == null) {
          return parseError("a closing marker without an opening one");
        }
        blocks.add(current.toString());
        current = null;
      } else if (current != null) {
        current.append(raw).append('\n');
      }
    }
    if (current != null) {
      return parseError("the StepResult block is never closed (" + CLOSE + " is missing)");
    }
    if (blocks.isEmpty()) {
      return parseError("no StepResult between " + OPEN + " and " + CLOSE + " in the output");
    }
    if (blocks.size() > 1) {
      return parseError(blocks.size() + " StepResult blocks; exactly one is allowed");
    }
    try {
      return new Extraction(Protocol.parseStepResult(blocks.get(0)), null, null);
    } catch (ProtocolException e) {
      return e.isSyntaxError()
          ? parseError("the StepResult block is not JSON: " + e.errors().get(0).message())
          : new Extraction(null, Outcome.SCHEMA_ERROR, e.getMessage());
    }
  }

  private static Extraction parseError(String detail) {
    return new Extraction(null, Outcome.PARSE_ERROR, detail);
  }
}
