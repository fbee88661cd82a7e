package dev.aiflow.agent;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.aiflow.worker.AgentUsage;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What the built-in shim needs to know besides its command line (docs/backends.md): the per-tier
 * policy of what an agent may do, the price table for estimating cost, each backend's executable,
 * default model and extra arguments, and the command templates of {@code command} backends.
 *
 * <p>The shim starts from the defaults in the jar ({@value #DEFAULTS}) and lays the JSON file named
 * by {@code $AIFLOW_AGENTS_CONFIG} over them, member by member (a policy, price, backend or command
 * given there replaces the default of the same name).
 */
public record AgentSettings(
    Map<String, TierPolicy> policies,
    Map<String, Price> prices,
    Map<String, BackendSettings> backends,
    Map<String, CommandTemplate> commands) {

  public static final String DEFAULTS = "aiflow/agents/defaults.json";

  /** The variable naming the settings file the shim lays over the defaults. */
  public static final String ENV = "AIFLOW_AGENTS_CONFIG";

  static final ObjectMapper JSON =
      JsonMapper.builder()
          .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
          .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
          .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
          .enable(SerializationFeature.INDENT_OUTPUT)
          .serializationInclusion(JsonInclude.Include.NON_NULL)
          .build();

  public AgentSettings {
    policies = policies == null ? Map.of() : Map.copyOf(policies);
    prices = prices == null ? Map.of() : Map.copyOf(prices);
    backends = backends == null ? Map.of() : Map.copyOf(backends);
    commands = commands == null ? Map.of() : Map.copyOf(commands);
  }

  /**
   * What an agent may do in a tier.
   *
   * @param claudePermissionMode Claude Code's {@code --permission-mode}
   * @param claudeAllowedTools Claude Code's {@code --allowedTools}
   * @param claudeDisallowedTools Claude Code's {@code --disallowedTools}
   * @param bashRequiredCommandsOnly whether Claude Code may run only the pack's required commands
   *     (each allowed as {@code Bash(<command>)}) rather than any shell command
   * @param codexSandbox Codex's {@code --sandbox}: {@code read-only}, {@code workspace-write} or
   *     {@code danger-full-access}
   * @param network whether Codex's workspace-write sandbox lets commands reach the network
   * @param geminiApprovalMode Gemini CLI's {@code --approval-mode}
   */
  public record TierPolicy(
      String claudePermissionMode,
      List<String> claudeAllowedTools,
      List<String> claudeDisallowedTools,
      Boolean bashRequiredCommandsOnly,
      String codexSandbox,
      Boolean network,
      String geminiApprovalMode) {
    public TierPolicy {
      claudeAllowedTools = claudeAllowedTools == null ? List.of() : List.copyOf(claudeAllowedTools);
      claudeDisallowedTools =
          claudeDisallowedTools == null ? List.of() : List.copyOf(claudeDisallowedTools);
      bashRequiredCommandsOnly = bashRequiredCommandsOnly != null && bashRequiredCommandsOnly;
      network = network != null && network;
    }
  }

  /** US dollars per million tokens of each kind. */
  public record Price(Double input, Double cacheRead, Double cacheWrite, Double output) {
    public Price {
      input = input == null ? 0.0 : input;
      cacheRead = cacheRead == null ? input : cacheRead;
      cacheWrite = cacheWrite == null ? input : cacheWrite;
      output = output == null ? 0.0 : output;
    }
  }

  /**
   * @param executable the CLI (a name on PATH or a path)
   * @param model the model when the pack names none ({@code null}: the CLI's own default)
   * @param extraArgs further arguments, placed before the prompt
   * @param environment variables set for this CLI only, over the shim's environment: where it keeps
   *     its login ({@code CLAUDE_CONFIG_DIR}, {@code CODEX_HOME}, {@code HOME}), never a secret
   *     itself (names that look secret are refused)
   */
  public record BackendSettings(
      String executable, String model, List<String> extraArgs, Map<String, String> environment) {

    private static final java.util.regex.Pattern SECRET_NAME =
        java.util.regex.Pattern.compile(
            "(TOKEN|SECRET|PASSWORD|PASSWD|PASS|KEY|CREDENTIAL|AUTH|COOKIE|SESSION)");

    public BackendSettings {
      extraArgs = extraArgs == null ? List.of() : List.copyOf(extraArgs);
      environment = environment == null ? Map.of() : Map.copyOf(environment);
      for (String name : environment.keySet()) {
        if (!name.matches("[A-Za-z_][A-Za-z0-9_]*")) {
          throw new IllegalArgumentException("environment: '" + name + "' is not a variable name");
        }
        if (SECRET_NAME.matcher(name.toUpperCase(java.util.Locale.ROOT)).find()) {
          // the settings travel in the clear (AIFLOW_AGENTS_CONFIG_JSON); secrets do not
          throw new IllegalArgumentException(
              "environment: '"
                  + name
                  + "' names a secret; keep secrets in the server's environment or the CLI's"
                  + " credentials file");
        }
      }
    }
  }

  /**
   * A {@code command} backend: any executable that prints a framed StepResult.
   *
   * @param create the command line of a new run; {@code {prompt}}, {@code {run_id}}, {@code
   *     {task_id}}, {@code {step_id}}, {@code {model}} and {@code {thread_id}} are replaced in each
   *     argument
   * @param resume the command line of a resumed run (default: {@code create})
   * @param prompt {@code argument} (where {@code {prompt}} appears) or {@code stdin} (the default
   *     when no argument holds {@code {prompt}})
   */
  public record CommandTemplate(List<String> create, List<String> resume, String prompt) {
    public CommandTemplate {
      create = create == null ? List.of() : List.copyOf(create);
      resume = resume == null || resume.isEmpty() ? create : List.copyOf(resume);
      boolean inArgument = create.stream().anyMatch(a -> a.contains("{prompt}"));
      prompt = prompt == null ? (inArgument ? "argument" : "stdin") : prompt;
      if (create.isEmpty()) {
        throw new IllegalArgumentException("a command template needs a 'create' command line");
      }
      if (!prompt.equals("argument") && !prompt.equals("stdin")) {
        throw new IllegalArgumentException(
            "'prompt' must be argument or stdin, not '" + prompt + "'");
      }
    }
  }

  /** The settings in the jar. */
  public static AgentSettings defaults() {
    try (InputStream in = AgentSettings.class.getClassLoader().getResourceAsStream(DEFAULTS)) {
      if (in == null) {
        throw new IllegalStateException(DEFAULTS + " is not on the classpath");
      }
      return JSON.readValue(in, AgentSettings.class);
    } catch (IOException e) {
      throw new UncheckedIOException("the bundled " + DEFAULTS + " does not load", e);
    }
  }

  /**
   * The settings inline, as JSON: how a server hands them to a shim it starts in a sandbox, where
   * the data directory (and any file in it) is out of sight.
   */
  public static final String ENV_JSON = "AIFLOW_AGENTS_CONFIG_JSON";

  /**
   * The defaults with {@code $AIFLOW_AGENTS_CONFIG_JSON}, else {@code $AIFLOW_AGENTS_CONFIG}, laid
   * over them, when one is set.
   */
  /**
   * Each built-in backend's own variables ({@code aiflow.agents.backends.<name>.environment}), for
   * the health check to look for its login where the CLI will.
   */
  public Map<String, Map<String, String>> backendEnvironments() {
    Map<String, Map<String, String>> out = new java.util.LinkedHashMap<>();
    for (String b : List.of("claude", "codex", "gemini")) {
      Map<String, String> own = backend(b).environment();
      if (!own.isEmpty()) {
        out.put(b, own);
      }
    }
    return out;
  }

  public static AgentSettings load(Map<String, String> environment) {
    AgentSettings d = defaults();
    String inline = environment.get(ENV_JSON);
    if (inline != null && !inline.isBlank()) {
      try {
        return d.overlay(JSON.readValue(inline, AgentSettings.class));
      } catch (IOException e) {
        throw new IllegalArgumentException("the agents settings in $" + ENV_JSON + " are invalid");
      }
    }
    String file = environment.get(ENV);
    return file == null || file.isBlank() ? d : d.overlay(read(Path.of(file)));
  }

  /** These settings as one line of JSON, for {@link #ENV_JSON}. */
  public String toJson() {
    try {
      return JSON.writeValueAsString(this);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Reads a settings file.
   *
   * @throws IllegalArgumentException naming the file and the member that is wrong, never its
   *     content
   */
  public static AgentSettings read(Path file) {
    try {
      return JSON.readValue(Files.readAllBytes(file), AgentSettings.class);
    } catch (NoSuchFileException e) {
      throw new IllegalArgumentException("no agents settings file at " + file);
    } catch (JsonMappingException e) {
      String where =
          e.getPath().stream()
              .map(r -> r.getFieldName() != null ? r.getFieldName() : "[" + r.getIndex() + "]")
              .reduce((a, b) -> a + "." + b)
              .orElse("the document");
      throw new IllegalArgumentException(
          "the agents settings in " + file + " are not valid at " + where, e);
    } catch (IOException e) {
      throw new IllegalArgumentException(
          "the agents settings in " + file + " are not readable JSON", e);
    }
  }

  /** These settings with every member {@code over} names replaced. */
  public AgentSettings overlay(AgentSettings over) {
    return new AgentSettings(
        merge(policies, over.policies),
        merge(prices, over.prices),
        merge(backends, over.backends),
        merge(commands, over.commands));
  }

  private static <T> Map<String, T> merge(Map<String, T> base, Map<String, T> over) {
    Map<String, T> m = new LinkedHashMap<>(base);
    m.putAll(over);
    return m;
  }

  public void write(Path file) {
    try {
      Files.createDirectories(file.toAbsolutePath().getParent());
      Files.write(file, JSON.writeValueAsBytes(this));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file, e);
    }
  }

  /** The policy of {@code tier}, else the {@code default} policy. */
  public TierPolicy policy(String tier) {
    TierPolicy p = tier == null ? null : policies.get(tier);
    if (p == null) {
      p = policies.get("default");
    }
    if (p == null) {
      throw new IllegalArgumentException(
          "no policy for tier '" + tier + "' and no 'default' policy in the agents settings");
    }
    return p;
  }

  public BackendSettings backend(String name) {
    return backends.getOrDefault(name, new BackendSettings(name, null, List.of(), null));
  }

  /** The price of {@code model}: an exact entry, else the longest entry the model starts with. */
  public Optional<Price> price(String model) {
    if (model == null) {
      return Optional.empty();
    }
    Price exact = prices.get(model);
    if (exact != null) {
      return Optional.of(exact);
    }
    String best = null;
    for (String key : prices.keySet()) {
      if (model.startsWith(key) && (best == null || key.length() > best.length())) {
        best = key;
      }
    }
    return best == null ? Optional.empty() : Optional.of(prices.get(best));
  }

  /** An estimate of what {@code usage} cost at the price table's rates, if its model has one. */
  public Optional<Double> estimate(AgentUsage usage) {
    if (usage.totalTokens() == null) {
      return Optional.empty();
    }
    return price(usage.model())
        .map(
            p ->
                (n(usage.inputTokens()) * p.input()
                        + n(usage.cacheReadTokens()) * p.cacheRead()
                        + n(usage.cacheWriteTokens()) * p.cacheWrite()
                        + n(usage.outputTokens()) * p.output())
                    / 1_000_000.0);
  }

  private static long n(Long v) {
    return v == null ? 0 : v;
  }
}
