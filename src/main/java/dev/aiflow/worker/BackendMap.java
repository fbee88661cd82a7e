package dev.aiflow.worker;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * Which backend runs which task: a JSON object {@code {"task_key": "backend"}} (the seed's {@code
 * worker_backend_map.json}). Precedence when dispatching: an explicit per-dispatch override, then
 * this map, then the pack's own {@code worker.backend}.
 */
public final class BackendMap {

  private static final Pattern BACKEND = Pattern.compile("^[a-z0-9][a-z0-9._-]{0,63}$");

  private final Map<String, String> byTask;

  public BackendMap(Map<String, String> byTask) {
    for (Map.Entry<String, String> e : byTask.entrySet()) {
      if (e.getValue() == null || !BACKEND.matcher(e.getValue()).matches()) {
        throw new IllegalArgumentException(
            "backend '" + e.getValue() + "' for task '" + e.getKey() + "' is not a backend name");
      }
    }
    this.byTask = Map.copyOf(byTask);
  }

  public static BackendMap empty() {
    return new BackendMap(Map.of());
  }

  public static BackendMap parse(String json) {
    JsonNode root;
    try {
      root = dev.aiflow.json.StrictJson.readTree(json);
    } catch (dev.aiflow.json.JsonInputException e) {
      throw new IllegalArgumentException("the backend map " + e.getMessage());
    }
    if (root == null || !root.isObject()) {
      throw new IllegalArgumentException(
          "the backend map must be an object {\"task\": \"backend\"}");
    }
    Map<String, String> map = new LinkedHashMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      if (!e.getValue().isTextual()) {
        throw new IllegalArgumentException("the backend of '" + e.getKey() + "' must be text");
      }
      map.put(e.getKey(), e.getValue().textValue());
    }
    return new BackendMap(map);
  }

  public Optional<String> backendFor(String taskKey) {
    return Optional.ofNullable(byTask.get(taskKey));
  }

  /** The backend a dispatch uses. */
  public String resolve(String override, String taskKey, String packBackend) {
    if (override != null && !override.isBlank()) {
      return override;
    }
    return backendFor(taskKey).orElse(packBackend);
  }

  public java.util.Set<String> backends() {
    return new TreeSet<>(byTask.values());
  }

  public Map<String, String> asMap() {
    return byTask;
  }
}
