package dev.aiflow.agent;

import com.fasterxml.jackson.databind.JsonNode;
import dev.aiflow.worker.Outcome;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Gemini CLI's headless mode with streaming JSON (docs/backends.md):
 *
 * <pre>
 * gemini --output-format stream-json --approval-mode MODE [--model M] [--resume SESSION] -p PROMPT
 * </pre>
 *
 * Events: {@code init} carries {@code session_id} and {@code model}; {@code message} (role {@code
 * assistant}, {@code delta} chunks) the agent's text; {@code tool_use}/{@code tool_result} the
 * tools; {@code error} warnings; {@code result} the {@code status}, an {@code error} and {@code
 * stats} ({@code input_tokens} including {@code cached}, {@code output_tokens}, {@code
 * total_tokens}). Exit codes: 41 authentication, 42 bad input, 53 turn limit.
 */
final class GeminiAdapter implements BackendAdapter {

  private boolean textSinceTool;
  private int modelTurns;

  @Override
  public String name() {
    return "gemini";
  }

  @Override
  public Invocation invocation(ShimRequest r, AgentSettings settings) {
    AgentSettings.BackendSettings b = settings.backend("gemini");
    AgentSettings.TierPolicy policy = settings.policy(r.tier());
    List<String> argv = new ArrayList<>();
    argv.add(b.executable());
    argv.add("--output-format");
    argv.add("stream-json");
    if (policy.geminiApprovalMode() != null) {
      argv.add("--approval-mode");
      argv.add(policy.geminiApprovalMode());
    }
    String model = r.model() != null ? r.model() : b.model();
    if (model != null) {
      argv.add("--model");
      argv.add(model);
    }
    if (r.resume()) {
      argv.add("--resume");
      argv.add(r.threadId());
    }
    argv.addAll(b.extraArgs());
    argv.add("-p");
    argv.add(r.prompt());
    return new Invocation(argv, null);
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
    String type = String.valueOf(Json.text(e, "type"));
    switch (type) {
      case "init" -> {
        run.threadId = Json.text(e, "session_id");
        run.model = Json.text(e, "model");
        progress.accept("session " + run.threadId + " started (model " + run.model + ")");
      }
      case "message" -> {
        if ("assistant".equals(Json.text(e, "role"))) {
          String content = String.valueOf(Json.text(e, "content"));
          if (!textSinceTool) {
            run.setFinalText("");
            textSinceTool = true;
            modelTurns++;
            run.turns = modelTurns;
          }
          run.appendFinalText(content);
          progress.accept("assistant: " + Json.oneLine(content, 240));
        }
      }
      case "tool_use" -> {
        textSinceTool = false;
        progress.accept(
            "tool "
                + Json.text(e, "tool_name")
                + " "
                + Json.oneLine(e.path("parameters").toString(), 160));
      }
      case "tool_result" -> {
        textSinceTool = false;
        String status = Json.text(e, "status");
        String error = Json.text(e.path("error"), "message");
        progress.accept(
            "tool result " + status + (error == null ? "" : ": " + Json.oneLine(error, 160)));
        String errorType =
            String.valueOf(Json.text(e.path("error"), "type")).toLowerCase(java.util.Locale.ROOT);
        if ("error".equals(status)
            && (errorType.contains("permission")
                || errorType.contains("denied")
                || String.valueOf(error)
                    .toLowerCase(java.util.Locale.ROOT)
                    .contains("requires approval"))) {
          run.denied("Gemini CLI refused a tool under its approval mode: " + Failures.brief(error));
        }
      }
      case "error" -> {
        String message = Json.text(e, "message");
        progress.accept(Json.text(e, "severity") + ": " + Json.oneLine(message, 200));
        if ("error".equals(Json.text(e, "severity"))) {
          Failures.classify(message)
              .ifPresent(o -> run.fail(o, "Gemini CLI: " + Failures.brief(message)));
        }
      }
      case "result" -> result(e, run, progress);
      default -> progress.accept("event: " + type);
    }
  }

  private static void result(JsonNode e, AgentRun run, Consumer<String> progress) {
    JsonNode stats = e.path("stats");
    if (stats.isObject()) {
      Long input = Json.count(stats, "input_tokens");
      Long cached = Json.count(stats, "cached");
      Long output = Json.count(stats, "output_tokens");
      Long total = Json.count(stats, "total_tokens");
      long c = cached == null ? 0 : cached;
      Long uncached = input == null ? null : Math.max(0, input - c);
      Long other =
          total == null || input == null || output == null
              ? null
              : Math.max(0, total - input - output);
      // the rest of total_tokens is thinking (and tool prompt) tokens, billed as output
      run.tokens(
          uncached,
          output == null ? null : output + (other == null ? 0 : other),
          cached,
          null,
          other);
    }
    String status = Json.text(e, "status");
    progress.accept("result " + status);
    if ("error".equals(status)) {
      String message = Json.text(e.path("error"), "message");
      String kind = Json.text(e.path("error"), "type");
      run.fail(
          Failures.classifyOrFailed(kind + " " + message),
          "Gemini CLI failed (" + kind + "): " + Failures.brief(message));
    }
  }

  @Override
  public void onExit(int exitCode, String stderrTail, AgentRun run) {
    if (exitCode == 0 || run.failure != null) {
      return;
    }
    switch (exitCode) {
      case 41 ->
          run.fail(
              Outcome.AUTH_MISSING,
              "gemini exited 41 (authentication): " + Failures.brief(stderrTail));
      case 53 -> run.fail(Outcome.BUDGET, "gemini exited 53: its turn limit was exceeded");
      default ->
          run.fail(
              Failures.classifyOrFailed(stderrTail),
              "gemini exited " + exitCode + ": " + Failures.brief(stderrTail));
    }
  }
}
