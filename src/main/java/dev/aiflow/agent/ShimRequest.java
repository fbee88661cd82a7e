package dev.aiflow.agent;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * One {@code aiflow shim} call: the contract's arguments plus what the worker passed in the
 * environment ({@code AIFLOW_TIER}, {@code AIFLOW_MODEL}, the budget; docs/backends.md).
 *
 * @param threadId the thread to resume, or null for a new run
 * @param requiredCommands the pack's required commands, read from the prompt's {@code
 *     REQUIRED-COMMAND:} checklist lines
 */
public record ShimRequest(
    String prompt,
    String threadId,
    String backend,
    String runId,
    String taskId,
    String stepId,
    String tier,
    String model,
    Integer maxTurns,
    Double maxCostUsd,
    List<String> requiredCommands,
    String evidenceDir) {

  public ShimRequest {
    requiredCommands = requiredCommands == null ? List.of() : List.copyOf(requiredCommands);
  }

  public boolean resume() {
    return threadId != null && !threadId.isBlank();
  }

  /** The request the worker made, with the budget and the tier from its environment. */
  public static ShimRequest of(
      String prompt,
      String threadId,
      String backend,
      String runId,
      String taskId,
      String stepId,
      Map<String, String> env) {
    return new ShimRequest(
        prompt,
        threadId,
        backend,
        runId,
        taskId,
        stepId,
        blankToNull(env.get("AIFLOW_TIER")),
        blankToNull(env.get("AIFLOW_MODEL")),
        integer(env.get("AIFLOW_MAX_TURNS")),
        decimal(env.get("AIFLOW_MAX_COST_USD")),
        checklist(prompt, "REQUIRED-COMMAND: "),
        blankToNull(env.get("AIFLOW_EVIDENCE_DIR")));
  }

  /** The values of the prompt's checklist lines that start with {@code prefix}. */
  static List<String> checklist(String prompt, String prefix) {
    List<String> values = new ArrayList<>();
    for (String line : prompt.split("\n")) {
      if (line.startsWith(prefix)) {
        String v = line.substring(prefix.length()).strip();
        if (!v.isEmpty()) {
          values.add(v);
        }
      }
    }
    return values;
  }

  private static String blankToNull(String s) {
    return s == null || s.isBlank() ? null : s.strip();
  }

  private static Integer integer(String s) {
    try {
      return s == null || s.isBlank() ? null : Integer.valueOf(s.strip());
    } catch (NumberFormatException e) {
      return null;
    }
  }

  private static Double decimal(String s) {
    try {
      return s == null || s.isBlank() ? null : Double.valueOf(s.strip());
    } catch (NumberFormatException e) {
      return null;
    }
  }
}
