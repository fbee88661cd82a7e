package dev.aiflow.transparency;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.aiflow.files.Digests;
import dev.aiflow.logger.CanonicalJson;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What someone with write access to a project's files can do to its chain without a trace in a bare
 * chain verification: rewrite events and recompute every hash and link after them, append forged
 * events with valid hashes, cut the tail. Works on a project folder (or an extracted archive).
 */
public final class ChainForger {

  static final String GENESIS = "0".repeat(64);

  private final Path dir;
  private final List<ObjectNode> events = new ArrayList<>();

  public ChainForger(Path projectDir) throws IOException {
    this.dir = projectDir;
    for (String line : Files.readAllLines(dir.resolve("events.jsonl"), StandardCharsets.UTF_8)) {
      events.add((ObjectNode) new com.fasterxml.jackson.databind.ObjectMapper().readTree(line));
    }
  }

  public List<ObjectNode> events() {
    return events;
  }

  /** The first attempt that failed becomes a PASS; every hash after it is recomputed. */
  public ChainForger failToPass() {
    for (ObjectNode e : events) {
      if ("attempt".equals(e.path("event_type").asText())
          && "FAIL".equals(e.path("result").asText())) {
        e.put("result", "PASS");
        e.put("reason_code", "PASS_ALL_CRITERIA");
        return this;
      }
    }
    throw new IllegalStateException("no failed attempt to rewrite");
  }

  /** A PASS appended to the last task that is still open, with the next S and valid hashes. */
  public ChainForger forgedPass() {
    Map<String, ObjectNode> lastOfTask = new HashMap<>();
    for (ObjectNode e : events) {
      if (e.has("task_id")) {
        lastOfTask.put(e.get("task_id").asText(), e);
      }
    }
    ObjectNode open = null;
    for (ObjectNode e : lastOfTask.values()) {
      if ("attempt".equals(e.path("event_type").asText())) {
        open = e;
      }
    }
    if (open == null) {
      throw new IllegalStateException("no open task to forge a PASS for");
    }
    ObjectNode forged = open.deepCopy();
    ObjectNode last = events.get(events.size() - 1);
    forged.put("seq", last.get("seq").asLong() + 1);
    forged.put("task_seq", open.get("task_seq").asLong() + 1);
    forged.put("s", open.get("s").asInt() + 1);
    forged.put("result", "PASS");
    forged.put("reason_code", "PASS_ALL_CRITERIA");
    forged.put("recorded_at", last.get("recorded_at").asText());
    forged.remove("idempotency_key");
    events.add(forged);
    return this;
  }

  /** The last {@code n} events are gone. */
  public ChainForger cutTail(int n) {
    for (int i = 0; i < n; i++) {
      events.remove(events.size() - 1);
    }
    return this;
  }

  /** Recomputes every link and hash and writes the project chain and every task chain. */
  public void write() throws IOException {
    String projectPrev = GENESIS;
    Map<String, String> taskPrev = new HashMap<>();
    Map<String, StringBuilder> taskFiles = new HashMap<>();
    StringBuilder project = new StringBuilder();
    for (ObjectNode e : events) {
      String task = e.has("task_id") ? e.get("task_id").asText() : null;
      e.put("project_prev_event_hash", projectPrev);
      e.put("prev_event_hash", task == null ? projectPrev : taskPrev.getOrDefault(task, GENESIS));
      e.remove("event_hash");
      String hash = Digests.sha256(CanonicalJson.toCanonicalBytes(e));
      e.put("event_hash", hash);
      String line = CanonicalJson.toCanonicalString(e) + "\n";
      project.append(line);
      if (task != null) {
        taskPrev.put(task, hash);
        taskFiles.computeIfAbsent(task, t -> new StringBuilder()).append(line);
      }
      projectPrev = hash;
    }
    Files.writeString(dir.resolve("events.jsonl"), project, StandardCharsets.UTF_8);
    try (var tasks = Files.list(dir.resolve("tasks"))) {
      for (Path t : (Iterable<Path>) tasks::iterator) {
        String id = t.getFileName().toString();
        if (!taskFiles.containsKey(id)) {
          // a task whose every event is gone goes with them, folder and all
          try (var files = Files.walk(t)) {
            for (Path p :
                (Iterable<Path>) files.sorted(java.util.Comparator.reverseOrder())::iterator) {
              Files.delete(p);
            }
          }
          continue;
        }
        Files.writeString(t.resolve("events.jsonl"), taskFiles.get(id), StandardCharsets.UTF_8);
      }
    }
  }

  /** The head after {@link #write}. */
  public String head() {
    JsonNode last = events.get(events.size() - 1);
    return last.get("event_hash").asText();
  }
}
