package dev.aiflow.config;

import dev.aiflow.agent.AgentSettings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.ConstructorBinding;

/**
 * aiflow's own settings ({@code aiflow.*}); see docs/operations.md.
 *
 * @param dataDir where the H2 database, workflow logs, projects and generated secrets live
 * @param admin the initial administrator
 * @param worker how agent runs are dispatched
 * @param allowedRoots further folders campaigns may use (see {@link #campaignRoots()})
 * @param demo the demo campaign
 * @param freeze which projects must run under frozen, approved requirements
 * @param controller the external drafting commands the engine may run, by name
 * @param restrictPaths whether named paths must lie inside {@link #campaignRoots()} (the server:
 *     always; the command line's embedded engine turns it off, its user names their own files)
 * @param agents the built-in shim's backends, per-tier policies and price table (docs/backends.md)
 * @param transparency the signed checkpoints of the project chains
 */
@ConfigurationProperties("aiflow")
public record AiflowProperties(
    Path dataDir,
    Admin admin,
    Worker worker,
    List<Path> allowedRoots,
    Demo demo,
    Freeze freeze,
    Controller controller,
    Boolean restrictPaths,
    Agents agents,
    TransparencySettings transparency) {

  public AiflowProperties {
    restrictPaths = restrictPaths == null || restrictPaths;
    dataDir = dataDir == null ? Path.of("data") : dataDir;
    admin = admin == null ? new Admin("admin", null) : admin;
    worker = worker == null ? Worker.defaults() : worker;
    allowedRoots = allowedRoots == null ? List.of() : List.copyOf(allowedRoots);
    demo = demo == null ? new Demo(true) : demo;
    freeze = freeze == null ? new Freeze(List.of()) : freeze;
    controller = controller == null ? new Controller(Map.of()) : controller;
    agents = agents == null ? new Agents(null, null, null, null, null) : agents;
    transparency = transparency == null ? new TransparencySettings(null) : transparency;
  }

  /**
   * The built-in shim's settings ({@code aiflow.agents.*}, docs/backends.md): laid over the
   * defaults in the jar, first the file {@code settings-file} (JSON), then the members given here.
   * The worker hands them to the shim as a file named by {@code $AIFLOW_AGENTS_CONFIG}.
   *
   * @param settingsFile a JSON file in the format of {@code aiflow/agents/defaults.json}
   * @param policies per tier ({@code tier2}, {@code tier3}, {@code default}): what an agent may do
   * @param prices per model: US dollars per million tokens, for CLIs that report no cost
   * @param backends per backend ({@code claude}, {@code codex}, {@code gemini}): executable, model
   * @param commands {@code command} backends by name: a command line template
   */
  public record Agents(
      Path settingsFile,
      Map<String, AgentSettings.TierPolicy> policies,
      Map<String, AgentSettings.Price> prices,
      Map<String, AgentSettings.BackendSettings> backends,
      Map<String, AgentSettings.CommandTemplate> commands) {

    public Agents {
      policies = policies == null ? Map.of() : Map.copyOf(policies);
      prices = prices == null ? Map.of() : Map.copyOf(prices);
      backends = backends == null ? Map.of() : Map.copyOf(backends);
      commands = commands == null ? Map.of() : Map.copyOf(commands);
    }

    /** The defaults, the settings file, then the members given here. */
    public AgentSettings settings() {
      AgentSettings s = AgentSettings.defaults();
      if (settingsFile != null) {
        s = s.overlay(AgentSettings.read(settingsFile));
      }
      return s.overlay(new AgentSettings(policies, prices, backends, commands));
    }

    /**
     * Writes the effective settings to {@code <data-dir>/agents/settings.json} and returns the
     * environment the worker gives the shim ({@code AIFLOW_AGENTS_CONFIG}).
     */
    public Map<String, String> shimEnvironment(Path dataDir) {
      Path file = dataDir.resolve("agents").resolve("settings.json").toAbsolutePath();
      settings().write(file);
      return Map.of(AgentSettings.ENV, file.toString());
    }

    /**
     * The settings for a shim started in a sandbox: inline in the environment, since the data
     * directory is hidden from it.
     */
    public Map<String, String> inlineShimEnvironment() {
      return Map.of(AgentSettings.ENV_JSON, settings().toJson());
    }
  }

  /** Settings with every default but the data directory (the CLI's view of a server). */
  public static AiflowProperties forDataDir(Path dataDir) {
    return new AiflowProperties(dataDir, null, null, null, null, null, null, null, null, null);
  }

  /**
   * @param signingKeyFile the Ed25519 checkpoint signing key, PKCS#8 PEM ({@code
   *     aiflow.transparency.signing-key-file}, env {@code AIFLOW_TRANSPARENCY_SIGNING_KEY_FILE});
   *     unset: {@code <data-dir>/secrets/checkpoint-signing.key}, generated on first start
   */
  public record TransparencySettings(Path signingKeyFile) {}

  /**
   * @param commands name to command line of the {@code command} drafting backend ({@code
   *     aiflow.controller.commands.<name>}); a process variable or a REST request names one, so no
   *     caller can make the server run a command line of its own
   */
  public record Controller(Map<String, String> commands) {
    public Controller {
      commands = commands == null ? Map.of() : Map.copyOf(commands);
    }
  }

  /**
   * @param requiredProjects projects whose campaigns refuse to start without an approved freeze
   *     ({@code aiflow.freeze.required-projects}, env {@code AIFLOW_FREEZE_REQUIRED_PROJECTS};
   *     {@code *} for all)
   */
  public record Freeze(List<String> requiredProjects) {
    public Freeze {
      requiredProjects = requiredProjects == null ? List.of() : List.copyOf(requiredProjects);
    }

    public boolean requiredFor(String projectId) {
      return requiredProjects.contains("*") || requiredProjects.contains(projectId);
    }
  }

  /**
   * The folders a campaign may read its queue from and write progress and workspaces in: the data
   * directory, the server's working directory, and {@code aiflow.allowed-roots}.
   */
  public List<Path> campaignRoots() {
    List<Path> roots = new java.util.ArrayList<>();
    roots.add(dataDir.toAbsolutePath().normalize());
    roots.add(Path.of("").toAbsolutePath().normalize());
    allowedRoots.forEach(r -> roots.add(r.toAbsolutePath().normalize()));
    return List.copyOf(roots);
  }

  /**
   * @param onStart run the demo campaign when the server starts on a data directory that has no
   *     demo project yet ({@code aiflow.demo.on-start}, env {@code AIFLOW_DEMO_ON_START})
   */
  public record Demo(Boolean onStart) {
    public Demo {
      onStart = onStart == null || onStart;
    }
  }

  /**
   * What a request, a process variable or a CLI flag may never name, whatever the allowed roots
   * say: the data directory's secrets ({@code admin-password}, {@code secrets/}), its database
   * ({@code h2/}), the agents' run records ({@code run/}), the hash chains ({@code workflow/}) and
   * the checkpoints ({@code checkpoints/}); aiflow itself reads and writes them by their fixed
   * names. See docs/security.md.
   */
  public List<Path> privatePaths() {
    return List.of(
        dataDir.resolve("admin-password"),
        secretsDir(),
        dataDir.resolve("h2"),
        runDir(),
        workflowRoot(),
        checkpointRoot());
  }

  /** Owner-only secrets aiflow generates (signing keys...): {@code <data-dir>/secrets}. */
  public Path secretsDir() {
    return dataDir.resolve("secrets");
  }

  /** Records of running agents, for the next start to stop leftovers: {@code <data-dir>/run}. */
  public Path runDir() {
    return dataDir.resolve("run");
  }

  /**
   * Whether the agents' workspaces are on this machine: this server runs agents itself (the
   * in-process worker). Otherwise they are wherever the remote workers run the agents, and a
   * workspace's path is checked here by the path rules alone: each worker checks the folder itself
   * every time it runs or verifies an agent ({@code WorkerKernel.workspace}).
   */
  public boolean workspacesHere() {
    return worker().inProcess();
  }

  /**
   * A workspace named for the agents: an existing folder here when {@link #workspacesHere()}, else
   * a path the rules allow (docs/architecture.md, "Remote workers").
   */
  public Path agentWorkspace(String field, String raw) {
    return workspacesHere()
        ? pathPolicy().workspace(field, raw)
        : pathPolicy().remoteWorkspace(field, raw);
  }

  /** The rule for named paths: inside {@link #campaignRoots()} (unless off), never private. */
  public dev.aiflow.files.PathPolicy pathPolicy() {
    return restrictPaths
        ? dev.aiflow.files.PathPolicy.of(campaignRoots(), privatePaths())
        : cliPathPolicy();
  }

  /** The CLI's rule for named paths: anywhere its user can reach, never private. */
  public dev.aiflow.files.PathPolicy cliPathPolicy() {
    return dev.aiflow.files.PathPolicy.unrestricted(privatePaths());
  }

  /** Where workflow logs live: {@code <data-dir>/workflow}. */
  public Path workflowRoot() {
    return dataDir.resolve("workflow");
  }

  /**
   * Where running agents are recorded, for reaping after a crash: {@code <data-dir>/run/agents}.
   */
  public Path agentRecordsDir() {
    return dataDir.resolve("run").resolve("agents");
  }

  /** Where the kernel keeps workspace snapshots between dispatch and verification. */
  public Path observationStateDir() {
    return dataDir.resolve("run").resolve("observe");
  }

  /** Where checkpoints live: {@code <data-dir>/checkpoints} (docs/recovery.md). */
  public Path checkpointRoot() {
    return dataDir.resolve("checkpoints");
  }

  /**
   * A project's folder for contracts, progress, requirements and its default workspace.
   *
   * @throws IllegalArgumentException for an id that could name a path outside {@code projects/} (a
   *     process variable is caller input)
   */
  public Path projectDir(String projectId) {
    return dataDir.resolve("projects").resolve(dev.aiflow.ids.Ids.require("project id", projectId));
  }

  /**
   * @param user the administrator's id (AIFLOW_ADMIN_USER)
   * @param password the administrator's password (AIFLOW_ADMIN_PASSWORD); generated when empty
   */
  public record Admin(String user, String password) {}

  /**
   * @param shim the shim executable ({@code $AIFLOW_SHIM}), default {@code builtin}: aiflow's own
   *     {@code aiflow shim} (docs/backends.md)
   * @param inProcess whether this server runs the dispatch external tasks itself
   * @param maxParallelSteps agent runs at once in this JVM
   * @param lockDuration the external-task lock taken at fetch; extended while output flows
   * @param lockMargin added to a pack's max_silence_sec: a lock outlasts the longest legitimate
   *     silence by this much, so a worker that died is noticed that long after its last output
   * @param retries how often a dispatch that cannot start is retried before an incident
   * @param retryBackoff the wait between those retries
   * @param pollInterval how long an idle worker waits before it asks again
   * @param grace time between SIGTERM and SIGKILL when a run is stopped
   * @param backendRuntimes binaries each backend needs (defaults in BackendHealth)
   * @param shims further shims by name, chosen per campaign with {@code workerShim}
   * @param sandbox where agents and verification runs run ({@code aiflow.worker.sandbox.*},
   *     docs/sandbox.md)
   * @param verification the kernel's limits and environment for its own runs of the proofs ({@code
   *     aiflow.worker.verification.*})
   */
  public record Worker(
      String shim,
      Boolean inProcess,
      Integer maxParallelSteps,
      Duration lockDuration,
      Duration lockMargin,
      Integer retries,
      Duration retryBackoff,
      Duration pollInterval,
      Duration grace,
      Map<String, List<String>> backendRuntimes,
      Map<String, String> shims,
      Sandbox sandbox,
      Verification verification) {

    @ConstructorBinding
    public Worker {
      shim = shim == null || shim.isBlank() ? "builtin" : shim;
      inProcess = inProcess == null || inProcess;
      maxParallelSteps = maxParallelSteps == null ? 2 : maxParallelSteps;
      lockDuration = lockDuration == null ? Duration.ofSeconds(60) : lockDuration;
      lockMargin = lockMargin == null ? Duration.ofSeconds(30) : lockMargin;
      retries = retries == null ? 3 : retries;
      retryBackoff = retryBackoff == null ? Duration.ofSeconds(10) : retryBackoff;
      pollInterval = pollInterval == null ? Duration.ofMillis(500) : pollInterval;
      grace = grace == null ? Duration.ofSeconds(2) : grace;
      backendRuntimes = backendRuntimes == null ? Map.of() : Map.copyOf(backendRuntimes);
      shims = shims == null ? Map.of() : Map.copyOf(shims);
      sandbox = sandbox == null ? new Sandbox(null, null, null, null, null, null) : sandbox;
      verification =
          verification == null ? new Verification(null, null, null, null, null) : verification;
    }

    /** Without the sandbox and verification settings (their defaults apply). */
    public Worker(
        String shim,
        Boolean inProcess,
        Integer maxParallelSteps,
        Duration lockDuration,
        Duration lockMargin,
        Integer retries,
        Duration retryBackoff,
        Duration pollInterval,
        Duration grace,
        Map<String, List<String>> backendRuntimes,
        Map<String, String> shims) {
      this(
          shim,
          inProcess,
          maxParallelSteps,
          lockDuration,
          lockMargin,
          retries,
          retryBackoff,
          pollInterval,
          grace,
          backendRuntimes,
          shims,
          null,
          null);
    }

    /**
     * @param mode {@code auto} (bwrap when a probe run works, else none with a warning), {@code
     *     bwrap} (required) or {@code none}
     * @param bwrap the bubblewrap executable (default {@code /usr/bin/bwrap})
     * @param agentNetwork whether agents have the network (default true: they need their API)
     * @param backendNetwork per backend, overriding agentNetwork ({@code
     *     aiflow.worker.sandbox.backend-network.codex=false})
     * @param tierNetwork per tier; false closes the network for every backend in that tier
     * @param verificationNetwork whether the kernel's re-runs have the network (default false)
     */
    public record Sandbox(
        String mode,
        String bwrap,
        Boolean agentNetwork,
        Map<String, Boolean> backendNetwork,
        Map<String, Boolean> tierNetwork,
        Boolean verificationNetwork) {
      public Sandbox {
        mode = mode == null || mode.isBlank() ? "auto" : mode;
        bwrap = bwrap == null || bwrap.isBlank() ? "/usr/bin/bwrap" : bwrap;
        agentNetwork = agentNetwork == null || agentNetwork;
        backendNetwork = backendNetwork == null ? Map.of() : Map.copyOf(backendNetwork);
        tierNetwork = tierNetwork == null ? Map.of() : Map.copyOf(tierNetwork);
        verificationNetwork = verificationNetwork != null && verificationNetwork;
      }
    }

    /**
     * @param maxRuntime per verification command (default 10 minutes)
     * @param maxSilence per verification command (default 5 minutes)
     * @param maxMemoryMb per verification command's process tree (default 4096)
     * @param environment names passed from the server's environment (default PATH, LANG, LC_ALL,
     *     LC_CTYPE, TZ); nothing else reaches a verification run
     * @param ignore paths observation leaves out besides {@code .artifacts/} (default: test caches,
     *     see WorkspaceObserver.DEFAULT_IGNORE)
     */
    public record Verification(
        Duration maxRuntime,
        Duration maxSilence,
        Integer maxMemoryMb,
        List<String> environment,
        List<String> ignore) {
      public Verification {
        maxRuntime = maxRuntime == null ? Duration.ofMinutes(10) : maxRuntime;
        maxSilence = maxSilence == null ? Duration.ofMinutes(5) : maxSilence;
        maxMemoryMb = maxMemoryMb == null ? 4096 : maxMemoryMb;
        environment =
            environment == null
                ? List.of("PATH", "LANG", "LC_ALL", "LC_CTYPE", "TZ")
                : List.copyOf(environment);
        ignore = ignore == null ? null : List.copyOf(ignore);
      }
    }

    public static Worker defaults() {
      return new Worker(null, null, null, null, null, null, null, null, null, null, null);
    }
  }
}
