package dev.aiflow;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The CLI and a running server on the same data directory (issue 13): with a real server holding
 * the directory's H2 database, every command that needs the engine says so in one line on stderr,
 * exits 2, prints nothing on stdout (no stack trace) and leaves nothing behind. Each command runs
 * as the jar runs it ({@code AiflowMain} in its own JVM), since that is where a stack trace would
 * show.
 */
class DataDirInUseTest {

  @TempDir Path tmp;
  Process server;

  @AfterEach
  void stopServer() throws InterruptedException {
    if (server != null && server.isAlive()) {
      server.destroy();
      if (!server.waitFor(60, TimeUnit.SECONDS)) {
        server.destroyForcibly().waitFor();
      }
    }
  }

  static String java() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }

  @Test
  void engineCommandsAgainstADataDirectoryARunningServerHoldsExitTwoInOneLine() throws Exception {
    Path data = Files.createDirectories(tmp.resolve("data"));
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    ProcessBuilder serve =
        new ProcessBuilder(
                java(),
                "-Xmx512m",
                "-cp",
                System.getProperty("java.class.path"),
                AiflowMain.class.getName(),
                "serve",
                "--server.port=" + port,
                "--aiflow.data-dir=" + data)
            .redirectErrorStream(true)
            .redirectOutput(tmp.resolve("server.log").toFile());
    serve.environment().put("AIFLOW_DEMO_ON_START", "false");
    serve.environment().put("AIFLOW_ADMIN_PASSWORD", "in-use-test-" + System.nanoTime());
    server = serve.start();
    awaitHealthy(port);

    // the inputs live outside the data directory, copied: nothing may be written next to them
    Path work = Files.createDirectories(tmp.resolve("work"));
    Path queue = work.resolve("task_queue.json");
    Files.copy(Path.of("examples/orchestrator/task_queue.json"), queue);
    Path pack = work.resolve("DEMO-1.json");
    Files.copy(Path.of("examples/orchestrator/step_packs/DEMO-1.json"), pack);
    Set<String> before = tree(data);
    Set<String> workBefore = tree(work);

    List<List<String>> commands =
        List.of(
            List.of(
                "run-campaign",
                "--queue-path",
                queue.toString(),
                "--auto-plan-missing",
                "--skip-backend-health-check",
                "--data-dir",
                data.toString()),
            List.of(
                "run-cycle",
                "--run-id",
                "R-1",
                "--step-pack-file",
                pack.toString(),
                "--project-id",
                "demo",
                "--workspace",
                work.toString(),
                "--data-dir",
                data.toString()),
            List.of("audit", "reconcile", "--project-id", "demo", "--data-dir", data.toString()));
    for (List<String> command : commands) {
      Result r = aiflow(command);
      String what = String.join(" ", command) + "\nstdout: " + r.out + "\nstderr: " + r.err;
      assertThat(r.exit).as(what).isEqualTo(2);
      assertThat(r.out).as(what).isEmpty();
      assertThat(r.err.lines().filter(l -> !l.isBlank()).toList())
          .as(what)
          .singleElement()
          .asString()
          .startsWith("aiflow: the data directory ")
          .contains("is in use by another aiflow process (a running server?)");
    }
    assertThat(tree(data)).as("nothing left in the data directory").isEqualTo(before);
    assertThat(tree(work)).as("nothing left next to the inputs").isEqualTo(workBefore);
    assertThat(server.isAlive()).as("the server runs on").isTrue();
  }

  record Result(int exit, String out, String err) {}

  Result aiflow(List<String> args) throws Exception {
    Path out = Files.createTempFile(tmp, "out", ".txt");
    Path err = Files.createTempFile(tmp, "err", ".txt");
    List<String> cmd = new ArrayList<>(List.of(java(), "-Xmx384m", "-cp"));
    cmd.add(System.getProperty("java.class.path"));
    cmd.add(AiflowMain.class.getName());
    cmd.addAll(args);
    ProcessBuilder pb =
        new ProcessBuilder(cmd)
            .directory(tmp.toFile())
            .redirectOutput(out.toFile())
            .redirectError(err.toFile());
    pb.environment().remove("AIFLOW_DATA_DIR");
    Process p = pb.start();
    assertThat(p.waitFor(150, TimeUnit.SECONDS)).as("the command ends").isTrue();
    return new Result(
        p.exitValue(),
        Files.readString(out, StandardCharsets.UTF_8),
        Files.readString(err, StandardCharsets.UTF_8));
  }

  /** Every path under the folder, relative (the H2 files' contents change as the server works). */
  static Set<String> tree(Path dir) throws IOException {
    try (Stream<Path> s = Files.walk(dir)) {
      Set<String> out = new TreeSet<>();
      s.forEach(p -> out.add(dir.relativize(p).toString()));
      return out;
    }
  }

  static void awaitHealthy(int port) throws Exception {
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    long deadline = System.nanoTime() + Duration.ofSeconds(150).toNanos();
    while (System.nanoTime() < deadline) {
      try {
        HttpResponse<String> r =
            http.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/actuator/health"))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() == 200) {
          return;
        }
      } catch (IOException e) {
        // not listening yet
      }
      Thread.sleep(250);
    }
    throw new IllegalStateException("the server did not become healthy; see server.log");
  }
}
