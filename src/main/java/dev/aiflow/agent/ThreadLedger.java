package dev.aiflow.agent;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.aiflow.files.AtomicFile;
import dev.aiflow.files.Digests;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The token totals a thread had reached when its last run ended, for CLIs that report a thread's
 * usage since it began (Codex): a resumed run's own usage is the new total minus this baseline.
 * Kept in the workspace under {@code .artifacts/.aiflow-shim/threads/}, next to the evidence.
 */
final class ThreadLedger {

  static final String DIR = ".artifacts/.aiflow-shim/threads";

  private final Path dir;

  ThreadLedger(Path workspace) {
    this.dir = workspace.resolve(DIR);
  }

  /**
   * Input, output, cache read, cache write and reasoning tokens, or zeros for an unknown thread.
   */
  long[] baseline(String threadId) {
    Path f = file(threadId);
    if (threadId == null || !Files.isRegularFile(f)) {
      return new long[5];
    }
    try {
      JsonNode n = Json.MAPPER.readTree(Files.readString(f, StandardCharsets.UTF_8));
      return new long[] {
        n.path("input").asLong(),
        n.path("output").asLong(),
        n.path("cache_read").asLong(),
        n.path("cache_write").asLong(),
        n.path("reasoning").asLong()
      };
    } catch (IOException e) {
      return new long[5]; // an unreadable baseline counts the whole total: never too little
    }
  }

  void store(String threadId, long[] totals) {
    if (threadId == null) {
      return;
    }
    ObjectNode n = Json.MAPPER.createObjectNode();
    n.put("input", totals[0]);
    n.put("output", totals[1]);
    n.put("cache_read", totals[2]);
    n.put("cache_write", totals[3]);
    n.put("reasoning", totals[4]);
    try {
      Files.createDirectories(dir);
      AtomicFile.replace(file(threadId), n.toString().getBytes(StandardCharsets.UTF_8));
    } catch (IOException | RuntimeException e) {
      // without a baseline the next resume counts the thread's whole total: never too little
    }
  }

  private Path file(String threadId) {
    String safe =
        threadId != null && threadId.matches("[A-Za-z0-9._-]{1,100}") && !threadId.contains("..")
            ? threadId
            : Digests.sha256(String.valueOf(threadId));
    return dir.resolve(safe + ".json");
  }
}
