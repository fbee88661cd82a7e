package dev.aiflow.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.springframework.boot.context.properties.ConfigurationProperties;

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
    TransparencySettings transparency) {

  public AiflowProperties {
    dataDir = dataDir == null ? Path.of("data") : dataDir;
    admin = admin == null ? new Admin("admin", null) : admin;
    worker = worker == null ? Worker.defaults() : worker;
    allowedRoots = allowedRoots == null ? List.of() : List.copyOf(allowedRoots);
    demo = demo == null ? new Demo(true) : demo;
    freeze = freeze == null ? new Freeze(List.of()) : freeze;
    controller = controller == null ? new Controller(Map.of()) : controller;
    transparency = transparency == null ? new TransparencySettings(null) : transparency;
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

  /** Where workflow logs live: {@code <data-dir>/workflow}. */
  public Path workflowRoot() {
    return dataDir.resolve("workflow");
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
    if (projectId == null
        || !projectId.matches("[A-Za-z0-9][A-Za-z0-9._:-]{0,127}")
        || projectId.contains("..")) {
      throw new IllegalArgumentException("'" + projectId + "' is not a project id");
    }
    return dataDir.resolve("projects").resolve(projectId);
  }

  /**
   * @param user the administrator's id (AIFLOW_ADMIN_USER)
   * @param password the administrator's password (AIFLOW_ADMIN_PASSWORD); generated when empty
   */
  public record Admin(String user, String password) {}

  /**
   * @param shim the shim executable ({@code $AIFLOW_SHIM}, default {@code gxd-subagent-shim})
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
      Map<String, String> shims) {

    public Worker {
      shim = shim == null || shim.isBlank() ? "gxd-subagent-shim" : shim;
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
    }

    public static Worker defaults() {
      return new Worker(null, null, null, null, null, null, null, null, null, null, null);
    }
  }
}
