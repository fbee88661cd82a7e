package dev.aiflow.support;

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
import java.util.UUID;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * Boots the whole application on a random port with an in-memory H2 database and a fresh data
 * directory. No admin password is configured, so the first start generates one exactly as on a
 * user's machine; tests read it from the data directory.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
public abstract class ServerTestBase {

  protected static final Path DATA_DIR =
      Path.of("target", "test-data", "server-" + UUID.randomUUID()).toAbsolutePath();
  private static final String DB = "aiflow-" + UUID.randomUUID();

  @LocalServerPort protected int port;

  protected final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

  @DynamicPropertySource
  static void serverProperties(DynamicPropertyRegistry registry) {
    registry.add("aiflow.data-dir", DATA_DIR::toString);
    registry.add("spring.datasource.url", () -> "jdbc:h2:mem:" + DB + ";DB_CLOSE_DELAY=-1");
    registry.add("aiflow.admin.password", () -> "");
    registry.add("server.address", () -> "127.0.0.1");
  }

  protected static String adminPassword() {
    try {
      return Files.readString(DATA_DIR.resolve("admin-password"), StandardCharsets.UTF_8).trim();
    } catch (IOException e) {
      throw new IllegalStateException("the server did not store a generated password", e);
    }
  }

  protected URI uri(String path) {
    return URI.create("http://127.0.0.1:" + port + path);
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
    HttpRequest.Builder request =
        HttpRequest.newBuilder(uri(path))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(json));
    if (asAdmin) {
      request.header("Authorization", basic("admin", adminPassword()));
    }
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  protected static String basic(String user, String password) {
    return "Basic "
        + Base64.getEncoder()
            .encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
  }
}
