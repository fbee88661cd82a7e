package dev.aiflow.campaign;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.aiflow.protocol.Protocol;
import dev.aiflow.protocol.ProtocolException;
import dev.aiflow.protocol.StepPack;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Task key to StepPack (the seed's {@code step_pack_map.json}). In a file, a value is the path of a
 * pack file (relative to the map) or the pack itself; inline (REST), a value is the pack. Every
 * pack is validated against the schema when the map is loaded, and its {@code task_id} must be the
 * key, so a campaign never starts with a pack it would reject later.
 */
public final class StepPackMap {

  private static final ObjectMapper JSON = new ObjectMapper();

  private final Map<String, String> packs;

  private StepPackMap(Map<String, String> packs) {
    this.packs = Collections.unmodifiableMap(new LinkedHashMap<>(packs));
  }

  public static StepPackMap empty() {
    return new StepPackMap(Map.of());
  }

  /** Reads a map file; pack paths in it are relative to the file's folder. */
  public static StepPackMap load(Path file, String field) {
    String text = read(file, field);
    try {
      return fromTree(JSON.readTree(text), file.toAbsolutePath().getParent(), field);
    } catch (JsonProcessingException e) {
      throw new CampaignInputException(field, file + " is not JSON: " + e.getOriginalMessage());
    }
  }

  /**
   * @param baseDir where relative pack paths are resolved; null when only inline packs are allowed
   */
  public static StepPackMap fromTree(JsonNode root, Path baseDir, String field) {
    if (root == null || root.isNull()) {
      return empty();
    }
    if (!root.isObject()) {
      throw new CampaignInputException(field, "a step-pack map is an object {\"task key\": pack}");
    }
    Map<String, String> packs = new LinkedHashMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      String at = field + "." + e.getKey();
      JsonNode v = e.getValue();
      String json;
      if (v.isTextual()) {
        if (baseDir == null) {
          throw new CampaignInputException(
              at, "an inline map holds packs, not paths; give the map by path to use pack files");
        }
        json = read(baseDir.resolve(v.asText()), at);
      } else if (v.isObject()) {
        json = v.toString();
      } else {
        throw new CampaignInputException(at, "must be a StepPack object or the path of one");
      }
      StepPack pack;
      try {
        pack = Protocol.parseStepPack(json);
      } catch (ProtocolException ex) {
        throw new CampaignInputException(at, "the StepPack is invalid: " + ex.getMessage());
      }
      if (!pack.taskId().equals(e.getKey())) {
        throw new CampaignInputException(
            at, "the pack's task_id is '" + pack.taskId() + "', not the key '" + e.getKey() + "'");
      }
      packs.put(e.getKey(), Protocol.toJson(pack));
    }
    return new StepPackMap(packs);
  }

  /** From the JSON text of {@link #toJson()} (a process variable). */
  public static StepPackMap fromJson(String json, String field) {
    if (json == null || json.isBlank()) {
      return empty();
    }
    try {
      return fromTree(JSON.readTree(json), null, field);
    } catch (JsonProcessingException e) {
      throw new CampaignInputException(field, "not JSON: " + e.getOriginalMessage());
    }
  }

  public Optional<String> packJson(String taskKey) {
    return Optional.ofNullable(packs.get(taskKey));
  }

  public Map<String, String> asMap() {
    return packs;
  }

  public int size() {
    return packs.size();
  }

  /** The map as one JSON object of inline packs. */
  public String toJson() {
    StringBuilder sb = new StringBuilder("{");
    boolean first = true;
    for (Map.Entry<String, String> e : packs.entrySet()) {
      if (!first) {
        sb.append(',');
      }
      first = false;
      try {
        sb.append(JSON.writeValueAsString(e.getKey())).append(':').append(e.getValue());
      } catch (JsonProcessingException ex) {
        throw new IllegalStateException(ex);
      }
    }
    return sb.append('}').toString();
  }

  static String read(Path file, String field) {
    try {
      return Files.readString(file, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      throw new CampaignInputException(field, "no such file: " + file);
    } catch (IOException e) {
      throw new CampaignInputException(field, "cannot read " + file + ": " + e.getMessage());
    }
  }
}
