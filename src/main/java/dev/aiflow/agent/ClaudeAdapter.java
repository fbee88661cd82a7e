package dev.aiflow.agent;

import com.fasterxml.jackson.databind.JsonNode;
import dev.aiflow.worker.Outcome;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Claude Code in print mode with streaming JSON (docs/backends.md):
 *
 * <pre>
 * claude -p --output-format stream-json --verbose --permission-mode MODE
 *        [--allowedTools T...] [--disallowedTools T...] [--model M] [--max-turns N]
 *        [--max-budget-usd X] [--resume SESSION]    (the prompt on stdin)
 * </pre>
 *
 * Events: {@code system/init} carries {@code session_id} (the thread) and {@code model}; each
 * {@code assistant} message carries the API's {@code usage} (summed per message id for the running
 * totals); the final {@code result} carries {@code usage}, {@code total_cost_usd}, {@code
 * num_turns}, {@code permission_denials} and the final text, which replace the running figures.
 */
final class ClaudeAdapter implements BackendAdapter {

  /** Usage of each assistant message, by message id: a message's blocks repeat its usage. */
  private final Map<String, long[]> messages = new LinkedHashMap<>();

  private boolean resultSeen;

  @Override
  public String name() {
    return "claude";
  }

  @Override
  public Invocation invocation(ShimRequest r, AgentSettings settings) {
    AgentSettings.BackendSettings b = settings.backend("claude");
    AgentSettings.TierPolicy policy = settings.policy(r.tier());
    List<String> argv = new ArrayList<>();
    argv.add(b.executable());
    argv.add("-p");
    argv.add("--output-format");
    argv.add("stream-json");
    argv.add("--verbose"); // stream-json in print mode requires it
    if (policy.claudePermissionMode() != null) {
      argv.add("--permission-mode");
      argv.add(policy.claudePermissionMode());
    }
    List<String> allowed = new ArrayList<>(policy.claudeAllowedTools());
    if (policy.bashRequiredCommandsOnly()) {
      r.requiredCommands().forEach(c -> allowed.add("Bash(" + c + ")"));
    }
    if (!allowed.isEmpty()) {
      argv.add("--allowedTools");
      argv.addAll(allowed);
    }
    if (!policy.claudeDisallowedTools().isEmpty()) {
      argv.add("--disallowedTools");
      argv.addAll(policy.claudeDisallowedTools());
    }
    String model = r.model() != null ? r.model() : b.model();
    if (model != null) {
      argv.add("--model");
      argv.add(model);
    }
    if (r.maxTurns() != null) {
      argv.add("--max-turns");
      argv.add(String.valueOf(r.maxTurns()));
    }
    if (r.maxCostUsd() != null) {
      argv.add("--max-budget-usd");
      argv.add(String.valueOf(r.maxCostUsd()));
    }
    if (r.resume()) {
      argv.add("--resume");
      argv.add(r.threadId());
    }
    argv.addAll(b.extraArgs());
    return new Invocation(argv, r.prompt());
  }

  @Override
  public void onLine(String line, AgentRun run, Consumer<String> progress) {
    JsonNode e = Json.object(line);
    if (e == null) {
      if (!line.isBlank()) {
        progress.accept("output: " + Json.oneLine(line, 200));
      }
      return;
    }
    String type = Json.text(e, "type");
    if (Json.text(e, "session_id") != null) {
      run.threadId = Json.text(e, "session_id");
    }
    switch (String.valueOf(type)) {
      case "system" -> {
        if ("init".equals(Json.text(e, "subtype"))) {
          if (Json.text(e, "model") != null) {
            run.model = Json.text(e, "model");
          }
          progress.accept("session " + run.threadId + " started (model " + run.model + ")");
        }
      }
      case "assistant" -> assistant(e, run, progress);
      case "user" -> toolResults(e, progress);
      case "result" -> result(e, run, progress);
      default -> progress.accept("event: " + type);
    }
  }

  private void assistant(JsonNode e, AgentRun run, Consumer<String> progress) {
    JsonNode message = e.path("message");
    if (Json.text(message, "model") != null && run.model == null) {
      run.model = Json.text(message, "model");
    }
    String error = Json.text(e, "error");
    StringBuilder text = new StringBuilder();
    for (JsonNode block : message.path("content")) {
      String kind = Json.text(block, "type");
      if ("text".equals(kind)) {
        text.append(Json.text(block, "text"));
      } else if ("tool_use".equals(kind)) {
        progress.accept(
            "tool "
                + Json.text(block, "name")
                + " "
                + Json.oneLine(block.path("input").toString(), 160));
      }
    }
    if (text.length() > 0) {
      run.setFinalText(text.toString());
      progress.accept("assistant: " + Json.oneLine(text.toString(), 240));
    }
    if (error != null) {
      Outcome o =
          switch (error) {
            case "authentication_failed" -> Outcome.AUTH_MISSING;
            case "rate_limit", "billing_error" -> Outcome.RATE_LIMITED;
            default -> Failures.classifyOrFailed(error + " " + text);
          };
      run.fail(o, "Claude Code reported " + error + ": " + Failures.brief(text.toString()));
    }
    JsonNode usage = message.path("usage");
    if (usage.isObject() && !resultSeen) {
      String id = Json.text(message, "id");
      messages.put(
          id == null ? "#" + messages.size() : id,
          new long[] {
            n(Json.count(usage, "input_tokens")),
            n(Json.count(usage, "output_tokens")),
            n(Json.count(usage, "cache_read_input_tokens")),
            n(Json.count(usage, "cache_creation_input_tokens"))
          });
      long[] sum = new long[4];
      for (long[] m : messages.values()) {
        for (int i = 0; i < 4; i++) {
          sum[i] += m[i];
        }
      }
      run.tokens(sum[0], sum[1], sum[2], sum[3], null);
      run.turns = messages.size();
    }
  }

  private static void toolResults(JsonNode e, Consumer<String> progress) {
    for (JsonNode block : e.path("message").path("content")) {
      if ("tool_result".equals(Json.text(block, "type"))) {
        boolean error = block.path("is_error").asBoolean(false);
        progress.accept("tool result" + (error ? " (error)" : ""));
      }
    }
  }

  private void result(JsonNode e, AgentRun run, Consumer<String> progress) {
    resultSeen = true;
    JsonNode usage = e.path("usage");
    if (usage.isObject()) {
      run.tokens(
          Json.count(usage, "input_tokens"),
          Json.count(usage, "output_tokens"),
          Json.count(usage, "cache_read_input_tokens"),
          Json.count(usage, "cache_creation_input_tokens"),
          null);
    }
    if (e.path("total_cost_usd").isNumber()) {
      run.costUsd = e.get("total_cost_usd").asDouble();
    }
    if (e.path("num_turns").canConvertToInt()) {
      run.turns = e.get("num_turns").asInt();
    }
    String subtype = String.valueOf(Json.text(e, "subtype"));
    boolean isError = e.path("is_error").asBoolean(false);
    String text = Json.text(e, "result");
    for (JsonNode d : e.path("permission_denials")) {
      run.denied(
          "Claude Code refused " + Json.text(d, "tool_name") + " under its permission policy");
    }
    progress.accept(
        "result "
            + subtype
            + (isError ? " (error)" : "")
            + ", "
            + run.turns
            + " turns"
            + (run.costUsd == null ? "" : ", $" + run.costUsd));
    if (subtype.equals("error_max_turns") || subtype.equals("error_max_budget_usd")) {
      run.fail(Outcome.BUDGET, "Claude Code stopped at its own cap: " + subtype);
      return;
    }
    if (isError || subtype.startsWith("error")) {
      int status = e.path("api_error_status").asInt(0);
      Outcome o =
          status == 401 || status == 403
              ? Outcome.AUTH_MISSING
              : status == 429
                  ? Outcome.RATE_LIMITED
                  : Failures.classifyOrFailed(text + " " + subtype);
      run.fail(o, "Claude Code failed (" + subtype + "): " + Failures.brief(text));
      return;
    }
    if (text != null) {
      run.setFinalText(text);
    }
  }

  @Override
  public void onExit(int exitCode, String stderrTail, AgentRun run) {
    if (exitCode != 0 && run.failure == null && !resultSeen) {
      run.fail(
          Failures.classifyOrFailed(stderrTail),
          "claude exited " + exitCode + ": " + Failures.brief(stderrTail));
    }
  }

  private static long n(Long v) {
    return v == null ? 0 : v;
  }
}
