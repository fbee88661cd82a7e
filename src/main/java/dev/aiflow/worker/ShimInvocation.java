package dev.aiflow.worker;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The shim's command line:
 *
 * <pre>
 * gxd-subagent-shim create "PROMPT" --backend=B --run-id=R --task-id=T --step-id=S
 * gxd-subagent-shim resume "PROMPT" THREAD_ID --backend=B --run-id=R --task-id=T --step-id=S
 * </pre>
 *
 * The shim {@value SelfLauncher#BUILTIN} is aiflow's own ({@code aiflow shim create ...}, see
 * {@link SelfLauncher}); its command starts with the launcher, so the prompt's position is kept in
 * {@link #promptIndex}. A rework without a thread to resume starts a new one with {@code create}.
 */
public record ShimInvocation(List<String> command, String backend, int promptIndex) {

  /** Linux passes at most 128 KiB per argument (MAX_ARG_STRLEN). */
  public static final int MAX_ARGUMENT_BYTES = 128 * 1024 - 1;

  private static final Pattern SAFE = Pattern.compile("[A-Za-z0-9_./=:,@%+-]+");

  public ShimInvocation {
    command = List.copyOf(command);
    for (String arg : command) {
      int bytes = arg.getBytes(StandardCharsets.UTF_8).length;
      if (bytes > MAX_ARGUMENT_BYTES) {
        throw new IllegalArgumentException(
            "an argument of "
                + bytes
                + " bytes is longer than the "
                + MAX_ARGUMENT_BYTES
                + " bytes Linux passes to a program; shorten the pack's instructions");
      }
    }
    if (promptIndex < 1 || promptIndex >= command.size()) {
      throw new IllegalArgumentException("the prompt is not part of the command");
    }
  }

  /** An external shim's command: the prompt follows the mode. */
  public ShimInvocation(List<String> command, String backend) {
    this(command, backend, 2);
  }

  public static ShimInvocation create(
      String shim, String prompt, String backend, String runId, String taskId, String stepId) {
    List<String> c = new ArrayList<>(launcher(shim));
    c.add("create");
    int promptIndex = c.size();
    c.add(prompt);
    c.addAll(flags(backend, runId, taskId, stepId));
    return new ShimInvocation(c, backend, promptIndex);
  }

  public static ShimInvocation resume(
      String shim,
      String prompt,
      String threadId,
      String backend,
      String runId,
      String taskId,
      String stepId) {
    if (threadId == null || threadId.isBlank()) {
      return create(shim, prompt, backend, runId, taskId, stepId);
    }
    List<String> c = new ArrayList<>(launcher(shim));
    c.add("resume");
    int promptIndex = c.size();
    c.add(prompt);
    c.add(threadId);
    c.addAll(flags(backend, runId, taskId, stepId));
    return new ShimInvocation(c, backend, promptIndex);
  }

  private static List<String> launcher(String shim) {
    return SelfLauncher.isBuiltin(shim) ? SelfLauncher.command(shim) : List.of(shim);
  }

  private static List<String> flags(String backend, String runId, String taskId, String stepId) {
    return List.of(
        "--backend=" + backend, "--run-id=" + runId, "--task-id=" + taskId, "--step-id=" + stepId);
  }

  /** The prompt as passed. */
  public String prompt() {
    return command.get(promptIndex);
  }

  /** The command as a POSIX shell would need it typed. */
  public String quoted() {
    List<String> parts = new ArrayList<>();
    for (String arg : command) {
      parts.add(quote(arg));
    }
    return String.join(" ", parts);
  }

  static String quote(String arg) {
    if (!arg.isEmpty() && SAFE.matcher(arg).matches()) {
      return arg;
    }
    return "'" + arg.replace("'", "'\\''") + "'";
  }

  /** The command with the prompt replaced by a short note, for logs. */
  public String summary() {
    List<String> parts = new ArrayList<>();
    for (int i = 0; i < command.size(); i++) {
      String arg = command.get(i);
      if (i == promptIndex) {
        parts.add("<prompt: " + arg.getBytes(StandardCharsets.UTF_8).length + " bytes>");
      } else if (i > 0 && i < promptIndex && arg.length() > 200) {
        parts.add("<" + arg.length() + " characters>"); // a long class path says nothing
      } else {
        parts.add(quote(arg));
      }
    }
    return String.join(" ", parts);
  }
}
