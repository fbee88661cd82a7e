package dev.aiflow.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.aiflow.support.Queues;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Memory under load (docs/performance.md): one aiflow server (a fresh JVM from the test classpath,
 * the JVM options given, {@code -Xmx512m} for the goal) runs {@value #CAMPAIGNS} campaigns
 * at once with the mock shim while four clients make {@value #READS} API reads over HTTP with Basic
 * (the campaign list, each campaign's view, its reconcile). VmRSS is sampled every 500 ms; the
 * figures are RSS after start-up, the peak, and RSS at the end, with the heap the JVM reports in
 * use after a full GC at the end ({@code jcmd GC.run} then {@code GC.heap_info}), so growth that
 * stays is told from heap the JVM simply kept.
 *
 * <pre>./mvnw -B -Pbench verify -Dbench.main=dev.aiflow.bench.LoadMemoryBenchmark \
 *   -Dbench.args="-Xmx512m"</pre>
 */
public final class LoadMemoryBenchmark {

  static final int CAMPAIGNS = 8;
  static final int TASKS = 30;
  static final int READS = 24_000;
  static final ObjectMapper JSON = new ObjectMapper();

  public static void main(String[] args) throws Exception {
    List<String> jvm = List.of(args);
    Path data = Files.createTempDirectory("load-aiflow");
    int port = StartupBenchmark.freePort();
    String password = java.util.UUID.randomUUID().toString();
    String shim = Path.of("examples/orchestrator/mock-shim").toAbsolutePath().toString();
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.addAll(jvm);
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add("dev.aiflow.AiflowMain");
    cmd.add("serve");
    cmd.add("--server.port=" + port);
    cmd.add("--aiflow.data-dir=" + data.resolve("data"));
    cmd.add("--aiflow.demo.on-start=false");
    cmd.add("--aiflow.worker.shim=" + shim);
    cmd.add("--aiflow.worker.max-parallel-steps=4");
    cmd.add("--aiflow.allowed-roots=" + data);
    ProcessBuilder pb =
        new ProcessBuilder(cmd)
            .redirectErrorStream(true)
            .redirectOutput(data.resolve("out.log").toFile());
    pb.environment().put("AIFLOW_ADMIN_PASSWORD", password);
    String auth =
        "Basic "
            + Base64.getEncoder()
                .encodeToString(("admin:" + password).getBytes(StandardCharsets.UTF_8));
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    Process p = pb.start();
    try {
      String base = "http://127.0.0.1:" + port;
      waitReady(http, base, auth, p, data);
      long rssStart = StartupBenchmark.rssKb(p.pid());
      AtomicLong peak = new AtomicLong(rssStart);
      Thread sampler =
          new Thread(
              () -> {
                while (!Thread.currentThread().isInterrupted()) {
                  try {
                    peak.accumulateAndGet(StartupBenchmark.rssKb(p.pid()), Math::max);
                    Thread.sleep(500);
                  } catch (InterruptedException e) {
                    return;
                  } catch (IOException | RuntimeException e) {
                    return; // the process ended
                  }
                }
              },
              "rss-sampler");
      sampler.setDaemon(true);
      sampler.start();

      List<String> ids = new ArrayList<>();
      for (int c = 1; c <= CAMPAIGNS; c++) {
        Path dir = Files.createDirectories(data.resolve("c" + c));
        List<Queues.Item> items = new ArrayList<>();
        for (int i = 1; i <= TASKS; i++) {
          items.add(Queues.Item.of("L" + c + "-" + i, i % 4, "pass"));
        }
        String packs = Queues.write(dir.resolve("task_queue.json"), 1, items, 60, 10);
        Path ws = dir.resolve("ws");
        Queues.seedWorkspace(ws, items);
        ObjectNode request = JSON.createObjectNode();
        request.put("projectId", "load-" + c);
        request.put("queuePath", dir.resolve("task_queue.json").toString());
        request.set("stepPacks", JSON.readTree(packs));
        request.put("workspace", ws.toString());
        request
            .putObject("options")
            .put("maxCycles", TASKS + 5)
            .put("maxReworkRounds", 0)
            .put("skipBackendHealthCheck", true);
        HttpResponse<String> r =
            http.send(
                HttpRequest.newBuilder(URI.create(base + "/api/campaigns"))
                    .header("Authorization", auth)
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(request.toString()))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 201) {
          throw new IllegalStateException("campaign " + c + ": " + r.statusCode() + " " + r.body());
        }
        ids.add(JSON.readTree(r.body()).path("id").asText());
      }

      long t0 = System.nanoTime();
      AtomicInteger done = new AtomicInteger();
      AtomicInteger failed = new AtomicInteger();
      ExecutorService clients = Executors.newFixedThreadPool(4);
      List<Future<?>> work = new ArrayList<>();
      for (int w = 0; w < 4; w++) {
        work.add(
            clients.submit(
                () -> {
                  int n;
                  while ((n = done.getAndIncrement()) < READS) {
                    String id = ids.get(n % ids.size());
                    String path =
                        switch (n % 3) {
                          case 0 -> "/api/campaigns";
                          case 1 -> "/api/campaigns/" + id;
                          default -> "/api/projects/load-" + (n % CAMPAIGNS + 1) + "/reconcile";
                        };
                    try {
                      HttpResponse<Void> r =
                          http.send(
                              HttpRequest.newBuilder(URI.create(base + path))
                                  .header("Authorization", auth)
                                  .GET()
                                  .build(),
                              HttpResponse.BodyHandlers.discarding());
                      if (r.statusCode() != 200) {
                        failed.incrementAndGet();
                      }
                    } catch (IOException e) {
                      failed.incrementAndGet();
                    } catch (InterruptedException e) {
                      Thread.currentThread().interrupt();
                      return;
                    }
                  }
                }));
      }
      for (Future<?> f : work) {
        f.get();
      }
      clients.shutdown();
      double readSeconds = (System.nanoTime() - t0) / 1e9;

      // then let the campaigns finish (they may have before the reads did)
      long deadline = System.currentTimeMillis() + 600_000;
      int running = CAMPAIGNS;
      while (running > 0 && System.currentTimeMillis() < deadline) {
        running = 0;
        for (String id : ids) {
          JsonNode v = get(http, base + "/api/campaigns/" + id, auth);
          if ("running".equals(v.path("state").asText())) {
            running++;
          }
        }
        Thread.sleep(1000);
      }
      int completedTasks = 0;
      for (String id : ids) {
        completedTasks +=
            get(http, base + "/api/campaigns/" + id, auth).path("queue").path("completed").asInt();
      }
      sampler.interrupt();
      long rssEnd = StartupBenchmark.rssKb(p.pid());
      String heap = jcmd(p.pid(), "GC.run") + jcmd(p.pid(), "GC.heap_info");
      long rssAfterGc = StartupBenchmark.rssKb(p.pid());
      System.out.printf(
          Locale.ROOT,
          "JVM options: %s%n%d campaigns of %d tasks: %d of %d tasks completed, %d still running%n"
              + "%d API reads in %.1f s (%.0f/s), %d not 200%n"
              + "RSS: after start-up %d MiB, peak %d MiB, at the end %d MiB, after a full GC %d MiB%n"
              + "heap after a full GC:%n%s%n",
          jvm.isEmpty() ? "none" : jvm,
          CAMPAIGNS,
          TASKS,
          completedTasks,
          CAMPAIGNS * TASKS,
          running,
          READS,
          readSeconds,
          READS / readSeconds,
          failed.get(),
          rssStart / 1024,
          peak.get() / 1024,
          rssEnd / 1024,
          rssAfterGc / 1024,
          heap.strip());
    } finally {
      p.destroy();
      p.waitFor();
    }
  }

  static void waitReady(HttpClient http, String base, String auth, Process p, Path data)
      throws Exception {
    long deadline = System.currentTimeMillis() + 120_000;
    while (System.currentTimeMillis() < deadline) {
      if (!p.isAlive()) {
        throw new IllegalStateException(
            "the server exited:\n" + Files.readString(data.resolve("out.log")));
      }
      try {
        if (http.send(
                    HttpRequest.newBuilder(URI.create(base + "/engine-rest/engine"))
                        .header("Authorization", auth)
                        .build(),
                    HttpResponse.BodyHandlers.discarding())
                .statusCode()
            == 200) {
          return;
        }
      } catch (IOException notYet) {
        // not listening yet
      }
      Thread.sleep(100);
    }
    throw new IllegalStateException("the server was not ready within 120 s");
  }

  static JsonNode get(HttpClient http, String url, String auth) throws Exception {
    return JSON.readTree(
        http.send(
                HttpRequest.newBuilder(URI.create(url)).header("Authorization", auth).build(),
                HttpResponse.BodyHandlers.ofString())
            .body());
  }

  static String jcmd(long pid, String command) throws Exception {
    Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
    Process j = new ProcessBuilder(jcmd.toString(), String.valueOf(pid), command).start();
    String out = new String(j.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    j.waitFor();
    return out;
  }

  private LoadMemoryBenchmark() {}
}
