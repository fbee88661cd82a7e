package dev.aiflow.demo;

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
import java.util.Map;
import org.springframework.core.io.Resource;
import org.springframework.core.io.support.PathMatchingResourcePatternResolver;

/**
 * The demo of {@code examples/orchestrator/} (on the classpath as {@code aiflow/demo/}), copied
 * into the data directory so it runs the same from a clone and from the jar, and never writes into
 * the user's tree.
 */
public final class DemoAssets {

  /** The shim name the demo campaigns use. */
  public static final String SHIM_NAME = "demo";

  private static final String PREFIX = "aiflow/demo/";

  private final Path dir;

  private DemoAssets(Path dir) {
    this.dir = dir;
  }

  /** Where {@code aiflow demo} and the server put demo runs: {@code <data-dir>/demo}. */
  public static Path root(Path dataDir) {
    return dataDir.resolve("demo").toAbsolutePath().normalize();
  }

  /** The demo's mock shim, kept in {@code <data-dir>/demo/bin}. */
  public static Path shim(Path dataDir) {
    return root(dataDir).resolve("bin").resolve("mock-shim");
  }

  /**
   * Copies the demo into {@code <data-dir>/demo/<project>} (queue under {@code progress/}, the
   * agents' {@code workspace/}) and the mock shim into {@code <data-dir>/demo/bin}.
   *
   * @throws IllegalStateException when that folder exists: a demo run is never overwritten
   */
  public static DemoAssets extract(Path dataDir, String project) {
    Path target = root(dataDir).resolve(project);
    if (Files.exists(target)) {
      throw new IllegalStateException("the demo folder " + target + " exists already");
    }
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
        if (relative.isEmpty() || relative.contains("..") || relative.contains(".artifacts")) {
          continue;
        }
        Path to =
            relative.equals("mock-shim") ? shim(dataDir) : target.resolve(placement(relative));
        Files.createDirectories(to.getParent());
        try (InputStream in = r.getInputStream()) {
          Files.copy(in, to, StandardCopyOption.REPLACE_EXISTING);
        }
        copied++;
      }
      if (copied == 0) {
        throw new IllegalStateException("the demo assets (classpath " + PREFIX + ") are missing");
      }
      makeExecutable(shim(dataDir));
    } catch (IOException e) {
      throw new UncheckedIOException("could not copy the demo into " + target, e);
    }
    return new DemoAssets(target);
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

  /** The campaign the demo runs. */
  public CampaignSpec campaign(String project) {
    StepPackMap packs =
        StepPackMap.load(
            dir.resolve("step_pack_map.json"),
            "step_pack_map.json",
            dev.aiflow.files.PathPolicy.open());
    Map<String, String> backends = new LinkedHashMap<>();
    try {
      BackendMap.parse(Files.readString(dir.resolve("worker_backend_map.json")));
      new com.fasterxml.jackson.databind.ObjectMapper()
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
