package dev.aiflow.negotiation;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.aiflow.files.AtomicFile;
import dev.aiflow.files.PathPolicy;
import dev.aiflow.files.PathRefusedException;
import dev.aiflow.ids.Ids;
import dev.aiflow.json.JsonInputException;
import dev.aiflow.json.StrictJson;
import dev.aiflow.negotiation.Requirements.Criterion;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The frozen plan ({@code plan_snapshot.json}: tasks and their acceptance) and boundary ({@code
 * boundary_snapshot.json}: the paths the brief and each task may touch), both stamped with the
 * SHA-256 of the requirements they came from. Format: docs/requirements.md.
 */
public final class Snapshots {

  public static final String PLAN_FILE = "plan_snapshot.json";
  public static final String BOUNDARY_FILE = "boundary_snapshot.json";
  public static final String PLAN_SCHEMA = "aiflow.plan_snapshot.v1";
  public static final String BOUNDARY_SCHEMA = "aiflow.boundary_snapshot.v1";

  private static final ObjectMapper JSON =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  /** The frozen tasks; {@code tasks} keeps the brief's order. */
  public record Plan(String requirementsSha256, String title, Map<String, PlanTask> tasks) {
    public Plan {
      tasks = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(tasks));
    }
  }

  public record PlanTask(String key, String title, int priority, List<Criterion> acceptance) {
    public PlanTask {
      acceptance = List.copyOf(acceptance);
    }
  }

  /** The frozen paths: {@code allowedPaths} for the brief, {@code tasks} per task key. */
  public record Boundary(
      String requirementsSha256,
      List<String> allowedPaths,
      List<String> outOfScope,
      Map<String, List<String>> tasks) {
    public Boundary {
      allowedPaths = List.copyOf(allowedPaths);
      outOfScope = List.copyOf(outOfScope);
      tasks = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(tasks));
    }
  }

  /** What {@link #write} wrote. */
  public record Written(Path plan, Path boundary, Plan planSnapshot, Boundary boundarySnapshot) {}

  public static Plan plan(Requirements r, String sha256) {
    Map<String, PlanTask> tasks = new LinkedHashMap<>();
    r.tasks()
        .forEach(
            t ->
                tasks.put(t.key(), new PlanTask(t.key(), t.title(), t.priority(), t.acceptance())));
    return new Plan(sha256, r.title(), tasks);
  }

  public static Boundary boundary(Requirements r, String sha256) {
    Map<String, List<String>> tasks = new LinkedHashMap<>();
    r.tasks().forEach(t -> tasks.put(t.key(), t.allowedPaths()));
    return new Boundary(sha256, r.boundary(), r.outOfScope(), tasks);
  }

  /** Writes both snapshots into {@code progressDir}, each atomically. */
  public static Written write(Requirements r, String sha256, Path progressDir) {
    Plan plan = plan(r, sha256);
    Boundary boundary = boundary(r, sha256);
    Path planFile = progressDir.resolve(PLAN_FILE);
    Path boundaryFile = progressDir.resolve(BOUNDARY_FILE);
    AtomicFile.write(planFile, bytes(toJson(plan)));
    AtomicFile.write(boundaryFile, bytes(toJson(boundary)));
    return new Written(planFile, boundaryFile, plan, boundary);
  }

  static ObjectNode toJson(Plan plan) {
    ObjectNode root = JSON.createObjectNode();
    root.put("schema", PLAN_SCHEMA);
    root.put("requirements_sha256", plan.requirementsSha256());
    root.put("title", plan.title());
    ArrayNode tasks = root.putArray("tasks");
    for (PlanTask t : plan.tasks().values()) {
      ObjectNode n = tasks.addObject();
      n.put("task_key", t.key());
      n.put("title", t.title());
      n.put("priority", t.priority());
      ArrayNode acs = n.putArray("acceptance");
      for (Criterion c : t.acceptance()) {
        ObjectNode a = acs.addObject();
        a.put("id", c.id());
        a.put("description", c.description());
        if (c.verification() != null) {
          a.put("verification", c.verification());
        }
      }
    }
    return root;
  }

  static ObjectNode toJson(Boundary b) {
    ObjectNode root = JSON.createObjectNode();
    root.put("schema", BOUNDARY_SCHEMA);
    root.put("requirements_sha256", b.requirementsSha256());
    b.allowedPaths().forEach(root.putArray("allowed_paths")::add);
    b.outOfScope().forEach(root.putArray("out_of_scope")::add);
    ObjectNode tasks = root.putObject("tasks");
    b.tasks().forEach((k, v) -> v.forEach(tasks.putArray(k)::add));
    return root;
  }

  /**
   * Reads a plan snapshot.
   *
   * @throws SnapshotException when it is missing or not a plan snapshot, naming the member
   */
  public static Plan readPlan(Path file) {
    JsonNode root = read(file, PLAN_SCHEMA);
    Map<String, PlanTask> tasks = new LinkedHashMap<>();
    JsonNode list = member(file, root, "/tasks", true);
    for (int i = 0; i < list.size(); i++) {
      String at = "/tasks/" + i;
      JsonNode t = list.get(i);
      List<Criterion> acs = new ArrayList<>();
      JsonNode a = member(file, t, at + "/acceptance", true);
      for (int j = 0; j < a.size(); j++) {
        JsonNode c = a.get(j);
        acs.add(
            new Criterion(
                text(file, c, at + "/acceptance/" + j + "/id"),
                text(file, c, at + "/acceptance/" + j + "/description"),
                c.hasNonNull("verification") ? c.get("verification").asText() : null));
      }
      String key = text(file, t, at + "/task_key");
      if (!Ids.isValid(key)) {
        throw new SnapshotException(file, at + "/task_key", "SNAPSHOT_CORRUPT", "not a task id");
      }
      tasks.put(
          key, new PlanTask(key, text(file, t, at + "/title"), t.path("priority").asInt(2), acs));
    }
    return new Plan(text(file, root, "/requirements_sha256"), root.path("title").asText(""), tasks);
  }

  /** Reads a boundary snapshot; see {@link #readPlan}. */
  public static Boundary readBoundary(Path file) {
    JsonNode root = read(file, BOUNDARY_SCHEMA);
    Map<String, List<String>> tasks = new LinkedHashMap<>();
    JsonNode t = member(file, root, "/tasks", false);
    int position = 0;
    for (var it = t.fields(); it.hasNext(); ) {
      var e = it.next();
      position++;
      // the file may be anything a caller named: its keys are not quoted, only counted
      String at = "/tasks (member " + position + ")";
      if (!Ids.isValid(e.getKey())) {
        throw new SnapshotException(file, at, "SNAPSHOT_CORRUPT", "the key is not a task id");
      }
      tasks.put(e.getKey(), strings(file, e.getValue(), at));
    }
    return new Boundary(
        text(file, root, "/requirements_sha256"),
        strings(file, member(file, root, "/allowed_paths", true), "/allowed_paths"),
        root.has("out_of_scope")
            ? strings(file, root.get("out_of_scope"), "/out_of_scope")
            : List.of(),
        tasks);
  }

  private static JsonNode read(Path file, String schema) {
    JsonNode root;
    if (!Files.exists(file, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
      throw new SnapshotException(file, "", "SNAPSHOT_MISSING", "no such file");
    }
    try {
      root =
          StrictJson.readTree(
              PathPolicy.readBounded(
                  "snapshot", file.toString(), file, PathPolicy.DEFAULT_MAX_DOCUMENT_BYTES));
    } catch (PathRefusedException e) {
      throw new SnapshotException(file, "", "SNAPSHOT_CORRUPT", e.getMessage());
    } catch (JsonInputException e) {
      throw new SnapshotException(file, "", "SNAPSHOT_CORRUPT", "the file " + e.getMessage());
    }
    if (root == null || !root.isObject() || !schema.equals(root.path("schema").asText())) {
      throw new SnapshotException(file, "/schema", "SNAPSHOT_CORRUPT", "expected schema " + schema);
    }
    return root;
  }

  private static JsonNode member(Path file, JsonNode node, String pointer, boolean array) {
    JsonNode v = node.get(pointer.substring(pointer.lastIndexOf('/') + 1));
    if (v == null || (array ? !v.isArray() : !v.isObject())) {
      throw new SnapshotException(
          file, pointer, "SNAPSHOT_CORRUPT", "expected " + (array ? "an array" : "an object"));
    }
    return v;
  }

  private static String text(Path file, JsonNode node, String pointer) {
    JsonNode v = node.get(pointer.substring(pointer.lastIndexOf('/') + 1));
    if (v == null || !v.isTextual()) {
      throw new SnapshotException(file, pointer, "SNAPSHOT_CORRUPT", "expected a string");
    }
    if (v.asText().length() > 65536) {
      throw new SnapshotException(file, pointer, "SNAPSHOT_CORRUPT", "longer than 65536");
    }
    return v.asText();
  }

  private static List<String> strings(Path file, JsonNode array, String pointer) {
    if (!array.isArray()) {
      throw new SnapshotException(file, pointer, "SNAPSHOT_CORRUPT", "expected an array");
    }
    List<String> out = new ArrayList<>();
    for (int i = 0; i < array.size(); i++) {
      if (!array.get(i).isTextual()) {
        throw new SnapshotException(
            file, pointer + "/" + i, "SNAPSHOT_CORRUPT", "expected a string");
      }
      out.add(array.get(i).asText());
    }
    return out;
  }

  static byte[] bytes(JsonNode node) {
    try {
      return (JSON.writeValueAsString(node) + "\n").getBytes(StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private Snapshots() {}
}
