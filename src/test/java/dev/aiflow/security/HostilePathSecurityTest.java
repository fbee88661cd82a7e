package dev.aiflow.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.aiflow.cli.Cli;
import java.io.PrintWriter;
import java.io.RandomAccessFile;
import java.io.StringWriter;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * Finding 4 (and 8): links, devices, FIFOs, folders and huge files as paths. Real paths are
 * resolved before the root check, only regular files of a bounded size are read, and every refusal
 * is a quick 400 naming the field: never a 500, an OutOfMemoryError or a hung request thread.
 */
class HostilePathSecurityTest extends SecurityTestBase {

  Path dir;

  @BeforeEach
  void folder() throws Exception {
    dir = Files.createDirectories(dataDir().resolve("projects/hostile/" + System.nanoTime()));
  }

  private HttpResponse<String> start(String field, String value) throws Exception {
    ObjectNode body = JSON.createObjectNode().put("projectId", "hostile");
    Path queue = dir.resolve("q.json");
    if (!Files.exists(queue)) {
      Files.writeString(queue, "{\"tasks\": []}");
    }
    body.put("queuePath", queue.toString());
    if (field.startsWith("options.")) {
      body.putObject("options").put(field.substring(8), value);
    } else {
      body.put(field, value);
    }
    // a hang is the failure this guards against: the answer must come quickly
    return CompletableFuture.supplyAsync(
            () -> {
              try {
                return postJson("/api/campaigns", body.toString(), true);
              } catch (Exception e) {
                throw new IllegalStateException(e);
              }
            })
        .get(15, TimeUnit.SECONDS);
  }

  private void refused(String field, String value, String why) throws Exception {
    HttpResponse<String> r = start(field, value);
    assertThat(r.statusCode()).as(field + "=" + value + ": " + r.body()).isEqualTo(400);
    assertThat(json(r).path("field").asText()).isEqualTo(field);
    assertThat(json(r).path("detail").asText()).contains(why);
  }

  @Test
  void devicesPipesAndFoldersAreNotFiles() throws Exception {
    Path zero = dir.resolve("zero.json");
    Files.createSymbolicLink(zero, Path.of("/dev/zero"));
    Path fifo = dir.resolve("pipe.json");
    assertThat(new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor()).isZero();
    Path folder = Files.createDirectories(dir.resolve("folder.json"));
    for (String field : new String[] {"queuePath", "stepPackMapPath"}) {
      refused(field, zero.toString(), "outside the folders"); // /dev is no allowed root
      refused(field, fifo.toString(), "not a regular file");
      refused(field, folder.toString(), "is a folder");
    }
    refused("workspace", fifo.toString(), "not a folder");
    refused("progressDir", fifo.toString(), "not a folder");
    // the server still answers
    assertThat(getAsAdmin("/api/campaigns").statusCode()).isEqualTo(200);
  }

  @Test
  void linksAreFollowedBeforeTheRootCheck() throws Exception {
    Path etc = dir.resolve("etc-link");
    Files.createSymbolicLink(etc, Path.of("/etc"));
    refused("queuePath", etc.resolve("passwd").toString(), "outside the folders");
    refused("workspace", etc.toString(), "outside the folders");
    Path root = dir.resolve("root-link");
    Files.createSymbolicLink(root, Path.of("/"));
    refused("workspace", root.toString(), "keeps private"); // "/" holds the data directory
    Path dangling = dir.resolve("dangling.json");
    Files.createSymbolicLink(dangling, dir.resolve("nothing-here"));
    refused("queuePath", dangling.toString(), "not a usable path");
  }

  @Test
  void foldersHoldingTheServersSecretsAreNoWorkspace() throws Exception {
    refused("workspace", dataDir().toString(), "keeps private");
    refused("progressDir", dataDir().resolve("workflow").toString(), "keeps private");
    refused("progressDir", dataDir().resolve("h2").toString(), "keeps private");
  }

  @Test
  void hugeFilesAreRefusedBeforeTheyAreRead() throws Exception {
    Path huge = dir.resolve("huge.json");
    try (RandomAccessFile f = new RandomAccessFile(huge.toFile(), "rw")) {
      f.setLength(64L * 1024 * 1024); // sparse: no disk used, but 64 MiB to read
    }
    refused("queuePath", huge.toString(), "larger than");
    refused("stepPackMapPath", huge.toString(), "larger than");
  }

  @Test
  void pathsThePlatformCannotHoldAreBadRequests() throws Exception {
    refused("queuePath", "a".repeat(5000), "longer than 4096");
    refused("queuePath", dir.resolve("x".repeat(300) + ".json").toString(), "does not exist");
    refused("workspace", "bad\u0000path", "not a usable path");
  }

  @Test
  void theCommandLineRefusesAPipeAtOnceToo() throws Exception {
    Path fifo = dir.resolve("cli-pipe.json");
    assertThat(new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor()).isZero();
    StringWriter err = new StringWriter();
    CommandLine cli = Cli.commandLine();
    cli.setErr(new PrintWriter(err));
    cli.setOut(new PrintWriter(new StringWriter()));
    assertThatCode(
            () -> {
              int code =
                  CompletableFuture.supplyAsync(
                          () ->
                              cli.execute(
                                  "prepare-next",
                                  "--run-id",
                                  "R1",
                                  "--queue-path",
                                  fifo.toString(),
                                  "--progress-dir",
                                  dir.toString()))
                      .get(Duration.ofSeconds(15).toSeconds(), TimeUnit.SECONDS);
              assertThat(code).isEqualTo(2);
            })
        .doesNotThrowAnyException();
    assertThat(err.toString()).contains("not a regular file");
  }
}
