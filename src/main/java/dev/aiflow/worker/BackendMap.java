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
 * worker_backend_map.json}), and the one routing rule every path uses ({@link #route}, documented
 * in docs/backends.md "Routing"): an explicit override for one dispatch, then this map's entry for
 * the task, then the campaign's backend for the tasks the map does not name, then the pack's own
 * {@code worker.backend}.
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

  /**
   * The backend that runs a task, in the one precedence (first that is set wins):
   *
   * <ol>
   *   <li>{@code override}: an explicit choice for this dispatch ({@code --worker-backend} of
   *       {@code dispatch-step}, {@code dispatch-rework} and {@code run-cycle}; the step cycle's
   *       {@code workerBackend} variable, which is how a campaign hands its choice to the cycle);
   *   <li>this map's entry for {@code taskKey} ({@code workerBackendMap}, {@code
   *       --worker-backend-map-file});
   *   <li>{@code campaignBackend}: the campaign's backend for the tasks the map does not name
   *       ({@code options.workerBackend}, {@code run-campaign --default-worker-backend});
   *   <li>{@code packBackend}: the pack's own {@code worker.backend}.
   * </ol>
   *
   * @return the backend, or null when none of them names one
   */
  public String route(String override, String taskKey, String campaignBackend, String packBackend) {
    if (isSet(override)) {
      return override;
    }
    Optional<String> mapped = taskKey == null ? Optional.empty() : backendFor(taskKey);
    if (mapped.isPresent()) {
      return mapped.get();
    }
    return isSet(campaignBackend) ? campaignBackend : packBackend;
  }

  /** {@link #route} without a map or a campaign: the override, else the pack's backend. */
  public static String route(String override, String packBackend) {
    return isSet(override) ? override : packBackend;
  }

  private static boolean isSet(String backend) {
    return backend != null && !backend.isBlank();
  }

  public java.util.Set<String> backends() {
    return new TreeSet<>(byTask.values());
  }

  public Map<String, String> asMap() {
    return byTask;
  }
}
