package dev.aiflow.scoreboard;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.aiflow.files.AtomicFile;
import dev.aiflow.files.SharedFiles;
import dev.aiflow.triage.QueueCounts;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A progress directory's scoreboard: {@code scoreboard.json} (counters and the last selected task),
 * {@code trends.json} (one snapshot per cycle), and {@code summary.md} with {@code summary.svg}
 * (the overview people read). Every update happens under the scoreboard's lock and every file is
 * replaced atomically; the summary is re-rendered from the two JSON files, so it can never disagree
 * with them.
 */
public final class ScoreboardStore {

  static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private final Path dir;

  public ScoreboardStore(Path progressDir) {
    this.dir = progressDir.toAbsolutePath().normalize();
  }

  public Path dir() {
    return dir;
  }

  public Path scoreboardFile() {
    return dir.resolve("scoreboard.json");
  }

  public Path trendsFile() {
    return dir.resolve("trends.json");
  }

  public Path summaryFile() {
    return dir.resolve("summary.md");
  }

  public Path chartFile() {
    return dir.resolve("summary.svg");
  }

  public Scoreboard read() {
    SharedFiles.refresh();
    Path f = scoreboardFile();
    if (!Files.exists(f)) {
      return Scoreboard.empty();
    }
    return fromTree(readTree(f));
  }

  public List<TrendPoint> trends() {
    SharedFiles.refresh();
    Path f = trendsFile();
    if (!Files.exists(f)) {
      return List.of();
    }
    JsonNode snapshots = readTree(f).path("snapshots");
    List<TrendPoint> out = new ArrayList<>();
    for (JsonNode s : snapshots) {
      out.add(TrendPoint.fromTree(s));
    }
    return out;
  }

  /**
   * The policy picked {@code taskKey} for run {@code runId}. Only {@code scoreboard.json} changes;
   * the summary follows at the end of the cycle.
   */
  public Scoreboard recordSelection(String taskKey, String runId, Instant at) {
    return counters(s -> s.selected(taskKey, runId, at));
  }

  /** A pick was set aside without a cycle. */
  public Scoreboard recordSkip(Instant at) {
    return counters(s -> s.skipped(at));
  }

  /**
   * A cycle ended and its task was finalized in the queue: counters, a trend snapshot, and the
   * summary. Recording the same run twice (a retried engine job) changes nothing.
   */
  public Scoreboard recordCycle(CycleReport report) {
    return SharedFiles.withLock(
        scoreboardFile(),
        () -> {
          List<TrendPoint> trends = new ArrayList<>(trends());
          if (trends.stream().anyMatch(t -> t.runId().equals(report.runId()))) {
            return read();
          }
          Scoreboard next = read().cycle(report);
          AtomicFile.write(scoreboardFile(), bytes(toTree(next)));
          trends.add(TrendPoint.of(next.cycles(), report, next));
          ObjectNode doc = JSON.createObjectNode();
          doc.put("schema_version", 1);
          ArrayNode a = doc.putArray("snapshots");
          trends.forEach(t -> a.add(t.toTree()));
          AtomicFile.write(trendsFile(), bytes(doc));
          writeSummary(next, trends, report.queue());
          return next;
        });
  }

  /** Re-renders {@code summary.md} and {@code summary.svg} from the JSON files. */
  public void render(QueueCounts queueNow) {
    SharedFiles.withLock(
        scoreboardFile(),
        () -> {
          writeSummary(read(), trends(), queueNow);
          return null;
        });
  }

  private Scoreboard counters(java.util.function.UnaryOperator<Scoreboard> f) {
    return SharedFiles.withLock(
        scoreboardFile(),
        () -> {
          Scoreboard next = f.apply(read());
          AtomicFile.write(scoreboardFile(), bytes(toTree(next)));
          return next;
        });
  }

  /** The summary is derived from the JSON files: replaced atomically, not fsynced. */
  private void writeSummary(Scoreboard s, List<TrendPoint> trends, QueueCounts queue) {
    AtomicFile.replace(
        summaryFile(),
        SummaryRenderer.markdown(s, trends, queue, chartFile().getFileName().toString())
            .getBytes(StandardCharsets.UTF_8));
    AtomicFile.replace(chartFile(), TrendChart.svg(trends).getBytes(StandardCharsets.UTF_8));
  }

  static ObjectNode toTree(Scoreboard s) {
    ObjectNode o = JSON.createObjectNode();
    o.put("schema_version", 1);
    o.put("cycles", s.cycles());
    o.put("selected", s.selected());
    o.put("completed", s.completed());
    o.put("failed", s.failed());
    o.put("requeued", s.requeued());
    o.put("skipped", s.skipped());
    o.put("rework_rounds", s.reworkRounds());
    ObjectNode verdicts = o.putObject("qa_verdicts");
    new java.util.TreeMap<>(s.qaVerdicts()).forEach(verdicts::put);
    ObjectNode reasons = o.putObject("qa_reasons");
    new java.util.TreeMap<>(s.qaReasons()).forEach(reasons::put);
    if (s.lastSelected() != null) {
      ObjectNode last = o.putObject("last_selected");
      last.put("task_key", s.lastSelected().taskKey());
      last.put("run_id", s.lastSelected().runId());
      last.put("at", s.lastSelected().at().toString());
    }
    if (s.updatedAt() != null) {
      o.put("updated_at", s.updatedAt().toString());
    }
    o.set("spend", s.spend().toTree(s.completed()));
    if (!s.claims().isEmpty()) {
      ObjectNode claims = o.putObject("claims");
      claims.set("total", s.claimsTotal().toTree());
      ObjectNode by = claims.putObject("by_backend_model");
      new java.util.TreeMap<>(s.claims()).forEach((k, v) -> by.set(k, v.toTree()));
    }
    return o;
  }

  /** The scoreboard as the REST API shows it: the same tree as {@code scoreboard.json}. */
  public static ObjectNode tree(Scoreboard s) {
    return toTree(s);
  }

  static Scoreboard fromTree(JsonNode o) {
    JsonNode last = o.get("last_selected");
    return new Scoreboard(
        o.path("cycles").asInt(),
        o.path("selected").asInt(),
        o.path("completed").asInt(),
        o.path("failed").asInt(),
        o.path("requeued").asInt(),
        o.path("skipped").asInt(),
        o.path("rework_rounds").asInt(),
        counts(o.path("qa_verdicts")),
        counts(o.path("qa_reasons")),
        last == null
            ? null
            : new Scoreboard.LastSelected(
                last.path("task_key").asText(),
                last.path("run_id").asText(),
                Instant.parse(last.path("at").asText())),
        o.hasNonNull("updated_at") ? Instant.parse(o.get("updated_at").asText()) : null,
        SpendBoard.fromTree(o.get("spend")),
        claims(o.path("claims").path("by_backend_model")));
  }

  private static Map<String, ClaimTally> claims(JsonNode n) {
    Map<String, ClaimTally> out = new java.util.TreeMap<>();
    n.fields().forEachRemaining(e -> out.put(e.getKey(), ClaimTally.fromTree(e.getValue())));
    return out;
  }

  private static Map<String, Integer> counts(JsonNode n) {
    Map<String, Integer> out = new LinkedHashMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = n.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      out.put(e.getKey(), e.getValue().asInt());
    }
    return out;
  }

  /** The largest scoreboard or trends file read: 32 MiB. */
  static final long MAX_BYTES = 32L * 1024 * 1024;

  /**
   * Reads a progress file: a regular file (no link, FIFO or device), bounded, strict JSON; a
   * problem names the file and its kind, never the content, and leaves the file as it is.
   */
  private static JsonNode readTree(Path f) {
    try {
      return dev.aiflow.json.StrictJson.readTree(
          dev.aiflow.files.PathPolicy.readBounded(
              f.getFileName().toString(), f.toString(), f, MAX_BYTES));
    } catch (IllegalArgumentException e) {
      throw new IllegalStateException(
          "could not read " + f + " (" + e.getMessage() + "); it is left as it is", e);
    }
  }

  private static byte[] bytes(JsonNode n) {
    try {
      return (JSON.writeValueAsString(n) + "\n").getBytes(StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
