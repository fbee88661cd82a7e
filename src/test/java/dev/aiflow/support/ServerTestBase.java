package dev.aiflow.support;

import dev.aiflow.config.AiflowProperties;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.annotation.DirtiesContext;

/**
 * Boots the whole application on a random port with an in-memory H2 database and a fresh data
 * directory of its own. No admin password is configured, so the first start generates one exactly
 * as on a user's machine; tests read it from the data directory. A subclass that needs other
 * settings redeclares {@code @SpringBootTest} with these constants and its own. Each web context is
 * closed after its class: its engine is the one registered as "default" for the REST API.
 */
@SpringBootTest(
    webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = {
      ServerTestBase.OWN_DATABASE,
      ServerTestBase.OWN_DATA_DIR,
      ServerTestBase.NO_ADMIN_PASSWORD,
      ServerTestBase.NO_DEMO,
      EngineTestBase.MOCK_SHIM,
      EngineTestBase.FAST_WORKER
    })
@DirtiesContext(classMode = DirtiesContext.ClassMode.AFTER_CLASS)
public abstract class ServerTestBase {

  public static final String OWN_DATABASE =
      "spring.datasource.url=jdbc:h2:mem:server-${random.uuid};DB_CLOSE_DELAY=-1";
  public static final String OWN_DATA_DIR =
      "aiflow.data-dir=target/test-data/server-${random.uuid}";
  public static final String NO_ADMIN_PASSWORD = "aiflow.admin.password=";

  /** The demo campaign on first start is tested on its own (DemoOnStartIT). */
  public static final String NO_DEMO = "aiflow.demo.on-start=false";

  @LocalServerPort protected int port;
  @Autowired protected AiflowProperties properties;

  protected final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

  protected Path dataDir() {
    return properties.dataDir().toAbsolutePath();
  }

  protected String adminPassword() {
    try {
      return Files.readString(dataDir().resolve("admin-password"), StandardCharsets.UTF_8).trim();
    } catch (IOException e) {
      throw new IllegalStateException("the server did not store a generated password", e);
    }
  }

  protected String baseUrl() {
    return "http://127.0.0.1:" + port;
  }

  protected URI uri(String path) {
    return URI.create(baseUrl() + path);
  }

  protected HttpResponse<String> get(String path, String user, String password)
      throws IOException, InterruptedException {
    HttpRequest.Builder request = HttpRequest.newBuilder(uri(path)).GET();
    if (user != null) {
      request.header("Authorization", basic(user, password));
    }
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  protected HttpResponse<String> getAsAdmin(String path) throws IOException, InterruptedException {
    return get(path, "admin", adminPassword());
  }

  protected HttpResponse<String> postJson(String path, String json, boolean asAdmin)
      throws IOException, InterruptedException {
    return send("POST", path, json, asAdmin ? "admin" : null, asAdmin ? adminPassword() : null);
  }

  /** A JSON request as {@code user} (no credentials when null). */
  protected HttpResponse<String> send(
      String method, String path, String json, String user, String password)
      throws IOException, InterruptedException {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(uri(path))
            .header("Content-Type", "application/json")
            .method(
                method,
                json == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(json));
    if (user != null) {
      request.header("Authorization", basic(user, password));
    }
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  protected static String basic(String user, String password) {
    return "Basic "
        + Base64.getEncoder()
            .encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
  }
}
