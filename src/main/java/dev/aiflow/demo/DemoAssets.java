package dev.aiflow.demo;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.aiflow.campaign.CampaignSpec;
import dev.aiflow.campaign.StepPackMap;
import dev.aiflow.worker.BackendMap;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.core.io.Resource;
import org.springframework.core.io.support.PathMatchingResourcePatternResolver;

/**
 * The demo of {@code examples/orchestrator/} (on the classpath as {@code aiflow/demo/}), copied
 * into the data directory so it runs the same from a clone and from the jar, and never writes into
 * the user's tree. Its agents are the fake {@code claude}, {@code codex} and {@code gemini} of
 * {@code examples/agents/} (classpath {@code aiflow/demo/agents/}), driven by aiflow's built-in
 * shim exactly as the real CLIs are: the shim name {@value #SHIM_NAME} stands for {@code
 * builtin:<data-dir>/demo/agents/settings.json}, whose backends name the fakes and where each keeps
 * its login (docs/backends.md, "Named built-in shims").
 */
public final class DemoAssets {

  /** The shim name the demo campaigns use. */
  public static final String SHIM_NAME = "demo";

  /** The tasks the demo runs at once (two lanes: Cockpit shows two step cycles running). */
  public static final int PARALLEL_TASKS = 2;

  private static final String PREFIX = "aiflow/demo/";
  private static final String AGENTS = "agents/";
  private static final List<String> CLIS = List.of("claude", "codex", "gemini");

  private final Path dir;

  private DemoAssets(Path dir) {
    this.dir = dir;
  }

  /** Where {@code aiflow demo} and the server put demo runs: {@code <data-dir>/demo}. */
  public static Path root(Path dataDir) {
    return dataDir.resolve("demo").toAbsolutePath().normalize();
  }

  /** The demo's agent CLIs, their logins and settings: {@code <data-dir>/demo/agents}. */
  public static Path agents(Path dataDir) {
    return root(dataDir).resolve("agents");
  }

  /** The agent settings of the demo's shim: the fakes as the backends, with their logins. */
  public static Path settings(Path dataDir) {
    return agents(dataDir).resolve("settings.json");
  }

  /** What the shim name {@value #SHIM_NAME} stands for on this data directory. */
  public static String shim(Path dataDir) {
    return "builtin:" + settings(dataDir);
  }

  /**
   * Copies the demo into {@code <data-dir>/demo/<project>} (queue under {@code progress/}, the
   * agents' {@code workspace/}) and the fake agent CLIs into {@code <data-dir>/demo/agents}, with a
   * login for each (a file where the real CLI keeps it) and the shim's settings naming them.
   *
   * @throws IllegalStateException when that folder exists: a demo run is never overwritten
   */
  public static DemoAssets extract(Path dataDir, String project) {
    Path target = root(dataDir).resolve(project);
    if (Files.exists(target)) {
      throw new IllegalStateException("the demo folder " + target + " exists already");
    }
    Path agents = agents(dataDir);
    try {
      PathMatchingResourcePatternResolver resolver = new PathMatchingResourcePatternResolver();
      Resource[] resources = resolver.getResources("classpath*:" + PREFIX + "**");
      int copied = 0;
      for (Resource r : resources) {
        if (!r.isReadable()) {
          continue; // a folder
        }
        String url = URLDecoder.decode(r.getURL().toString(), StandardCharsets.UTF_8);
        String relative = url.substring(url.lastIndexOf(PREFIX) + PREFIX.length());
        if (relative.isEmpty()
            || relative.contains("..")
            || relative.contains(".artifacts")
            || relative.equals("mock-shim")) {
          continue;
        }
        Path to =
            relative.startsWith(AGENTS)
                ? agents.resolve(relative.substring(AGENTS.length()))
                : target.resolve(placement(relative));
        Files.createDirectories(to.getParent());
        try (InputStream in = r.getInputStream()) {
          Files.copy(in, to, StandardCopyOption.REPLACE_EXISTING);
        }
        copied++;
      }
      if (copied == 0 || !Files.isRegularFile(agents.resolve("claude"))) {
        throw new IllegalStateException("the demo assets (classpath " + PREFIX + ") are missing");
      }
      for (String cli : CLIS) {
        makeExecutable(agents.resolve(cli));
      }
      writeLogins(agents);
      writeSettings(agents);
    } catch (IOException e) {
      throw new UncheckedIOException("could not copy the demo into " + target, e);
    }
    return new DemoAssets(target);
  }

  /**
   * A login per fake, where the real CLI keeps one: Claude Code's {@code .credentials.json} in
   * {@code $CLAUDE_CONFIG_DIR}, Codex's {@code auth.json} in {@code $CODEX_HOME}, Gemini CLI's
   * {@code ~/.gemini/oauth_creds.json} (its own HOME). The fakes accept any login; nothing in them
   * is a secret.
   */
  private static void writeLogins(Path agents) throws IOException {
    String note = "{\"demo\": \"a login for aiflow's fake agent CLIs; they accept any\"}\n";
    for (Path file :
        List.of(
            agents.resolve("logins/claude/.credentials.json"),
            agents.resolve("logins/codex/auth.json"),
            agents.resolve("logins/gemini/.gemini/oauth_creds.json"))) {
      Files.createDirectories(file.getParent());
      Files.writeString(file, note);
    }
  }

  /** The shim's settings: each backend is a fake, with the folder its login is in. */
  private static void writeSettings(Path agents) throws IOException {
    ObjectMapper json = new ObjectMapper();
    ObjectNode root = json.createObjectNode();
    ObjectNode backends = root.putObject("backends");
    Map<String, String[]> env = new LinkedHashMap<>();
    env.put("claude", new String[] {"CLAUDE_CONFIG_DIR", "logins/claude"});
    env.put("codex", new String[] {"CODEX_HOME", "logins/codex"});
    env.put("gemini", new String[] {"HOME", "logins/gemini"});
    for (Map.Entry<String, String[]> e : env.entrySet()) {
      ObjectNode b = backends.putObject(e.getKey());
      b.put("executable", agents.resolve(e.getKey()).toString());
      if (e.getKey().equals("codex")) {
        b.putArray("extra_args").add("--skip-git-repo-check");
      }
      b.putObject("environment").put(e.getValue()[0], agents.resolve(e.getValue()[1]).toString());
    }
    Files.writeString(
        agents.resolve("settings.json"),
        json.writerWithDefaultPrettyPrinter().writeValueAsString(root) + "\n");
  }

  /** The queue goes to {@code progress/}, so the scoreboard sits next to it. */
  private static String placement(String relative) {
    return relative.equals("task_queue.json") ? "progress/task_queue.json" : relative;
  }

  private static void makeExecutable(Path file) throws IOException {
    try {
      Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
    } catch (UnsupportedOperationException e) {
      file.toFile().setExecutable(true);
    }
  }

  public Path dir() {
    return dir;
  }

  public Path queue() {
    return dir.resolve("progress/task_queue.json");
  }

  public Path progressDir() {
    return dir.resolve("progress");
  }

  public Path workspace() {
    return dir.resolve("workspace");
  }

  /**
   * The campaign the demo runs: two tasks at once, one rework round, the built-in shim with the
   * fakes; the queue's DEMO-3 waits for a person when its rework runs out.
   */
  public CampaignSpec campaign(String project) {
    StepPackMap packs =
        StepPackMap.load(
            dir.resolve("step_pack_map.json"),
            "step_pack_map.json",
            dev.aiflow.files.PathPolicy.open());
    Map<String, String> backends = new LinkedHashMap<>();
    try {
      BackendMap.parse(Files.readString(dir.resolve("worker_backend_map.json")));
      new ObjectMapper()
          .readTree(dir.resolve("worker_backend_map.json").toFile())
          .fields()
          .forEachRemaining(e -> backends.put(e.getKey(), e.getValue().asText()));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return CampaignSpec.builder(project, queue())
        .progressDir(progressDir())
        .stepPacks(packs)
        .backendMap(backends)
        .autoPlanMissing(true)
        .maxCycles(20)
        .maxReworkRounds(1)
        .maxParallelTasks(PARALLEL_TASKS)
        .workspace(workspace())
        .workerShim(SHIM_NAME)
        .build();
  }

  /** The first free project id: {@code demo}, then {@code demo-2}, ... */
  public static String freeProject(Path dataDir, java.util.function.Predicate<String> taken) {
    for (int n = 1; ; n++) {
      String id = n == 1 ? "demo" : "demo-" + n;
      if (!taken.test(id) && !Files.exists(root(dataDir).resolve(id))) {
        return id;
      }
    }
  }
}
