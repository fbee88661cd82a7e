package dev.aiflow.worker;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Locale;
import java.util.Optional;

/**
 * The two optional kinds of line a shim may print on stdout besides its framed StepResult
 * (docs/protocol.md, "Usage lines"). A shim that prints neither keeps working: its usage is unknown
 * and its outcome is classified as before.
 *
 * <pre>
 * AIFLOW-USAGE {"backend":"claude","input_tokens":1200,...,"cost_usd":0.0123,"turns":3}
 * AIFLOW-OUTCOME {"code":"RATE_LIMITED","detail":"HTTP 429 from the provider"}
 * </pre>
 *
 * A usage line carries the run's running totals so far (not a delta): the latest one counts. An
 * outcome line names an {@link Outcome} the shim may report ({@link Outcome#reportableByShim()}).
 */
public final class UsageLines {

  public static final String USAGE = "AIFLOW-USAGE ";
  public static final String OUTCOME = "AIFLOW-OUTCOME ";

  private static final ObjectMapper JSON = new ObjectMapper();

  private UsageLines() {}

  /** An outcome a shim reported. */
  public record Reported(Outcome outcome, String detail) {}

  public static String usage(AgentUsage usage) {
    return USAGE + usage.toTree().toString();
  }

  public static String outcome(Outcome outcome, String detail) {
    ObjectNode o = JSON.createObjectNode();
    o.put("code", outcome.name());
    o.put("detail", detail == null ? "" : oneLine(detail));
    return OUTCOME + o;
  }

  public static Optional<AgentUsage> parseUsage(String line) {
    return object(line, USAGE).map(AgentUsage::fromTree);
  }

  public static Optional<Reported> parseOutcome(String line) {
    return object(line, OUTCOME)
        .flatMap(
            o -> {
              try {
                Outcome outcome = Outcome.valueOf(o.path("code").asText().toUpperCase(Locale.ROOT));
                if (!outcome.reportableByShim()) {
                  return Optional.empty();
                }
                String detail = o.path("detail").isTextual() ? o.get("detail").asText() : "";
                return Optional.of(new Reported(outcome, detail));
              } catch (IllegalArgumentException e) {
                return Optional.empty();
              }
            });
  }

  private static Optional<JsonNode> object(String line, String prefix) {
    if (line == null || !line.startsWith(prefix)) {
      return Optional.empty();
    }
    try {
      JsonNode n = JSON.readTree(line.substring(prefix.length()));
      return n != null && n.isObject() ? Optional.of(n) : Optional.empty();
    } catch (JsonProcessingException e) {
      return Optional.empty();
    }
  }

  private static String oneLine(String s) {
    String t = s.replace('\n', ' ').replace('\r', ' ');
    return t.length() > 2000 ? t.substring(0, 2000) + "..." : t;
  }
}
