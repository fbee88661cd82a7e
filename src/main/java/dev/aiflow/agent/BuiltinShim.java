package dev.aiflow.agent;

import dev.aiflow.protocol.Protocol;
import dev.aiflow.protocol.StepResult;
import dev.aiflow.worker.AgentUsage;
import dev.aiflow.worker.Outcome;
import dev.aiflow.worker.SecretRedactor;
import dev.aiflow.worker.StepResultExtractor;
import dev.aiflow.worker.UsageLines;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * aiflow's own shim ({@code aiflow shim create|resume}): runs one agent CLI in its headless mode in
 * the current folder (the workspace), relays its events as short progress lines, prints the usage
 * as it grows ({@code AIFLOW-USAGE}), and finally prints the framed StepResult found in the agent's
 * last message, with {@code thread_id} set to the CLI's session, or names the CLI's own failure
 * ({@code AIFLOW-OUTCOME}). The contract is the one of any shim (docs/protocol.md), so the worker
 * treats it like an external one; budgets are enforced by the worker, not here.
 */
public final class BuiltinShim {

  /** Raw CLI events kept as evidence, per run. */
  static final long EVENTS_CAP = 16L * 1024 * 1024;

  private static final int STDERR_TAIL = 16 * 1024;

  private final AgentSettings settings;
  private final Path workspace;
  private final PrintWriter out;
  private final PrintWriter err;
  private final SecretRedactor redactor;
  private final Map<String, String> environment;

  public BuiltinShim(
      AgentSettings settings,
      Path workspace,
      PrintWriter out,
      PrintWriter err,
      Map<String, String> environment) {
    this.settings = settings;
    this.workspace = workspace;
    this.out = out;
    this.err = err;
    this.redactor = new SecretRedactor(environment);
    this.environment = Map.copyOf(environment);
  }

  /** The backends this shim drives with the given settings. */
  public static java.util.Set<String> backends(AgentSettings settings) {
    java.util.Set<String> names =
        new java.util.TreeSet<>(java.util.List.of("claude", "codex", "gemini"));
    names.addAll(settings.commands().keySet());
    return names;
  }

  static BackendAdapter adapter(String backend, AgentSettings settings) {
    AgentSettings.CommandTemplate template = settings.commands().get(backend);
    if (template != null) {
      return new CommandAdapter(backend, template);
    }
    return switch (backend) {
      case "claude" -> new ClaudeAdapter();
      case "codex" -> new CodexAdapter();
      case "gemini" -> new GeminiAdapter();
      default -> null;
    };
  }

  /**
   * Runs the agent.
   *
   * @return the shim's exit code: 0 when a StepResult was printed, 1 when the agent failed (an
   *     {@code AIFLOW-OUTCOME} line says how), 2 when the request cannot run here
   */
  public int run(ShimRequest request) {
    BackendAdapter adapter = adapter(request.backend(), settings);
    if (adapter == null) {
      return refuse(
          "the built-in shim has no backend '"
              + request.backend()
              + "' (it drives "
              + backends(settings)
              + "; add a command template for others)");
    }
    BackendAdapter.Invocation invocation;
    try {
      invocation = adapter.invocation(request, settings);
    } catch (IllegalArgumentException e) {
      return refuse(e.getMessage());
    }
    AgentRun run = new AgentRun();
    String fallbackModel =
        request.model() != null ? request.model() : settings.backend(adapter.name()).model();
    ThreadLedger ledger = new ThreadLedger(workspace);
    long[] baseline =
        adapter.cumulativeAcrossResume() && request.resume()
            ? ledger.baseline(request.threadId())
            : new long[5];
    if (request.resume()) {
      run.threadId = request.threadId();
    }
    Process process;
    List<String> argv = new ArrayList<>(invocation.argv());
    Optional<Path> executable = findExecutable(argv.get(0));
    if (executable.isEmpty()) {
      return fail(
          Outcome.AGENT_FAILED,
          "the agent CLI '" + argv.get(0) + "' was not found or is not executable",
          run,
          adapter,
          fallbackModel,
          baseline);
    }
    argv.set(0, executable.get().toString());
    try {
      ProcessBuilder builder =
          new ProcessBuilder(argv)
              .directory(workspace.toFile())
              .redirectInput(
                  invocation.stdin() == null
                      ? ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))
                      : ProcessBuilder.Redirect.PIPE);
      // the CLI sees the shim's environment, as given (the worker's, with its additions)
      builder.environment().clear();
      builder.environment().putAll(environment);
      // the backend's own variables (where its login is kept), as configured
      builder.environment().putAll(settings.backend(adapter.name()).environment());
      process = builder.start();
    } catch (IOException e) {
      return fail(
          Outcome.AGENT_FAILED,
          "could not start '" + invocation.argv().get(0) + "': " + e.getMessage(),
          run,
          adapter,
          fallbackModel,
          baseline);
    }
    if (invocation.stdin() != null) {
      feed(process.getOutputStream(), invocation.stdin());
    }
    StringBuilder stderrTail = new StringBuilder();
    Thread stderr = relay(process.getErrorStream(), stderrTail);
    String lastUsage = null;
    try (OutputStream events = eventsFile(request);
        BufferedReader lines =
            new BufferedReader(
                new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      long eventBytes = 0;
      while ((line = lines.readLine()) != null) {
        if (events != null && eventBytes < EVENTS_CAP) {
          byte[] b = (redactor.redact(line) + "\n").getBytes(StandardCharsets.UTF_8);
          events.write(b);
          eventBytes += b.length;
        }
        adapter.onLine(line, run, msg -> progress(adapter, msg));
        lastUsage = printUsageIfChanged(run, adapter, fallbackModel, baseline, lastUsage);
      }
    } catch (IOException e) {
      // the CLI closed its stdout: what was read counts
    }
    int exit;
    try {
      exit = process.waitFor();
      stderr.join(5000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
      return 1;
    }
    String tail;
    synchronized (stderrTail) {
      tail = stderrTail.toString();
    }
    adapter.onExit(exit, tail, run);
    printUsageIfChanged(run, adapter, fallbackModel, baseline, lastUsage);
    if (adapter.cumulativeAcrossResume() && run.inputTokens != null) {
      ledger.store(run.threadId, raw(run, baseline));
    }
    return finish(run, adapter, exit);
  }

  private int finish(AgentRun run, BackendAdapter adapter, int cliExit) {
    String text = run.finalText();
    StepResultExtractor.Extraction extraction = StepResultExtractor.extract(text);
    if (extraction.ok()) {
      StepResult r = extraction.result();
      if (run.threadId != null) {
        r = withThread(r, run.threadId);
      }
      out.println(StepResultExtractor.OPEN);
      out.println(Protocol.toJson(r));
      out.println(StepResultExtractor.CLOSE);
      out.flush();
      return adapter instanceof CommandAdapter ? cliExit : 0;
    }
    if (run.failure != null) {
      out.println(UsageLines.outcome(run.failure, run.failureDetail));
      out.flush();
      return 1;
    }
    if (run.permissionDenials > 0 && extraction.failure() == Outcome.PARSE_ERROR) {
      out.println(
          UsageLines.outcome(
              Outcome.PERMISSION_REFUSED,
              run.permissionDetail
                  + (run.permissionDenials > 1
                      ? " (and " + (run.permissionDenials - 1) + " more refusals)"
                      : "")
                  + "; no StepResult"));
      out.flush();
      return 1;
    }
    // no usable result: print the agent's last message as it is, the worker classifies it
    // (PARSE_ERROR or SCHEMA_ERROR with the pointers)
    out.println(text);
    out.flush();
    return cliExit == 0 ? 0 : cliExit;
  }

  /** A path, or the first match on the PATH of the shim's environment. */
  Optional<Path> findExecutable(String name) {
    if (name.contains("/")) {
      Path p = workspace.resolve(name);
      return Files.isRegularFile(p) && Files.isExecutable(p) ? Optional.of(p) : Optional.empty();
    }
    String path = environment.getOrDefault("PATH", "");
    for (String dir : path.split(java.io.File.pathSeparator)) {
      if (!dir.isEmpty()) {
        Path p = Path.of(dir, name);
        if (Files.isRegularFile(p) && Files.isExecutable(p)) {
          return Optional.of(p);
        }
      }
    }
    return Optional.empty();
  }

  private static StepResult withThread(StepResult r, String threadId) {
    return new StepResult(
        r.schema(),
        r.runId(),
        r.taskId(),
        r.stepId(),
        r.result(),
        r.reasonCode(),
        r.reasonDetail(),
        r.changedFiles(),
        r.commands(),
        r.acceptance(),
        r.artifacts(),
        threadId,
        r.nextAction());
  }

  private int refuse(String why) {
    err.println("aiflow shim: " + why);
    out.println(UsageLines.outcome(Outcome.AGENT_FAILED, why));
    out.flush();
    return 2;
  }

  private int fail(
      Outcome outcome,
      String why,
      AgentRun run,
      BackendAdapter adapter,
      String fallbackModel,
      long[] baseline) {
    err.println("aiflow shim: " + why);
    printUsageIfChanged(run, adapter, fallbackModel, baseline, null);
    out.println(UsageLines.outcome(outcome, why));
    out.flush();
    return 1;
  }

  private void progress(BackendAdapter adapter, String message) {
    // a prefix no marker line starts with: a relayed message can never frame a result
    out.println("[" + adapter.name() + "] " + message);
    out.flush();
  }

  private String printUsageIfChanged(
      AgentRun run, BackendAdapter adapter, String fallbackModel, long[] baseline, String last) {
    AgentUsage u = usage(run, adapter, fallbackModel, baseline);
    if (!u.reported() && u.threadId() == null) {
      return last;
    }
    String line = UsageLines.usage(u);
    if (!line.equals(last)) {
      out.println(line);
      out.flush();
    }
    return line;
  }

  /** This run's usage: the thread's growth for cumulative CLIs, priced when the CLI did not. */
  AgentUsage usage(AgentRun run, BackendAdapter adapter, String fallbackModel, long[] baseline) {
    AgentUsage raw = run.usage(adapter.name());
    AgentUsage u =
        new AgentUsage(
            adapter.name(),
            raw.model() != null ? raw.model() : fallbackModel,
            raw.threadId(),
            minus(raw.inputTokens(), baseline[0]),
            minus(raw.outputTokens(), baseline[1]),
            minus(raw.cacheReadTokens(), baseline[2]),
            minus(raw.cacheWriteTokens(), baseline[3]),
            minus(raw.reasoningTokens(), baseline[4]),
            raw.costUsd(),
            raw.costSource(),
            raw.turns());
    if (u.costUsd() == null) {
      Double estimate = settings.estimate(u).orElse(null);
      if (estimate != null) {
        u = u.withCost(estimate, AgentUsage.CostSource.ESTIMATED);
      }
    }
    return u;
  }

  private static Long minus(Long value, long base) {
    return value == null ? null : Math.max(0, value - base);
  }

  private static long[] raw(AgentRun run, long[] baseline) {
    // the CLI's totals as reported: what the next resume subtracts
    return new long[] {
      n(run.inputTokens),
      n(run.outputTokens),
      n(run.cacheReadTokens),
      n(run.cacheWriteTokens),
      n(run.reasoningTokens)
    };
  }

  private static long n(Long v) {
    return v == null ? 0 : v;
  }

  private OutputStream eventsFile(ShimRequest request) {
    if (request.evidenceDir() == null) {
      return null;
    }
    try {
      Path dir = workspace.resolve(request.evidenceDir()).normalize();
      if (!dir.startsWith(workspace.normalize())) {
        return null;
      }
      Files.createDirectories(dir);
      return Files.newOutputStream(
          dir.resolve("agent.events.jsonl"),
          StandardOpenOption.CREATE,
          StandardOpenOption.TRUNCATE_EXISTING,
          StandardOpenOption.WRITE);
    } catch (IOException e) {
      return null;
    }
  }

  private static void feed(OutputStream stdin, String prompt) {
    Thread t =
        new Thread(
            () -> {
              try (stdin) {
                stdin.write(prompt.getBytes(StandardCharsets.UTF_8));
              } catch (IOException e) {
                // the CLI stopped reading: it failed, and says so on its own streams
              }
            },
            "shim-stdin");
    t.setDaemon(true);
    t.start();
  }

  private Thread relay(InputStream in, StringBuilder tail) {
    Thread t =
        new Thread(
            () -> {
              try (BufferedReader r =
                  new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                  synchronized (err) {
                    err.println(line);
                    err.flush();
                  }
                  synchronized (tail) {
                    tail.append(line).append('\n');
                    if (tail.length() > STDERR_TAIL) {
                      tail.delete(0, tail.length() - STDERR_TAIL);
                    }
                  }
                }
              } catch (IOException e) {
                // stderr closed
              }
            },
            "shim-stderr");
    t.setDaemon(true);
    t.start();
    return t;
  }
}
