package dev.aiflow.campaign;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.aiflow.files.PathPolicy;
import dev.aiflow.files.PathRefusedException;
import dev.aiflow.ids.Ids;
import dev.aiflow.json.JsonInputException;
import dev.aiflow.json.StrictJson;
import dev.aiflow.protocol.Protocol;
import dev.aiflow.protocol.ProtocolException;
import dev.aiflow.protocol.StepPack;
import java.nio.charset.StandardCharsets;
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

  /** The largest map or pack file read: 8 MiB. */
  public static final long MAX_FILE_BYTES = PathPolicy.DEFAULT_MAX_DOCUMENT_BYTES;

  /**
   * Reads a map file; pack paths in it are relative to the file's folder and go through the same
   * {@code policy} as the map. The file may be anything its caller named, so nothing taken from it
   * (keys, values, member names) appears in an error: members are named by their position.
   */
  public static StepPackMap load(Path file, String field, PathPolicy policy) {
    return load(file, field, policy, false);
  }

  /**
   * @param quoteContent whether errors may quote the map's keys and values: the command line, whose
   *     user reads their own files; never the server
   */
  public static StepPackMap load(Path file, String field, PathPolicy policy, boolean quoteContent) {
    byte[] bytes;
    Path real;
    try {
      real = policy.existingFile(field, file.toString(), MAX_FILE_BYTES);
      bytes = PathPolicy.readBounded(field, file.toString(), real, MAX_FILE_BYTES);
    } catch (PathRefusedException e) {
      throw new CampaignInputException(e.field(), e.getMessage());
    }
    JsonNode root;
    try {
      root = StrictJson.readTree(bytes);
    } catch (JsonInputException e) {
      throw new CampaignInputException(field, "'" + file + "' " + e.getMessage());
    }
    return fromTree(root, real.getParent(), field, policy, quoteContent ? null : file.toString());
  }

  /**
   * @param baseDir where relative pack paths are resolved; null when only inline packs are allowed
   */
  public static StepPackMap fromTree(JsonNode root, Path baseDir, String field) {
    return fromTree(root, baseDir, field, null, null);
  }

  /**
   * @param policy where pack files may be read from (null: inline packs only)
   * @param file the map file as its caller named it, or null for an inline map: then keys and
   *     problems are quoted; for a file only positions and codes are
   */
  private static StepPackMap fromTree(
      JsonNode root, Path baseDir, String field, PathPolicy policy, String file) {
    if (root == null) {
      return empty();
    }
    boolean quote = file == null;
    if (!root.isObject()) {
      throw new CampaignInputException(
          field,
          (quote ? "" : "'" + file + "': ") + "a step-pack map is an object {\"task key\": pack}");
    }
    Map<String, String> packs = new LinkedHashMap<>();
    int position = 0;
    for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      position++;
      String at = quote ? field + "." + e.getKey() : field;
      String where = quote ? "" : "'" + file + "' member " + position + ": ";
      if (!Ids.isValid(e.getKey())) {
        throw new CampaignInputException(
            at, where + "the key is not a valid task key: " + Ids.RULE);
      }
      JsonNode v = e.getValue();
      String json;
      if (v.isTextual()) {
        if (baseDir == null || policy == null) {
          // an inline map (a request body, a variable) never makes the server read a file
          throw new CampaignInputException(
              at, "an inline map holds packs, not paths; give the map by path to use pack files");
        }
        try {
          Path real =
              policy.existingFile(at, baseDir.resolve(v.asText()).toString(), MAX_FILE_BYTES);
          json =
              new String(
                  PathPolicy.readBounded(at, real.toString(), real, MAX_FILE_BYTES),
                  StandardCharsets.UTF_8);
        } catch (PathRefusedException ex) {
          throw new CampaignInputException(
              at, where + (quote ? ex.getMessage() : "its pack file cannot be used"));
        } catch (java.nio.file.InvalidPathException ex) {
          throw new CampaignInputException(at, where + "its pack file cannot be used");
        }
      } else if (v.isObject()) {
        json = v.toString();
      } else {
        throw new CampaignInputException(
            at, where + "must be a StepPack object or the path of one");
      }
      StepPack pack;
      try {
        pack = Protocol.parseStepPack(json);
      } catch (ProtocolException ex) {
        throw new CampaignInputException(
            at,
            where
                + "the StepPack is invalid: "
                + (quote ? ex.getMessage() : Protocol.describeWithoutContent(ex)));
      }
      if (!pack.taskId().equals(e.getKey())) {
        throw new CampaignInputException(
            at,
            quote
                ? "the pack's task_id is '" + pack.taskId() + "', not the key '" + e.getKey() + "'"
                : where + "the pack's task_id is not the member's key");
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
      return fromTree(StrictJson.readTree(json), null, field);
    } catch (JsonInputException e) {
      throw new CampaignInputException(field, "the map " + e.getMessage());
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
}
