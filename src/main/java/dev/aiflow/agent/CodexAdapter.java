package dev.aiflow.agent;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Codex CLI's non-interactive mode with JSON Lines events (docs/backends.md):
 *
 * <pre>
 * codex exec --json --sandbox SANDBOX -c sandbox_workspace_write.network_access=BOOL
 *            [--model M] [extra args] PROMPT
 * codex exec --json ... resume SESSION_ID PROMPT
 * </pre>
 *
 * Events: {@code thread.started} carries {@code thread_id}; {@code item.*} carry the agent's
 * messages ({@code agent_message}), commands and file changes; {@code turn.completed} carries
 * {@code usage} ({@code input_tokens} including {@code cached_input_tokens}, {@code
 * output_tokens}); {@code turn.failed} and {@code error} carry a message. The usage is the thread's
 * running total, so a resumed run's own usage is the difference (see {@link
 * #cumulativeAcrossResume()}).
 */
final class CodexAdapter implements BackendAdapter {

  private int turnsCompleted;

  @Override
  public String name() {
    return "codex";
  }

  @Override
  public boolean cumulativeAcrossResume() {
    return true;
  }

  @Override
  public Invocation invocation(ShimRequest r, AgentSettings settings) {
    AgentSettings.BackendSettings b = settings.backend("codex");
    AgentSettings.TierPolicy policy = settings.policy(r.tier());
    List<String> argv = new ArrayList<>();
    argv.add(b.executable());
    argv.add("exec");
    argv.add("--json");
    if (policy.codexSandbox() != null) {
      argv.add("--sandbox");
      argv.add(policy.codexSandbox());
    }
    argv.add("-c");
    argv.add("sandbox_workspace_write.network_access=" + policy.network());
    String model = r.model() != null ? r.model() : b.model();
    if (model != null) {
      argv.add("--model");
      argv.add(model);
    }
    argv.addAll(b.extraArgs());
    if (r.resume()) {
      argv.add("resume");
      argv.add(r.threadId());
    }
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
      case "thread.started" -> {
        run.threadId = Json.text(e, "thread_id");
        progress.accept("thread " + run.threadId + " started");
      }
      case "turn.started" -> progress.accept("turn started");
      case "item.started", "item.updated", "item.completed" ->
          item(type, e.path("item"), run, progress);
      case "turn.completed" -> {
        turnsCompleted++;
        usage(e.path("usage"), run);
        run.turns = turnsCompleted;
        progress.accept("turn completed");
      }
      case "token_count" -> usage(e, run); // some versions stream it; the same members
      case "turn.failed" -> {
        String message = Json.text(e.path("error"), "message");
        run.fail(
            Failures.classifyOrFailed(message), "Codex turn failed: " + Failures.brief(message));
        progress.accept("turn failed: " + Json.oneLine(message, 200));
      }
      case "error" -> {
        String message = Json.text(e, "message");
        run.fail(Failures.classifyOrFailed(message), "Codex error: " + Failures.brief(message));
        progress.accept("error: " + Json.oneLine(message, 200));
      }
      default -> progress.accept("event: " + type);
    }
  }

  private static void item(String type, JsonNode item, AgentRun run, Consumer<String> progress) {
    // early versions named the kind item_type and the message assistant_message
    String kind =
        Json.text(item, "type") != null ? Json.text(item, "type") : Json.text(item, "item_type");
    kind = String.valueOf(kind);
    boolean done = type.equals("item.completed");
    switch (kind) {
      case "agent_message", "assistant_message" -> {
        if (done) {
          run.setFinalText(Json.text(item, "text"));
          progress.accept("assistant: " + Json.oneLine(Json.text(item, "text"), 240));
        }
      }
      case "command_execution" -> {
        String status = Json.text(item, "status");
        progress.accept(
            "command "
                + status
                + ": "
                + Json.oneLine(Json.text(item, "command"), 160)
                + (item.has("exit_code") && !item.get("exit_code").isNull()
                    ? " -> exit " + item.get("exit_code").asInt()
                    : ""));
        if (done && "declined".equals(status)) {
          run.denied("Codex declined the command " + Json.oneLine(Json.text(item, "command"), 160));
        }
      }
      case "file_change" -> {
        List<String> paths = new ArrayList<>();
        item.path("changes").forEach(c -> paths.add(Json.text(c, "path")));
        progress.accept(
            "file change "
                + Json.text(item, "status")
                + ": "
                + Json.oneLine(String.join(", ", paths), 200));
      }
      case "error" -> progress.accept("warning: " + Json.oneLine(Json.text(item, "message"), 200));
      default -> {
        if (done) {
          progress.accept(kind + " " + Json.oneLine(Json.text(item, "text"), 160));
        }
      }
    }
  }

  private static void usage(JsonNode u, AgentRun run) {
    Long input = Json.count(u, "input_tokens");
    if (input == null) {
      return;
    }
    long cached =
        Json.count(u, "cached_input_tokens") == null ? 0 : Json.count(u, "cached_input_tokens");
    Long written = Json.count(u, "cache_write_input_tokens");
    // input_tokens includes the cached ones: aiflow counts input as the part neither read nor
    // written
    long uncached = Math.max(0, input - cached - (written == null ? 0 : written));
    run.tokens(
        uncached,
        Json.count(u, "output_tokens"),
        cached,
        written,
        Json.count(u, "reasoning_output_tokens"));
  }

  @Override
  public void onExit(int exitCode, String stderrTail, AgentRun run) {
    if (exitCode != 0 && run.failure == null) {
      run.fail(
          Failures.classifyOrFailed(stderrTail),
          "codex exited " + exitCode + ": " + Failures.brief(stderrTail));
    }
  }
}
