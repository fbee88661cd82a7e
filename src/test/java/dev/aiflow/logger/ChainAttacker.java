package dev.aiflow.logger;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What someone with write access to a project's files does, for tamper tests in any package: read
 * the events, change or drop some, then renumber, relink and rehash every event, write the project
 * chain, every task chain and the manifest to match, so that a bare {@code verify} is clean again.
 */
public final class ChainAttacker {

  private ChainAttacker() {}

  /** The project chain's events, as editable trees. */
  public static List<ObjectNode> events(Path projectDir) throws IOException {
    List<ObjectNode> events = new ArrayList<>();
    for (String line :
        Files.readAllLines(projectDir.resolve("events.jsonl"), StandardCharsets.UTF_8)) {
      events.add((ObjectNode) CanonicalJson.STRICT_MAPPER.readTree(line));
    }
    return events;
  }

  /** Writes {@code events} back as a consistent chain, every hash and link recomputed. */
  public static void rewrite(Path dir, List<ObjectNode> events) throws IOException {
    MessageDigest digest = DurableFiles.sha256();
    String prev = EventFields.GENESIS;
    Map<String, String> taskHeads = new HashMap<>();
    Map<String, Integer> taskSeqs = new HashMap<>();
    StringBuilder project = new StringBuilder();
    Map<String, StringBuilder> tasks = new LinkedHashMap<>();
    ArrayNode lineage = CanonicalJson.STRICT_MAPPER.createArrayNode();
    for (int i = 0; i < events.size(); i++) {
      ObjectNode e = events.get(i);
      e.remove("event_hash");
      e.put("seq", i + 1);
      e.put("project_prev_event_hash", prev);
      String task = e.path("task_id").asText(null);
      if (task != null) {
        e.put("task_seq", taskSeqs.merge(task, 1, Integer::sum));
        e.put("prev_event_hash", taskHeads.getOrDefault(task, EventFields.GENESIS));
      } else {
        e.put("prev_event_hash", prev);
      }
      if (e.get("event_type").asText().equals("project_migrated")) {
        e.put("source_head", prev);
        lineage
            .addObject()
            .put("project_id", e.get("from_project_id").asText())
            .put("head", prev)
            .put("migrated_at", e.get("recorded_at").asText());
      }
      EventEncoder.Encoded encoded = EventEncoder.encode(e, digest);
      String line = new String(encoded.text(), StandardCharsets.UTF_8) + "\n";
      project.append(line);
      if (task != null) {
        tasks.computeIfAbsent(task, t -> new StringBuilder()).append(line);
        taskHeads.put(task, encoded.hash());
      }
      prev = encoded.hash();
    }
    Files.writeString(dir.resolve("events.jsonl"), project, StandardCharsets.UTF_8);
    for (Map.Entry<String, StringBuilder> t : tasks.entrySet()) {
      Files.writeString(
          dir.resolve("tasks").resolve(t.getKey()).resolve("events.jsonl"),
          t.getValue(),
          StandardCharsets.UTF_8);
    }
    Path manifestFile = dir.resolve("manifest/project_manifest.json");
    ObjectNode manifest = (ObjectNode) CanonicalJson.STRICT_MAPPER.readTree(manifestFile.toFile());
    JsonNode first = events.get(0);
    manifest.put("created_at", first.get("recorded_at").asText());
    manifest.set("lineage", lineage);
    Files.write(
        manifestFile,
        CanonicalJson.STRICT_MAPPER.writerWithDefaultPrettyPrinter().writeValueAsBytes(manifest));
  }
}
