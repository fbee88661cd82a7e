package dev.aiflow.it;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/** The packaged application (target/aiflow.jar) as a separate server process. */
final class AppProcess implements AutoCloseable {

  final int port;
  final Path dataDir;
  final String password;
  private final List<String> extraArgs;
  private final Map<String, String> extraEnv;
  private Process process;
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  AppProcess(Path dataDir, String password, List<String> extraArgs) throws IOException {
    this(dataDir, password, extraArgs, Map.of());
  }

  /** With environment variables of its own (e.g. AIFLOW_DB_URL: secrets stay off the command). */
  AppProcess(Path dataDir, String password, List<String> extraArgs, Map<String, String> extraEnv)
      throws IOException {
    this.port = freePort();
    this.dataDir = dataDir;
    this.password = password;
    this.extraArgs = List.copyOf(extraArgs);
    this.extraEnv = Map.copyOf(extraEnv);
  }

  static Path jar() {
    String jar = System.getProperty("aiflow.it.jar", "target/aiflow.jar");
    return Path.of(jar).toAbsolutePath();
  }

  /**
   * Starts the server where {@code folder} is an empty folder: under bubblewrap, with a tmpfs
   * mounted over it for the server alone, as on a machine that does not have it (the remote
   * workers' workspaces). Required, never skipped: without bwrap the start fails.
   */
  AppProcess hiding(Path folder) {
    hidden.add(folder.toAbsolutePath().normalize());
    return this;
  }

  private final List<Path> hidden = new ArrayList<>();

  AppProcess start() throws Exception {
    List<String> cmd = new ArrayList<>();
    if (!hidden.isEmpty()) {
      // the whole file system as it is, but for the hidden folders; killing bwrap kills the server
      cmd.addAll(List.of("bwrap", "--dev-bind", "/", "/", "--die-with-parent"));
      for (Path h : hidden) {
        cmd.addAll(List.of("--tmpfs", h.toString()));
      }
      cmd.add("--");
    }
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("-Xmx512m");
    cmd.add("-jar");
    cmd.add(jar().toString());
    cmd.add("serve");
    cmd.add("--server.port=" + port);
    cmd.add("--aiflow.data-dir=" + dataDir);
    cmd.addAll(extraArgs);
    ProcessBuilder builder =
        new ProcessBuilder(cmd)
            .redirectErrorStream(true)
            .redirectOutput(
                ProcessBuilder.Redirect.appendTo(dataDir.resolveSibling("server.log").toFile()));
    builder.environment().put("AIFLOW_ADMIN_PASSWORD", password);
    builder.environment().putAll(extraEnv);
    process = builder.start();
    long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException(
            "the server exited with " + process.exitValue() + "; see server.log");
      }
      try {
        if (get("/actuator/health", false).statusCode() == 200) {
          return this;
        }
      } catch (IOException e) {
        // not listening yet
      }
      Thread.sleep(250);
    }
    throw new IllegalStateException("the server did not become healthy");
  }

  /** SIGKILL: no shutdown hook, no graceful stop, like a crash or an OOM kill. */
  void kill() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor();
  }

  /** SIGTERM: Spring's orderly shutdown; waits for the process to exit. */
  void terminate() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(120, java.util.concurrent.TimeUnit.SECONDS)) {
      process.destroyForcibly();
      process.waitFor();
      throw new IllegalStateException("the server did not stop within 120 s of SIGTERM");
    }
  }

  HttpResponse<String> get(String path, boolean auth) throws IOException, InterruptedException {
    HttpRequest.Builder r =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).GET();
    if (auth) {
      r.header("Authorization", basic());
    }
    return http.send(r.build(), HttpResponse.BodyHandlers.ofString());
  }

  HttpResponse<String> post(String path, String json) throws IOException, InterruptedException {
    HttpRequest r =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
            .header("Authorization", basic())
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(json))
            .build();
    return http.send(r, HttpResponse.BodyHandlers.ofString());
  }

  /**
   * A GET through the webapps' own session, as Cockpit's pages call their plugins: the login form's
   * request with the XSRF token, then the path with the session cookie.
   */
  HttpResponse<String> webappGet(String app, String path) throws IOException, InterruptedException {
    java.net.CookieManager cookies = new java.net.CookieManager();
    HttpClient session =
        HttpClient.newBuilder()
            .cookieHandler(cookies)
            .connectTimeout(Duration.ofSeconds(5))
            .build();
    String base = "http://127.0.0.1:" + port;
    session.send(
        HttpRequest.newBuilder(URI.create(base + "/camunda/app/" + app + "/default/")).build(),
        HttpResponse.BodyHandlers.discarding());
    String xsrf =
        cookies.getCookieStore().getCookies().stream()
            .filter(c -> c.getName().equals("XSRF-TOKEN"))
            .map(java.net.HttpCookie::getValue)
            .findFirst()
            .orElseThrow(() -> new IllegalStateException("no XSRF-TOKEN cookie from " + app));
    HttpResponse<String> login =
        session.send(
            HttpRequest.newBuilder(
                    URI.create(base + "/camunda/api/admin/auth/user/default/login/" + app))
                .header("X-XSRF-TOKEN", xsrf)
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(
                    HttpRequest.BodyPublishers.ofString(
                        "username=admin&password="
                            + java.net.URLEncoder.encode(password, StandardCharsets.UTF_8)))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    if (login.statusCode() != 200) {
      throw new IllegalStateException("the " + app + " login answered " + login.statusCode());
    }
    return session.send(
        HttpRequest.newBuilder(URI.create(base + path)).header("X-XSRF-TOKEN", xsrf).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  String engineRest() {
    return "http://127.0.0.1:" + port + "/engine-rest";
  }

  private String basic() {
    return "Basic "
        + Base64.getEncoder()
            .encodeToString(("admin:" + password).getBytes(StandardCharsets.UTF_8));
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  static Map<String, Object> jsonVar(String json) {
    return Map.of("value", json, "type", "Json");
  }

  /**
   * The warnings and errors of this server's log (first lines of each, at most {@code max}), for a
   * failing test to print: the log itself is under the test's temporary folder, which is removed.
   */
  String problems(int max) {
    Path log = dataDir.resolveSibling("server.log");
    try (var lines = java.nio.file.Files.lines(log, StandardCharsets.UTF_8)) {
      List<String> found =
          lines
              .filter(l -> l.contains(" WARN ") || l.contains(" ERROR ") || l.contains("Exception"))
              .map(l -> l.length() > 400 ? l.substring(0, 400) + "..." : l)
              .toList();
      int from = Math.max(0, found.size() - max);
      return "server on port "
          + port
          + ": "
          + found.size()
          + " warning/error lines, the last "
          + (found.size() - from)
          + ":\n"
          + String.join("\n", found.subList(from, found.size()));
    } catch (IOException | java.io.UncheckedIOException e) {
      return "server on port " + port + ": no log (" + e.getMessage() + ")";
    }
  }

  @Override
  public void close() throws InterruptedException {
    if (process != null && process.isAlive()) {
      process.destroy();
      if (!process.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    }
    keepLog();
  }

  /** Copies the server's log to target/it-logs, where it outlives the test's temporary folder. */
  private void keepLog() {
    Path log = dataDir.resolveSibling("server.log");
    try {
      if (java.nio.file.Files.exists(log)) {
        Path dir = java.nio.file.Files.createDirectories(Path.of("target", "it-logs"));
        java.nio.file.Files.copy(
            log,
            dir.resolve("server-" + port + ".log"),
            java.nio.file.StandardCopyOption.REPLACE_EXISTING);
      }
    } catch (IOException e) {
      // a diagnostic copy only
    }
  }
}
