package dev.aiflow.bench;

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
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

/**
 * Start-up time to a ready {@code /engine-rest/engine} and resident memory, aiflow against a bare
 * Camunda Spring Boot application with the same starters (docs/performance.md). Not JMH: each
 * sample is a fresh JVM, started from the same classpath with default JVM flags and a fresh data
 * directory, the two alternating so drift hits both alike. Ready means the first {@code 200} from
 * {@code GET /engine-rest/engine} (with credentials, through each app's security). Memory is the
 * process's VmRSS two seconds after ready (Linux {@code /proc}).
 *
 * <pre>./mvnw -B -Pbench verify -Dbench.main=dev.aiflow.bench.StartupBenchmark -Dbench.args=5</pre>
 *
 * <p>Arguments after the number of rounds are JVM options given to both apps, for example {@code
 * -Dbench.args="3 -Xmx512m"} for the goal (ready within 10 s, RSS within 450 MiB).
 */
public final class StartupBenchmark {

  record Sample(double seconds, long rssKb) {}

  /** JVM options for both apps (the arguments after the rounds); none: default flags. */
  static List<String> jvmOptions = List.of();

  public static void main(String[] args) throws Exception {
    int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 5;
    jvmOptions = args.length > 1 ? List.of(args).subList(1, args.length) : List.of();
    System.out.println(
        "JVM options for both apps: " + (jvmOptions.isEmpty() ? "none" : jvmOptions));
    List<Sample> aiflow = new ArrayList<>();
    List<Sample> bare = new ArrayList<>();
    measure(true); // one of each to warm the disk cache, not counted
    measure(false);
    for (int i = 0; i < rounds; i++) {
      aiflow.add(measure(true));
      bare.add(measure(false));
      System.out.printf(
          Locale.ROOT,
          "round %d: aiflow %.2f s %d MB, bare %.2f s %d MB%n",
          i + 1,
          aiflow.get(i).seconds(),
          aiflow.get(i).rssKb() / 1024,
          bare.get(i).seconds(),
          bare.get(i).rssKb() / 1024);
    }
    double ta = median(aiflow.stream().map(Sample::seconds).toList());
    double tb = median(bare.stream().map(Sample::seconds).toList());
    double ma = median(aiflow.stream().map(s -> (double) s.rssKb()).toList()) / 1024;
    double mb = median(bare.stream().map(s -> (double) s.rssKb()).toList()) / 1024;
    System.out.printf(Locale.ROOT, "%nmedian of %d rounds%n", rounds);
    System.out.printf(
        Locale.ROOT,
        "start-up to ready: aiflow %.2f s, bare %.2f s, ratio %.2fx%n",
        ta,
        tb,
        ta / tb);
    System.out.printf(
        Locale.ROOT,
        "resident memory:   aiflow %.0f MB, bare %.0f MB, ratio %.2fx%n",
        ma,
        mb,
        ma / mb);
    double maxStart = aiflow.stream().mapToDouble(Sample::seconds).max().orElse(0);
    double maxRss = aiflow.stream().mapToDouble(Sample::rssKb).max().orElse(0) / 1024;
    System.out.printf(
        Locale.ROOT,
        "aiflow's worst round: %.2f s (goal <= 10 s), %.0f MiB (goal <= 450 MiB)%n",
        maxStart,
        maxRss);
  }

  static Sample measure(boolean aiflow) throws Exception {
    Path data = Files.createTempDirectory(aiflow ? "startup-aiflow" : "startup-bare");
    int port = freePort();
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.addAll(jvmOptions);
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    String user;
    String password;
    if (aiflow) {
      cmd.add("dev.aiflow.AiflowMain");
      cmd.add("serve");
      cmd.add("--aiflow.data-dir=" + data);
      cmd.add("--aiflow.demo.on-start=false");
      user = "admin";
      password = java.util.UUID.randomUUID().toString(); // a fresh data dir, a fresh admin
    } else {
      cmd.add("dev.aiflow.bench.bare.BareCamundaApp");
      cmd.add("--spring.config.name=bare");
      cmd.add("--bare.data-dir=" + data);
      cmd.add("--aiflow.data-dir=" + data);
      user = "bench";
      password = "bench";
    }
    cmd.add("--server.port=" + port);
    ProcessBuilder pb =
        new ProcessBuilder(cmd)
            .redirectErrorStream(true)
            .redirectOutput(data.resolve("out.log").toFile());
    if (aiflow) {
      pb.environment().put("AIFLOW_ADMIN_PASSWORD", password);
    }
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    String auth =
        "Basic "
            + Base64.getEncoder()
                .encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    long start = System.nanoTime();
    Process p = pb.start();
    try {
      while (true) {
        if (!p.isAlive()) {
          throw new IllegalStateException(
              "the app exited; see "
                  + data.resolve("out.log")
                  + ":\n"
                  + Files.readString(data.resolve("out.log")));
        }
        try {
          HttpResponse<Void> r =
              http.send(
                  HttpRequest.newBuilder(
                          URI.create("http://127.0.0.1:" + port + "/engine-rest/engine"))
                      .header("Authorization", auth)
                      .GET()
                      .build(),
                  HttpResponse.BodyHandlers.discarding());
          if (r.statusCode() == 200) {
            break;
          }
        } catch (IOException notYet) {
          // not listening yet
        }
        Thread.sleep(20);
      }
      double seconds = (System.nanoTime() - start) / 1e9;
      Thread.sleep(2000);
      return new Sample(seconds, rssKb(p.pid()));
    } finally {
      p.destroy();
      p.waitFor();
    }
  }

  static long rssKb(long pid) throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
      if (line.startsWith("VmRSS:")) {
        return Long.parseLong(line.replaceAll("[^0-9]", ""));
      }
    }
    throw new IllegalStateException("no VmRSS for " + pid);
  }

  static double median(List<Double> values) {
    List<Double> sorted = new ArrayList<>(values);
    Collections.sort(sorted);
    int n = sorted.size();
    return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
  }

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  private StartupBenchmark() {}
}
