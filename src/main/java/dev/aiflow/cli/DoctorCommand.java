package dev.aiflow.cli;

import dev.aiflow.agent.AgentSettings;
import dev.aiflow.agent.BuiltinShim;
import dev.aiflow.worker.BackendHealth;
import dev.aiflow.worker.SandboxCheck;
import dev.aiflow.worker.SelfLauncher;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code aiflow doctor}: one line per agent backend (binary, version, where its credentials are;
 * never their values), one for the shim and one for the sandbox. Exit 1 when a backend named with
 * {@code --backend} (the ones a campaign needs) or the shim is unusable, or when the sandbox is
 * required ({@code bwrap}) and does not work; a warning when agents would run unsandboxed.
 */
@Command(
    name = "doctor",
    mixinStandardHelpOptions = true,
    description = {
      "Check the agent backends: each CLI's binary, its --version, and whether its credentials",
      "are present (their values are never printed), one line each; then the sandbox (bubblewrap):",
      "a warning when agents would run unsandboxed. Exit 1 when a backend named with --backend,",
      "or the shim, is unusable, or when --sandbox bwrap is required and does not work."
    })
public class DoctorCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Option(
      names = "--backend",
      description = "A backend the campaign needs (repeatable). Default: list all, need none.")
  List<String> backends;

  @Option(names = "--shim", description = "The shim (default: $AIFLOW_SHIM or builtin).")
  String shim;

  @Option(
      names = "--sandbox",
      description =
          "The sandbox mode to check: auto, bwrap or none (default: $AIFLOW_WORKER_SANDBOX_MODE,"
              + " else auto, as the server reads aiflow.worker.sandbox.mode).")
  String sandbox;

  @Option(
      names = "--bwrap",
      description =
          "The bwrap executable (default: $AIFLOW_WORKER_SANDBOX_BWRAP or /usr/bin/bwrap).")
  String bwrap;

  Map<String, String> environment = System.getenv();

  Path home = Path.of(System.getProperty("user.home", "/"));

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    AgentSettings settings;
    try {
      settings = AgentSettings.load(environment);
    } catch (IllegalArgumentException e) {
      throw new CliException(ExitCodes.USAGE, e.getMessage());
    }
    String shimName =
        shim != null ? shim : environment.getOrDefault("AIFLOW_SHIM", SelfLauncher.BUILTIN);
    Set<String> builtin = BuiltinShim.backends(settings);
    Map<String, List<String>> runtimes = new HashMap<>(BackendHealth.DEFAULT_RUNTIMES);
    for (String b : List.of("claude", "codex", "gemini")) {
      runtimes.put(b, List.of(settings.backend(b).executable()));
    }
    settings.commands().forEach((name, t) -> runtimes.put(name, List.of(t.create().get(0))));
    BackendHealth health =
        new BackendHealth(
            runtimes,
            BackendHealth.DEFAULT_CREDENTIALS,
            builtin,
            environment,
            home,
            settings.backendEnvironments());

    boolean failed = false;
    List<BackendHealth.Problem> shimProblems = health.check(shimName, List.of());
    String shimWhere =
        SelfLauncher.isBuiltin(shimName)
            ? "builtin: " + String.join(" ", abbreviated(SelfLauncher.command()))
            : shimName;
    line(out, "shim", shimProblems.isEmpty() ? "ok" : "unusable", shimWhere, shimProblems);
    Set<String> needed = new LinkedHashSet<>(backends == null ? List.of() : backends);
    if (!needed.isEmpty() && !shimProblems.isEmpty()) {
      failed = true;
    }
    Set<String> shown = new LinkedHashSet<>(List.of("claude", "codex", "gemini"));
    shown.addAll(settings.commands().keySet());
    shown.addAll(needed);
    for (BackendHealth.Status s : health.diagnose(shown)) {
      List<BackendHealth.Problem> problems = s.problems();
      if (!SelfLauncher.isBuiltin(shimName)) {
        // an external shim brings its own adapters and credentials: only the binary counts
        problems = problems.stream().filter(p -> p.code().equals("RUNTIME_MISSING")).toList();
      }
      StringBuilder where = new StringBuilder();
      where.append(s.binary() == null ? "(not found)" : s.binary());
      if (s.version() != null) {
        where.append("  ").append(s.version());
      }
      if (!"n/a".equals(s.credentials())) {
        where.append("  credentials: ").append(s.credentials() == null ? "none" : s.credentials());
      }
      String state = problems.isEmpty() ? "ok" : "unusable";
      line(out, s.backend(), state, where.toString(), problems);
      if (!problems.isEmpty() && needed.contains(s.backend())) {
        failed = true;
      }
    }
    SandboxCheck box =
        SandboxCheck.of(
            sandbox != null ? sandbox : environment.get("AIFLOW_WORKER_SANDBOX_MODE"),
            bwrap != null ? bwrap : environment.get("AIFLOW_WORKER_SANDBOX_BWRAP"));
    out.println(
        String.format("%-8s %-9s %s", "sandbox", box.state(), box.detail())
            + (box.ok() ? "" : "  [" + box.code() + "]"));
    if (!box.ok()) {
      spec.commandLine().getErr().println("aiflow: warning: " + box.detail());
    }
    failed |= box.unusable();
    out.flush();
    return failed ? ExitCodes.FAILED : ExitCodes.OK;
  }

  private static void line(
      PrintWriter out, String name, String state, String where, List<BackendHealth.Problem> ps) {
    StringBuilder s = new StringBuilder(String.format("%-8s %-9s %s", name, state, where));
    for (BackendHealth.Problem p : ps) {
      s.append("  [").append(p.code()).append(": ").append(p.message()).append(']');
    }
    out.println(s);
  }

  private static List<String> abbreviated(List<String> command) {
    List<String> out = new ArrayList<>();
    for (String a : command) {
      out.add(a.length() > 80 ? "<" + a.length() + " characters>" : a);
    }
    return out;
  }
}
