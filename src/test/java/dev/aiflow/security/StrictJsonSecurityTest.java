package dev.aiflow.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Finding 6: the API read JSON leniently. One strict reader now: duplicates, trailing content, a
 * second document, numbers as strings, {@code 1.5} for an integer, explicit nulls and a leading
 * byte-order mark are refused with 400 naming what is wrong; bodies and text fields are capped.
 */
class StrictJsonSecurityTest extends SecurityTestBase {

  private String queue() throws Exception {
    Path q = Files.createDirectories(dataDir().resolve("projects/strict")).resolve("q.json");
    Files.writeString(q, "{\"tasks\": []}");
    return q.toString();
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "duplicate member  | {\"projectId\": \"a\", \"projectId\": \"b\", \"queuePath\": \"Q\"} | duplicate member",
        "trailing text     | {\"projectId\": \"a\", \"queuePath\": \"Q\"} trailing              | not valid JSON",
        "second document   | {\"projectId\": \"a\", \"queuePath\": \"Q\"} {\"x\": 1}             | content after the JSON document",
        "number as string  | {\"queuePath\": \"Q\", \"options\": {\"maxCycles\": \"5\"}}        | 'options.maxCycles' has the wrong type",
        "1.5 for integer   | {\"queuePath\": \"Q\", \"options\": {\"maxCycles\": 1.5}}          | 'options.maxCycles' has the wrong type",
        "1.0 for integer   | {\"queuePath\": \"Q\", \"options\": {\"maxCycles\": 1.0}}          | 'options.maxCycles' has the wrong type",
        "boolean as string | {\"queuePath\": \"Q\", \"options\": {\"autoPlanMissing\": \"true\"}} | 'options.autoPlanMissing' has the wrong type",
        "number for string | {\"queuePath\": \"Q\", \"projectId\": 12}                          | 'projectId' has the wrong type",
        "explicit null     | {\"queuePath\": \"Q\", \"options\": {\"maxCycles\": null}}         | 'options.maxCycles' is null",
        "null project      | {\"queuePath\": \"Q\", \"projectId\": null}                        | 'projectId' is null",
        "unknown member    | {\"queuePath\": \"Q\", \"options\": {\"maxCycle\": 3}}             | unknown member 'options.maxCycle'",
        "not json          | queuePath=Q                                                        | not valid JSON",
        "empty             | ' '                                                                | is empty"
      })
  void lenientBodiesAreRefused(String name, String body, String why) throws Exception {
    HttpResponse<String> r =
        postJson("/api/campaigns", body.replace("\"Q\"", "\"" + queue() + "\""), true);
    assertThat(r.statusCode()).as(name + ": " + r.body()).isEqualTo(400);
    assertThat(json(r).path("detail").asText()).as(name).contains(why);
    assertThat(r.headers().firstValue("Content-Type"))
        .hasValueSatisfying(t -> assertThat(t).startsWith("application/problem+json"));
  }

  @Test
  void aByteOrderMarkIsRefused() throws Exception {
    HttpResponse<String> r =
        postJson("/api/campaigns", "\uFEFF{\"queuePath\": \"" + queue() + "\"}", true);
    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(json(r).path("detail").asText()).contains("byte-order mark");
  }

  @Test
  void bodiesAreCappedDeclaredOrChunked() throws Exception {
    String huge = "{\"queuePath\": \"" + "x".repeat(2 * 1024 * 1024) + "\"}";
    HttpResponse<String> declared = postJson("/api/campaigns", huge, true);
    assertThat(declared.statusCode()).isEqualTo(413);
    assertThat(declared.body()).contains("max-body-bytes");
    // without a Content-Length the limit holds while the body is read
    HttpResponse<String> chunked =
        http.send(
            HttpRequest.newBuilder(uri("/api/campaigns"))
                .header("Content-Type", "application/json")
                .header("Authorization", basic("admin", adminPassword()))
                .POST(
                    HttpRequest.BodyPublishers.ofInputStream(
                        () -> new ByteArrayInputStream(huge.getBytes(StandardCharsets.UTF_8))))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(chunked.statusCode()).as(chunked.body()).isEqualTo(413);
  }

  @Test
  void textFieldsAreCapped() throws Exception {
    HttpResponse<String> r =
        postJson(
            "/api/projects/strict/requirements",
            "{\"dialogue\": \"" + "word ".repeat(60_000) + "\"}",
            true);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(400);
    assertThat(json(r).path("field").asText()).isEqualTo("dialogue");
    assertThat(json(r).path("detail").asText()).contains("longer than");
  }

  @Test
  void aQueryParameterOfTheWrongTypeIsABadRequest() throws Exception {
    HttpResponse<String> r = getAsAdmin("/api/campaigns?limit=abc");
    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(json(r).path("field").asText()).isEqualTo("limit");
  }
}
