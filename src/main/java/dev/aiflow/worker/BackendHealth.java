package dev.aiflow.worker;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

/**
 * Preflight for dispatches: the shim executable and each backend's runtime binaries must be present
 * and executable; with aiflow's built-in shim, the backend must be one it drives and its agent CLI
 * must find credentials. Every problem is reported, not just the first. {@link #diagnose} is what
 * {@code aiflow doctor} prints: binary, version and credentials per backend, never a secret's
 * value.
 */
public final class BackendHealth {

  /** The binaries each known backend needs besides the shim. */
  public static final Map<String, List<String>> DEFAULT_RUNTIMES =
      Map.of(
          "codex", List.of("codex"),
          "claude", List.of("claude"),
          "gemini", List.of("gemini"),
          "opencode", List.of("opencode"),
          "mock", List.of("bash"));

  /** The backends aiflow's built-in shim drives (docs/backends.md); others need a command. */
  public static final Set<String> BUILTIN_BACKENDS = Set.of("claude", "codex", "gemini");

  /**
   * Where each CLI looks for credentials, as its documentation names them (docs/backends.md). Any
   * one present counts; only presence is checked, never the value.
   *
   * @param environment variables, any of which (non-empty) is a credential or selects a provider
   * @param files files under the home directory ({@code ~/...}) or under a variable ({@code
   *     $VAR/...}) that hold a login
   */
  public record Credentials(List<String> environment, List<String> files) {
    public Credentials {
      environment = List.copyOf(environment);
      files = List.copyOf(files);
    }
  }

  public static final Map<String, Credentials> DEFAULT_CREDENTIALS =
      Map.of(
          "claude",
          new Credentials(
              List.of(
                  "ANTHROPIC_API_KEY",
                  "CLAUDE_CODE_OAUTH_TOKEN",
                  "ANTHROPIC_AUTH_TOKEN",
                  "CLAUDE_CODE_USE_BEDROCK",
                  "CLAUDE_CODE_USE_VERTEX"),
              List.of("$CLAUDE_CONFIG_DIR/.credentials.json", "~/.claude/.credentials.json")),
          "codex",
          new Credentials(
              List.of("CODEX_API_KEY", "OPENAI_API_KEY"),
              List.of("$CODEX_HOME/auth.json", "~/.codex/auth.json")),
          "gemini",
          new Credentials(
              List.of(
                  "GEMINI_API_KEY",
                  "GOOGLE_API_KEY",
                  "GOOGLE_GENAI_USE_VERTEXAI",
                  "GOOGLE_GENAI_USE_GCA",
                  "GOOGLE_APPLICATION_CREDENTIALS"),
              List.of("~/.gemini/oauth_creds.json")));

  /**
   * One problem.
   *
   * @param code {@code SHIM_MISSING}, {@code SHIM_NOT_EXECUTABLE}, {@code RUNTIME_MISSING}, {@code
   *     UNKNOWN_BACKEND} or {@code CREDENTIALS_MISSING}
   */
  public record Problem(String backend, String code, String message) {

    @Override
    public String toString() {
      return code + (backend == null ? "" : " [" + backend + "]") + ": " + message;
    }
  }

  /**
   * A backend as {@code aiflow doctor} sees it.
   *
   * @param binary where its first runtime binary is, or null when it is not found
   * @param version the first line its {@code --version} printed, or null
   * @param credentials the variable or file its credentials were found in (a name, never a value),
   *     or null when none was found; {@code "n/a"} for a backend without known credentials
   */
  public record Status(
      String backend, String binary, String version, String credentials, List<Problem> problems) {

    public Status {
      problems = List.copyOf(problems);
    }

    public boolean usable() {
      return problems.isEmpty();
    }
  }

  private final Map<String, List<String>> runtimes;
  private final Map<String, Credentials> credentials;
  private final Set<String> builtinBackends;
  private final Map<String, String> environment;
  private final Path home;
  private final Map<String, Map<String, String>> backendEnvironment;

  public BackendHealth(Map<String, List<String>> runtimes) {
    this(
        runtimes,
        DEFAULT_CREDENTIALS,
        BUILTIN_BACKENDS,
        System.getenv(),
        Path.of(System.getProperty("user.home", "/")));
  }

  /**
   * @param builtinBackends backends the built-in shim drives (its adapters and configured commands)
   * @param environment where credential variables are looked up
   * @param home the home directory {@code ~/} files are under
   */
  public BackendHealth(
      Map<String, List<String>> runtimes,
      Map<String, Credentials> credentials,
      Set<String> builtinBackends,
      Map<String, String> environment,
      Path home) {
    this(runtimes, credentials, builtinBackends, environment, home, Map.of());
  }

  /**
   * @param backendEnvironment per backend, variables its CLI gets besides {@code environment}
   *     ({@code aiflow.agents.backends.<name>.environment}); a {@code HOME} there is where its
   *     {@code ~/} files are looked for
   */
  public BackendHealth(
      Map<String, List<String>> runtimes,
      Map<String, Credentials> credentials,
      Set<String> builtinBackends,
      Map<String, String> environment,
      Path home,
      Map<String, Map<String, String>> backendEnvironment) {
    this.backendEnvironment = Map.copyOf(backendEnvironment);
    this.runtimes = Map.copyOf(runtimes);
    this.credentials = Map.copyOf(credentials);
    this.builtinBackends = Set.copyOf(builtinBackends);
    this.environment = Map.copyOf(environment);
    this.home = home;
  }

  public static BackendHealth withDefaults() {
    return new BackendHealth(DEFAULT_RUNTIMES);
  }

  public List<Problem> check(String shim, Collection<String> backends) {
    List<Problem> problems = new ArrayList<>();
    boolean builtin = SelfLauncher.isBuiltin(shim);
    BackendHealth health = this;
    if (builtin) {
      SelfLauncher.problem().ifPresent(p -> problems.add(new Problem(null, "SHIM_MISSING", p)));
      Optional<Path> settings = SelfLauncher.settingsFile(shim);
      if (settings.isPresent()) {
        try {
          health = withSettings(settings.get());
        } catch (IllegalArgumentException e) {
          problems.add(new Problem(null, "SHIM_MISSING", e.getMessage()));
          return problems;
        }
      }
    } else if (ProcessTree.findExecutable(shim).isEmpty()) {
      boolean exists = shim.contains("/") && Files.exists(Path.of(shim));
      problems.add(
          exists
              ? new Problem(null, "SHIM_NOT_EXECUTABLE", shim + " exists but is not executable")
              : new Problem(
                  null,
                  "SHIM_MISSING",
                  "the shim '"
                      + shim
                      + "' was not found"
                      + (shim.contains("/") ? "" : " on PATH")));
    }
    for (String backend : new TreeSet<>(backends)) {
      problems.addAll(health.backendProblems(backend, builtin));
    }
    return problems;
  }

  /**
   * This check as a {@code builtin:<file>} shim sees it: the CLIs that file's {@code backends} name
   * ({@code executable}) and their {@code environment} (variables the CLI gets, a {@code HOME}
   * included) where credentials are looked for. Read as plain JSON: only those two members count.
   *
   * @throws IllegalArgumentException naming the file when it cannot be read
   */
  BackendHealth withSettings(Path file) {
    com.fasterxml.jackson.databind.JsonNode root;
    try {
      root = new com.fasterxml.jackson.databind.ObjectMapper().readTree(file.toFile());
    } catch (IOException e) {
      throw new IllegalArgumentException("the shim's agent settings " + file + " cannot be read");
    }
    Map<String, List<String>> r = new LinkedHashMap<>(runtimes);
    Map<String, Map<String, String>> env = new LinkedHashMap<>(backendEnvironment);
    com.fasterxml.jackson.databind.JsonNode all = root == null ? null : root.get("backends");
    if (all != null && all.isObject()) {
      for (var it = all.fields(); it.hasNext(); ) {
        var e = it.next();
        if (!builtinBackends.contains(e.getKey())) {
          continue;
        }
        var exe = e.getValue().get("executable");
        if (exe != null && exe.isTextual()) {
          r.put(e.getKey(), List.of(exe.asText()));
        }
        var vars = e.getValue().get("environment");
        Map<String, String> own = new LinkedHashMap<>();
        if (vars != null && vars.isObject()) {
          vars.fields().forEachRemaining(kv -> own.put(kv.getKey(), kv.getValue().asText()));
        }
        env.put(e.getKey(), own); // a backend entry replaces the worker's one as a whole
      }
    }
    return new BackendHealth(r, credentials, builtinBackends, environment, home, env);
  }

  private List<Problem> backendProblems(String backend, boolean builtin) {
    List<Problem> problems = new ArrayList<>();
    if (builtin && !builtinBackends.contains(backend)) {
      problems.add(
          new Problem(
              backend,
              "UNKNOWN_BACKEND",
              "the built-in shim drives "
                  + new TreeSet<>(builtinBackends)
                  + ", not '"
                  + backend
                  + "' (configure a command backend, or name a shim that knows it)"));
      return problems;
    }
    List<String> binaries = runtimes.get(backend);
    if (binaries == null) {
      if (!builtin) {
        problems.add(
            new Problem(
                backend,
                "UNKNOWN_BACKEND",
                "no runtime binaries are known for backend '"
                    + backend
                    + "' (configure aiflow.worker.backend-runtimes."
                    + backend
                    + ")"));
      }
      return problems;
    }
    for (String binary : binaries) {
      if (ProcessTree.findExecutable(binary).isEmpty()) {
        problems.add(
            new Problem(
                backend,
                "RUNTIME_MISSING",
                "backend '" + backend + "' needs '" + binary + "', which is not on PATH"));
      }
    }
    if (builtin && credentials.containsKey(backend) && credentialSource(backend).isEmpty()) {
      problems.add(
          new Problem(
              backend,
              "CREDENTIALS_MISSING",
              "no credentials for '"
                  + backend
                  + "': none of "
                  + String.join(", ", describe(credentials.get(backend)))
                  + " is set or present"));
    }
    return problems;
  }

  /** Where the backend's credentials were found: a variable's or a file's name, never a value. */
  public Optional<String> credentialSource(String backend) {
    Credentials c = credentials.get(backend);
    if (c == null) {
      return Optional.empty();
    }
    Map<String, String> own = backendEnvironment.getOrDefault(backend, Map.of());
    Map<String, String> env = new LinkedHashMap<>(environment);
    env.putAll(own);
    for (String name : c.environment()) {
      String v = env.get(name);
      if (v != null && !v.isBlank()) {
        return Optional.of("$" + name);
      }
    }
    Path h = own.containsKey("HOME") ? Path.of(own.get("HOME")) : home;
    for (String file : c.files()) {
      Optional<Path> p = resolve(file, env, h);
      if (p.isPresent() && Files.isRegularFile(p.get())) {
        return Optional.of(file);
      }
    }
    return Optional.empty();
  }

  private static Optional<Path> resolve(String file, Map<String, String> environment, Path home) {
    if (file.startsWith("~/")) {
      return Optional.of(home.resolve(file.substring(2)));
    }
    if (file.startsWith("$")) {
      int slash = file.indexOf('/');
      String var = file.substring(1, slash < 0 ? file.length() : slash);
      String dir = environment.get(var);
      if (dir == null || dir.isBlank()) {
        return Optional.empty();
      }
      return Optional.of(slash < 0 ? Path.of(dir) : Path.of(dir, file.substring(slash + 1)));
    }
    return Optional.of(Path.of(file));
  }

  private static List<String> describe(Credentials c) {
    List<String> all = new ArrayList<>();
    c.environment().forEach(e -> all.add("$" + e));
    all.addAll(c.files());
    return all;
  }

  /**
   * Each backend's binary, version and credentials, in the order given. {@code --version} runs with
   * a timeout of 10 s and without the workspace; its output is cut to one line of 120 characters.
   */
  public List<Status> diagnose(Collection<String> backends) {
    Map<String, Status> out = new LinkedHashMap<>();
    for (String backend : backends) {
      if (out.containsKey(backend)) {
        continue;
      }
      List<Problem> problems = backendProblems(backend, true);
      List<String> binaries = runtimes.getOrDefault(backend, List.of());
      String binary =
          binaries.isEmpty()
              ? null
              : ProcessTree.findExecutable(binaries.get(0))
                  .map(p -> p.toAbsolutePath().toString())
                  .orElse(null);
      String version = binary == null ? null : version(binary);
      String source =
          credentials.containsKey(backend) ? credentialSource(backend).orElse(null) : "n/a";
      out.put(backend, new Status(backend, binary, version, source, problems));
    }
    return List.copyOf(out.values());
  }

  static String version(String binary) {
    try {
      Process p =
          new ProcessBuilder(binary, "--version")
              .redirectErrorStream(true)
              .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
              .start();
      byte[] head;
      try (InputStream in = p.getInputStream()) {
        head = in.readNBytes(4096);
      }
      if (!p.waitFor(10, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        return "unknown (--version did not finish in 10 s)";
      }
      String first = new String(head, StandardCharsets.UTF_8).strip().split("\n", 2)[0].strip();
      if (p.exitValue() != 0) {
        return "unknown (--version exited " + p.exitValue() + ")";
      }
      return first.length() > 120 ? first.substring(0, 120) + "..." : first;
    } catch (IOException e) {
      return "unknown (" + e.getMessage() + ")";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "unknown (interrupted)";
    }
  }
}
