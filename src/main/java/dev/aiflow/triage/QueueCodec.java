package dev.aiflow.triage;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.aiflow.ids.Ids;
import dev.aiflow.json.JsonInputException;
import dev.aiflow.json.StrictJson;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code task_queue.json} to {@link TaskQueue} and back (format: docs/triage.md). Reading is strict
 * about what it knows, names the offending member by JSON pointer, and keeps members it does not
 * know. Missing {@code status}, {@code attempts}, {@code priority} and timestamps get their
 * defaults, so a hand-written queue can be just keys and titles.
 */
public final class QueueCodec {

  static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private static final Set<String> TASK_FIELDS =
      Set.of(
          "key",
          "title",
          "priority",
          "status",
          "attempts",
          "max_attempts",
          "depends_on",
          "created_at",
          "updated_at",
          "last_reason",
          "claimed_by",
          "plan");
  private static final Set<String> QUEUE_FIELDS = Set.of("schema_version", "max_attempts", "tasks");
  private static final Set<String> PLAN_FIELDS =
      Set.of(
          "objective",
          "instructions",
          "allowed_paths",
          "acceptance_criteria",
          "required_commands",
          "backend");

  private QueueCodec() {}

  /**
   * Reads a queue document strictly ({@link StrictJson}). Messages name the member by JSON pointer
   * and the rule it breaks, never a value from the document.
   */
  public static TaskQueue parse(String json, Instant now) {
    return parse(json.getBytes(StandardCharsets.UTF_8), now);
  }

  public static TaskQueue parse(byte[] utf8, Instant now) {
    boolean cacheable = utf8.length <= MAX_CACHED_BYTES;
    if (cacheable) {
      TaskQueue known = known(utf8);
      if (known != null) {
        return known;
      }
    }
    JsonNode root;
    try {
      root = StrictJson.readTree(utf8);
    } catch (JsonInputException e) {
      throw new QueueFormatException("", e.getMessage());
    }
    TaskQueue q = fromTree(root, now);
    if (cacheable && !readsTheClock(root)) {
      keep(utf8, q);
    }
    return q;
  }

  /**
   * Queues parsed recently, with the bytes they were parsed from: a campaign's steps read the same
   * queue file several times per task, and parsing (strict JSON, every timestamp decoded) costs
   * more than comparing. A queue is handed out only for bytes equal to its own, byte for byte,
   * looked for among the (at most 16) remembered documents of the same length, most recent first: a
   * comparison stops at the first byte that differs and runs many bytes at a time, so there is no
   * key to compute over the whole file. The queue is immutable, so handing the same one out twice
   * is safe; a document whose parse used the clock (a task without {@code created_at}) is not kept,
   * since another read would give it another default. (The key was the bytes' SHA-256, then a
   * 64-bit fingerprint of them: each read of a campaign's steps mixed the whole file, which showed
   * in its profile.)
   */
  private static final java.util.Deque<Parsed> PARSED = new java.util.ArrayDeque<>();

  private static final int REMEMBERED = 16;

  private record Parsed(byte[] bytes, TaskQueue queue) {}

  private static TaskQueue known(byte[] utf8) {
    synchronized (PARSED) {
      for (java.util.Iterator<Parsed> it = PARSED.iterator(); it.hasNext(); ) {
        Parsed p = it.next();
        if (p.bytes().length == utf8.length && java.util.Arrays.equals(p.bytes(), utf8)) {
          it.remove();
          PARSED.addFirst(p);
          return p.queue();
        }
      }
      return null;
    }
  }

  private static void keep(byte[] utf8, TaskQueue queue) {
    Parsed kept = new Parsed(utf8.clone(), queue);
    synchronized (PARSED) {
      PARSED.removeIf(
          p -> p.bytes().length == utf8.length && java.util.Arrays.equals(p.bytes(), utf8));
      PARSED.addFirst(kept);
      while (PARSED.size() > REMEMBERED) {
        PARSED.removeLast();
      }
    }
  }

  /**
   * Remembers that {@code bytes}, which {@link #toBytes} wrote for {@code queue}, parse to it: the
   * codec's round trip is exact (every member written, every timestamp included), so a later read
   * of the same bytes can be answered without parsing.
   */
  static void remember(byte[] bytes, TaskQueue queue) {
    if (bytes.length <= MAX_CACHED_BYTES
        && queue.tasks().stream().allMatch(t -> t.createdAt() != null)) {
      keep(bytes, queue);
    }
  }

  /**
   * Larger documents are parsed every time: the cache keeps at most 16 queues with a copy of their
   * bytes, so this bounds the copies to 16 MiB.
   */
  static final int MAX_CACHED_BYTES = 1024 * 1024;

  private static boolean readsTheClock(JsonNode root) {
    for (JsonNode t : root.path("tasks")) {
      if (!t.hasNonNull("created_at")) {
        return true;
      }
    }
    return false;
  }

  public static TaskQueue fromTree(JsonNode root, Instant now) {
    if (root == null || !root.isObject()) {
      throw new QueueFormatException("", "a queue is a JSON object with a \"tasks\" array");
    }
    int version = optInt(root, "schema_version", TaskQueue.SCHEMA_VERSION, "");
    if (version != TaskQueue.SCHEMA_VERSION) {
      throw new QueueFormatException(
          "/schema_version",
          "version "
              + version
              + " is not supported (this aiflow reads "
              + TaskQueue.SCHEMA_VERSION
              + ")");
    }
    int maxAttempts = optInt(root, "max_attempts", TaskQueue.DEFAULT_MAX_ATTEMPTS, "");
    if (maxAttempts < 1) {
      throw new QueueFormatException("/max_attempts", "must be at least 1");
    }
    JsonNode tasks = root.get("tasks");
    if (tasks == null || !tasks.isArray()) {
      throw new QueueFormatException("/tasks", "required: an array of tasks");
    }
    List<QueueTask> list = new ArrayList<>();
    Map<String, Integer> seen = new HashMap<>();
    for (int i = 0; i < tasks.size(); i++) {
      String at = "/tasks/" + i;
      QueueTask t = task(tasks.get(i), at, now);
      Integer before = seen.putIfAbsent(t.key(), i);
      if (before != null) {
        throw new QueueFormatException(
            at + "/key", "a duplicate key (the same as /tasks/" + before + "/key)");
      }
      list.add(t);
    }
    for (int i = 0; i < list.size(); i++) {
      List<String> deps = list.get(i).dependsOn();
      for (int d = 0; d < deps.size(); d++) {
        if (!seen.containsKey(deps.get(d))) {
          throw new QueueFormatException(
              "/tasks/" + i + "/depends_on/" + d, "names no task of this queue");
        }
        if (deps.get(d).equals(list.get(i).key())) {
          throw new QueueFormatException(
              "/tasks/" + i + "/depends_on/" + d, "a task cannot depend on itself");
        }
      }
    }
    refuseCycles(list, seen);
    return new TaskQueue(version, maxAttempts, list, unknown(root, QUEUE_FIELDS));
  }

  /**
   * A dependency cycle would leave its tasks waiting for ever: refused, naming the cycle by the
   * tasks' places in the document (like every message here, never the document's own text).
   */
  private static void refuseCycles(List<QueueTask> list, Map<String, Integer> index) {
    Map<String, Integer> state = new java.util.HashMap<>(); // 1: on the path, 2: done
    for (QueueTask start : list) {
      java.util.Deque<String> path = new java.util.ArrayDeque<>();
      java.util.Deque<java.util.Iterator<String>> next = new java.util.ArrayDeque<>();
      if (state.containsKey(start.key())) {
        continue;
      }
      path.push(start.key());
      next.push(start.dependsOn().iterator());
      state.put(start.key(), 1);
      while (!path.isEmpty()) {
        java.util.Iterator<String> it = next.peek();
        if (!it.hasNext()) {
          state.put(path.pop(), 2);
          next.pop();
          continue;
        }
        String dep = it.next();
        Integer s = state.get(dep);
        if (s == null) {
          state.put(dep, 1);
          path.push(dep);
          next.push(list.get(index.get(dep)).dependsOn().iterator());
        } else if (s == 1) {
          List<String> onPath = new ArrayList<>(path);
          java.util.Collections.reverse(onPath);
          List<String> cycle = new ArrayList<>(onPath.subList(onPath.indexOf(dep), onPath.size()));
          cycle.add(dep);
          throw new QueueFormatException(
              "/tasks/" + index.get(dep) + "/depends_on",
              "a dependency cycle: "
                  + String.join(
                      " -> ", cycle.stream().map(k -> "/tasks/" + index.get(k)).toList()));
        }
      }
    }
  }

  private static QueueTask task(JsonNode n, String at, Instant now) {
    if (n == null || !n.isObject()) {
      throw new QueueFormatException(at, "a task is a JSON object");
    }
    String key = requiredText(n, "key", at);
    if (!Ids.isValid(key)) {
      throw new QueueFormatException(at + "/key", "not a valid task key: use " + Ids.RULE);
    }
    String title = optText(n, "title", key, at);
    int priority = optInt(n, "priority", 2, at);
    if (priority < 0) {
      throw new QueueFormatException(at + "/priority", "must be 0 (most urgent) or more");
    }
    String statusText = optText(n, "status", TaskStatus.PENDING.json(), at);
    TaskStatus status =
        TaskStatus.fromJson(statusText)
            .orElseThrow(
                () ->
                    new QueueFormatException(
                        at + "/status", "must be one of pending, in_progress, completed, failed"));
    int attempts = optInt(n, "attempts", 0, at);
    if (attempts < 0) {
      throw new QueueFormatException(at + "/attempts", "cannot be negative");
    }
    Integer max = n.has("max_attempts") ? optInt(n, "max_attempts", 1, at) : null;
    if (max != null && max < 1) {
      throw new QueueFormatException(at + "/max_attempts", "must be at least 1");
    }
    String claimed = optText(n, "claimed_by", null, at);
    if (status == TaskStatus.IN_PROGRESS && claimed == null) {
      throw new QueueFormatException(at + "/claimed_by", "an in_progress task names who holds it");
    }
    JsonNode escalate = n.get(QueueTask.ESCALATE_EXHAUSTED_REWORK);
    if (escalate != null && !escalate.isBoolean()) {
      throw new QueueFormatException(
          at + "/" + QueueTask.ESCALATE_EXHAUSTED_REWORK, "must be true or false");
    }
    Instant created = optInstant(n, "created_at", now, at);
    return new QueueTask(
        key,
        title,
        priority,
        status,
        attempts,
        max,
        optTextList(n, "depends_on", at),
        created,
        optInstant(n, "updated_at", created, at),
        optText(n, "last_reason", null, at),
        status == TaskStatus.IN_PROGRESS ? claimed : null,
        plan(n.get("plan"), at + "/plan"),
        unknown(n, TASK_FIELDS));
  }

  private static TaskPlan plan(JsonNode n, String at) {
    if (n == null) {
      return null;
    }
    if (!n.isObject()) {
      throw new QueueFormatException(at, "a plan is a JSON object");
    }
    int position = 0;
    for (Iterator<String> names = n.fieldNames(); names.hasNext(); ) {
      String name = names.next();
      position++;
      if (!PLAN_FIELDS.contains(name)) {
        // the unknown name itself is not echoed: the document may be a file holding secrets
        throw new QueueFormatException(
            at,
            "member "
                + position
                + " is not a plan member (known: "
                + new java.util.TreeSet<>(PLAN_FIELDS)
                + ")");
      }
    }
    return new TaskPlan(
        optText(n, "objective", null, at),
        optTextList(n, "instructions", at),
        optTextList(n, "allowed_paths", at),
        optTextList(n, "acceptance_criteria", at),
        optTextList(n, "required_commands", at),
        optText(n, "backend", null, at));
  }

  /** The queue as {@code task_queue.json} holds it, without the file's last line feed. */
  public static String toJson(TaskQueue q) {
    byte[] file = toBytes(q);
    return new String(file, 0, file.length - 1, StandardCharsets.UTF_8);
  }

  /**
   * The bytes of {@code task_queue.json}: exactly what Jackson's pretty printer gives for {@link
   * #toTree} and a line feed, which is how it was written before the tasks' bytes were remembered
   * (and {@code QueueCodecTest} compares the two).
   */
  public static byte[] toBytes(TaskQueue q) {
    // a hand-built queue whose unknown members reuse the queue's own names: written as a tree
    if (q.tasks().isEmpty()
        || (q.extra() != null && QUEUE_FIELDS.stream().anyMatch(q.extra()::has))) {
      return (write(toTree(q)) + "\n").getBytes(StandardCharsets.UTF_8);
    }
    // the queue's own members around a stand-in for the tasks, then the tasks' bytes in its place
    ObjectNode shell =
        toTree(new TaskQueue(q.schemaVersion(), q.maxAttempts(), List.of(), q.extra()));
    shell.putArray("tasks").add(TASKS_STAND_IN);
    String outer = write(shell);
    String standIn = "[ " + write(shell.get("tasks").get(0)) + " ]";
    // the first occurrence: "tasks" comes before any member this version does not know
    int at = outer.indexOf(standIn);
    if (at < 0) {
      return (write(toTree(q)) + "\n").getBytes(StandardCharsets.UTF_8);
    }
    byte[] head = (outer.substring(0, at) + "[ ").getBytes(StandardCharsets.UTF_8);
    byte[] tail =
        (" ]" + outer.substring(at + standIn.length()) + "\n").getBytes(StandardCharsets.UTF_8);
    List<Map<QueueTask, byte[]>> known = encodedQueues();
    Map<QueueTask, byte[]> encoded = new java.util.IdentityHashMap<>(q.tasks().size() * 2);
    byte[][] tasks = new byte[q.tasks().size()][];
    long length = 0;
    for (int i = 0; i < tasks.length; i++) {
      QueueTask t = q.tasks().get(i);
      byte[] task = known(known, t);
      if (task == null) {
        // a task inside "tasks" is the task alone, every line indented one level further
        task =
            write(taskTree(t))
                .replace(LINE_FEED, LINE_FEED + "  ")
                .getBytes(StandardCharsets.UTF_8);
      }
      tasks[i] = task;
      encoded.put(t, task);
      length += task.length;
    }
    long size = head.length + length + 2L * (tasks.length - 1) + tail.length;
    if (size > Integer.MAX_VALUE - 16) {
      throw new IllegalStateException("a queue of " + size + " bytes cannot be written");
    }
    byte[] file = new byte[(int) size];
    System.arraycopy(head, 0, file, 0, head.length);
    int pos = head.length;
    for (int i = 0; i < tasks.length; i++) {
      if (i > 0) {
        file[pos++] = ',';
        file[pos++] = ' ';
      }
      System.arraycopy(tasks[i], 0, file, pos, tasks[i].length);
      pos += tasks[i].length;
    }
    System.arraycopy(tail, 0, file, pos, tail.length);
    if (length <= MAX_CACHED_BYTES) {
      rememberEncoded(encoded);
    }
    return file;
  }

  private static String write(JsonNode tree) {
    try {
      return JSON.writeValueAsString(tree);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a queue tree always serialises", e);
    }
  }

  private static final String TASKS_STAND_IN = "\u0000aiflow:tasks\u0000";

  private static final String LINE_FEED = com.fasterxml.jackson.core.util.DefaultIndenter.SYS_LF;

  /**
   * The bytes of the tasks of the last queues written, by identity: an update changes one or two
   * tasks of a queue and keeps the others (the same objects, {@link TaskQueue#replace}), so writing
   * the queue again encodes only the changed ones and copies the rest (never handed out: the arrays
   * are only copied from). Encoding every task of a 200-task queue twice per campaign cycle was the
   * largest part of the queue's cost in a campaign's profile, and grows with the queue. No code
   * changes a task once it is built (the parse cache above relies on it too), so a task's bytes
   * never go stale; at most {@value #ENCODED_QUEUES} queues of at most {@link #MAX_CACHED_BYTES}
   * each are kept.
   */
  private static final java.util.Deque<Map<QueueTask, byte[]>> ENCODED =
      new java.util.ArrayDeque<>();

  private static final int ENCODED_QUEUES = 4;

  private static List<Map<QueueTask, byte[]>> encodedQueues() {
    synchronized (ENCODED) {
      return List.copyOf(ENCODED);
    }
  }

  /** A task's remembered bytes, looked for in the most recent queue first. */
  private static byte[] known(List<Map<QueueTask, byte[]>> queues, QueueTask t) {
    for (Map<QueueTask, byte[]> q : queues) {
      byte[] task = q.get(t);
      if (task != null) {
        return task;
      }
    }
    return null;
  }

  private static void rememberEncoded(Map<QueueTask, byte[]> encoded) {
    synchronized (ENCODED) {
      ENCODED.addFirst(java.util.Collections.unmodifiableMap(encoded));
      while (ENCODED.size() > ENCODED_QUEUES) {
        ENCODED.removeLast();
      }
    }
  }

  public static ObjectNode toTree(TaskQueue q) {
    ObjectNode root = JSON.createObjectNode();
    root.put("schema_version", q.schemaVersion());
    root.put("max_attempts", q.maxAttempts());
    ArrayNode tasks = root.putArray("tasks");
    for (QueueTask t : q.tasks()) {
      tasks.add(taskTree(t));
    }
    if (q.extra() != null) {
      q.extra().fields().forEachRemaining(e -> root.set(e.getKey(), e.getValue().deepCopy()));
    }
    return root;
  }

  public static ObjectNode taskTree(QueueTask t) {
    ObjectNode o = JSON.createObjectNode();
    o.put("key", t.key());
    o.put("title", t.title());
    o.put("priority", t.priority());
    o.put("status", t.status().json());
    o.put("attempts", t.attempts());
    if (t.maxAttempts() != null) {
      o.put("max_attempts", t.maxAttempts());
    }
    if (!t.dependsOn().isEmpty()) {
      ArrayNode deps = o.putArray("depends_on");
      t.dependsOn().forEach(deps::add);
    }
    o.put("created_at", t.createdAt().toString());
    o.put("updated_at", t.updatedAt().toString());
    if (t.lastReason() != null) {
      o.put("last_reason", t.lastReason());
    }
    if (t.claimedBy() != null) {
      o.put("claimed_by", t.claimedBy());
    }
    if (t.plan() != null) {
      TaskPlan p = t.plan();
      ObjectNode plan = o.putObject("plan");
      if (p.objective() != null) {
        plan.put("objective", p.objective());
      }
      putList(plan, "instructions", p.instructions());
      putList(plan, "allowed_paths", p.allowedPaths());
      putList(plan, "acceptance_criteria", p.acceptanceCriteria());
      putList(plan, "required_commands", p.requiredCommands());
      if (p.backend() != null) {
        plan.put("backend", p.backend());
      }
    }
    if (t.extra() != null) {
      t.extra().fields().forEachRemaining(e -> o.set(e.getKey(), e.getValue().deepCopy()));
    }
    return o;
  }

  private static void putList(ObjectNode o, String name, List<String> values) {
    if (!values.isEmpty()) {
      ArrayNode a = o.putArray(name);
      values.forEach(a::add);
    }
  }

  private static ObjectNode unknown(JsonNode n, Set<String> known) {
    ObjectNode extra = null;
    for (Iterator<Map.Entry<String, JsonNode>> it = n.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      if (!known.contains(e.getKey())) {
        if (extra == null) {
          extra = JSON.createObjectNode();
        }
        extra.set(e.getKey(), e.getValue());
      }
    }
    return extra;
  }

  private static String requiredText(JsonNode n, String name, String at) {
    JsonNode v = n.get(name);
    if (v == null) {
      throw new QueueFormatException(at + "/" + name, "required");
    }
    if (!v.isTextual() || v.asText().isBlank()) {
      throw new QueueFormatException(at + "/" + name, "must be a non-empty string");
    }
    return v.asText();
  }

  private static String optText(JsonNode n, String name, String dflt, String at) {
    JsonNode v = n.get(name);
    if (v == null) {
      return dflt;
    }
    if (!v.isTextual()) {
      throw new QueueFormatException(
          at + "/" + name,
          v.isNull() ? "must be a string, not null (omit it)" : "must be a string");
    }
    return v.asText();
  }

  private static int optInt(JsonNode n, String name, int dflt, String at) {
    JsonNode v = n.get(name);
    if (v == null) {
      return dflt;
    }
    if (!v.isIntegralNumber() || !v.canConvertToInt()) {
      throw new QueueFormatException(
          at + "/" + name,
          v.isNull() ? "must be an integer, not null (omit it)" : "must be an integer");
    }
    return v.asInt();
  }

  private static List<String> optTextList(JsonNode n, String name, String at) {
    JsonNode v = n.get(name);
    if (v == null) {
      return List.of();
    }
    if (!v.isArray()) {
      throw new QueueFormatException(at + "/" + name, "must be an array of strings");
    }
    List<String> out = new ArrayList<>();
    for (int i = 0; i < v.size(); i++) {
      if (!v.get(i).isTextual() || v.get(i).asText().isBlank()) {
        throw new QueueFormatException(at + "/" + name + "/" + i, "must be a non-empty string");
      }
      out.add(v.get(i).asText());
    }
    return out;
  }

  private static Instant optInstant(JsonNode n, String name, Instant dflt, String at) {
    String text = optText(n, name, null, at);
    if (text == null) {
      return dflt;
    }
    try {
      return Instant.parse(text);
    } catch (DateTimeParseException e) {
      throw new QueueFormatException(
          at + "/" + name, "must be an ISO-8601 instant like 2026-11-23T10:15:30Z");
    }
  }
}
