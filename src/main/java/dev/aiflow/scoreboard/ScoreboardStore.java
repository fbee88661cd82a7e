package dev.aiflow.scoreboard;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.aiflow.files.AtomicFile;
import dev.aiflow.files.SharedFiles;
import dev.aiflow.triage.QueueCounts;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A progress directory's scoreboard: {@code scoreboard.json} (counters and the last selected task),
 * {@code trends.jsonl} (one record per cycle, appended), and {@code summary.md} with {@code
 * summary.svg} (the overview people read). Every update happens under the scoreboard's lock; {@code
 * scoreboard.json} is replaced atomically, a trend record appended and fsynced. The summary is
 * rendered from the two files at a campaign's end and on request ({@link #render}), not per cycle:
 * rendering reads every trend record, and a campaign's thousandth cycle must not cost more than its
 * first.
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

  /** One trend record per finished cycle, one JSON object per line, appended. */
  public Path trendsFile() {
    return dir.resolve("trends.jsonl");
  }

  /** Where trends lived before they were appended: one JSON document rewritten per cycle. */
  Path legacyTrendsFile() {
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
    if (Files.exists(f, LinkOption.NOFOLLOW_LINKS) || !Files.exists(legacyTrendsFile())) {
      return Files.exists(f, LinkOption.NOFOLLOW_LINKS)
          ? parseTrends(f.toString(), readBytes(f))
          : List.of();
    }
    return parseLegacyTrends(legacyTrendsFile().toString(), readBytes(legacyTrendsFile()));
  }

  /**
   * The trend records of a {@code trends.json} an earlier version rewrote per cycle: one document,
   * {@code {"snapshots": [...]}}; a problem names {@code where}, never the content.
   */
  public static List<TrendPoint> parseLegacyTrends(String where, byte[] bytes) {
    List<TrendPoint> out = new ArrayList<>();
    try {
      for (JsonNode s : dev.aiflow.json.StrictJson.readTree(bytes).path("snapshots")) {
        out.add(TrendPoint.fromTree(s));
      }
    } catch (RuntimeException e) {
      // no cause: a parser's message may quote the document (a date it could not read)
      throw new IllegalStateException(
          "could not read " + where + ": not a trends document; it is left as it is");
    }
    return out;
  }

  /**
   * The trend records in {@code bytes} of a {@code trends.jsonl} (named {@code where} in a
   * problem): one JSON object per line; a last line without its newline is a torn append and left
   * out; any other line that is not a record is an error naming the line, never its content.
   */
  public static List<TrendPoint> parseTrends(String where, byte[] bytes) {
    List<TrendPoint> out = new ArrayList<>();
    int start = 0;
    int line = 0;
    for (int i = 0; i < bytes.length; i++) {
      if (bytes[i] != '\n') {
        continue;
      }
      line++;
      if (i > start) {
        try {
          out.add(
              TrendPoint.fromTree(
                  dev.aiflow.json.StrictJson.readTree(
                      new String(bytes, start, i - start, StandardCharsets.UTF_8))));
        } catch (RuntimeException e) {
          // no cause: a parser's message may quote the line (a date it could not read)
          throw new IllegalStateException(
              "could not read "
                  + where
                  + ", line "
                  + line
                  + ": not a trend record; it is left as it is");
        }
      }
      start = i + 1;
    }
    return out;
  }

  /**
   * {@code prepare-next} picked {@code taskKey} for run {@code runId}, outside a campaign: counted
   * at once. A campaign's picks are counted with their cycle or their skip, below.
   */
  public Scoreboard recordSelection(String taskKey, String runId, Instant at) {
    return counters(s -> s.selected(taskKey, runId, at));
  }

  /**
   * A pick of {@code taskKey} for run {@code runId} was set aside without a cycle: it counts as
   * selected and skipped. (A pick whose cycle runs is counted by {@link #recordCycle}: a pick has
   * no write of its own.)
   */
  public Scoreboard recordSkip(String taskKey, String runId, Instant at) {
    return counters(s -> s.skipped(taskKey, runId, at));
  }

  /**
   * A cycle ended and its task was finalized in the queue: the counters, and one trend record
   * appended. The summary is not rendered here (it is rendered at the campaign's end and on
   * request: {@link #render}), so a cycle costs the same whether it is the first or the thousandth.
   * Recording the same run twice (a retried engine job) changes nothing.
   */
  public Scoreboard recordCycle(CycleReport report) {
    return SharedFiles.withLock(
        scoreboardFile(),
        () -> {
          migrateLegacyTrends();
          if (alreadyRecorded(report)) {
            return read();
          }
          Scoreboard next = read().cycle(report);
          AtomicFile.write(scoreboardFile(), bytes(toTree(next)));
          appendTrend(TrendPoint.of(next.cycles(), report, next));
          return next;
        });
  }

  /** The trend records a retry looks through first: the last 64 KiB, some 150 cycles. */
  static final int RECENT_WINDOW = 64 * 1024;

  /**
   * Whether a whole record of this run is in {@code trends.jsonl} already (a retried job). The last
   * 64 KiB are searched first; further back only when the oldest record there is not older than the
   * cycle's start (a job retried by hand long after its cycle began, other lanes recording in
   * between), since no record of a run can be older than its cycle. A torn last line does not
   * count: the next append cuts it off.
   */
  private boolean alreadyRecorded(CycleReport report) throws IOException {
    Path f = trendsFile();
    if (!Files.exists(f, LinkOption.NOFOLLOW_LINKS)) {
      return false;
    }
    // the run id as it is written in a record: a JSON string after its field name
    String needle = "\"run_id\":" + JSON.writeValueAsString(report.runId());
    try (FileChannel ch = FileChannel.open(f, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
      long whole = lastNewlineEnd(ch, ch.size());
      int window = (int) Math.min(whole, RECENT_WINDOW);
      String recent = new String(read(ch, whole - window, window), StandardCharsets.UTF_8);
      if (recent.contains(needle)) {
        return true;
      }
      if (window == whole) {
        return false;
      }
      Instant oldest = firstRecordTime(recent);
      if (report.elapsedMs() > 0
          && oldest != null
          && oldest.isBefore(report.at().minusMillis(report.elapsedMs()))) {
        return false;
      }
      if (whole > MAX_BYTES) {
        throw new IllegalStateException(
            "could not read " + f + " (larger than " + MAX_BYTES + " bytes); it is left as it is");
      }
      return new String(read(ch, 0, (int) whole), StandardCharsets.UTF_8).contains(needle);
    }
  }

  /** The time of the first whole record in a window whose first line may be cut, or null. */
  private static Instant firstRecordTime(String window) {
    int start = window.indexOf('\n') + 1;
    int end = window.indexOf('\n', start);
    if (start <= 0 || end < 0) {
      return null;
    }
    try {
      return TrendPoint.fromTree(dev.aiflow.json.StrictJson.readTree(window.substring(start, end)))
          .at();
    } catch (RuntimeException e) {
      return null;
    }
  }

  private static byte[] read(FileChannel ch, long from, int length) throws IOException {
    ByteBuffer buf = ByteBuffer.allocate(length);
    while (buf.hasRemaining() && ch.read(buf, from + buf.position()) > 0) {
      // read fully
    }
    return buf.array();
  }

  /** Appends one record: after a torn last line (a crash mid-append) is cut off; fsynced. */
  private void appendTrend(TrendPoint point) throws IOException {
    Path f = trendsFile();
    Files.createDirectories(dir);
    byte[] line = (point.toTree().toString() + "\n").getBytes(StandardCharsets.UTF_8);
    try (FileChannel ch =
        FileChannel.open(
            f,
            StandardOpenOption.CREATE,
            StandardOpenOption.READ,
            StandardOpenOption.WRITE,
            LinkOption.NOFOLLOW_LINKS)) {
      long end = ch.size();
      long clean = lastNewlineEnd(ch, end);
      if (clean < end) {
        ch.truncate(clean);
      }
      ByteBuffer buf = ByteBuffer.wrap(line);
      long at = clean;
      while (buf.hasRemaining()) {
        at += ch.write(buf, at);
      }
      ch.force(false);
    }
    SharedFiles.written(f);
  }

  /** The length of the file up to and including its last newline (0 when it has none). */
  private static long lastNewlineEnd(FileChannel ch, long size) throws IOException {
    ByteBuffer one = ByteBuffer.allocate(4096);
    long pos = size;
    while (pos > 0) {
      int n = (int) Math.min(one.capacity(), pos);
      one.clear().limit(n);
      long from = pos - n;
      while (one.hasRemaining() && ch.read(one, from + one.position()) > 0) {
        // read the block fully
      }
      for (int i = n - 1; i >= 0; i--) {
        if (one.get(i) == '\n') {
          return from + i + 1;
        }
      }
      pos = from;
    }
    return 0;
  }

  /**
   * A progress folder from before trends were appended: its {@code trends.json} becomes {@code
   * trends.jsonl} (same records, same order) on the first cycle recorded, written whole before the
   * old file is removed.
   */
  private void migrateLegacyTrends() throws IOException {
    Path legacy = legacyTrendsFile();
    if (!Files.exists(legacy) || Files.exists(trendsFile(), LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    StringBuilder lines = new StringBuilder();
    for (TrendPoint t : parseLegacyTrends(legacy.toString(), readBytes(legacy))) {
      lines.append(t.toTree().toString()).append('\n');
    }
    AtomicFile.write(trendsFile(), lines.toString().getBytes(StandardCharsets.UTF_8));
    Files.delete(legacy);
    SharedFiles.written(legacy);
  }

  /**
   * {@code summary.md} as it would be rendered now, without writing anything (the REST API's view
   * on request).
   */
  public String markdown(QueueCounts queueNow) {
    return SummaryRenderer.markdown(
        read(), trends(), queueNow, chartFile().getFileName().toString());
  }

  /** Renders {@code summary.md} and {@code summary.svg} from the counters and trend records. */
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
      return dev.aiflow.json.StrictJson.readTree(readBytes(f));
    } catch (IllegalArgumentException e) {
      throw new IllegalStateException(
          "could not read " + f + " (" + e.getMessage() + "); it is left as it is", e);
    }
  }

  private static byte[] readBytes(Path f) {
    try {
      return dev.aiflow.files.PathPolicy.readBounded(
          f.getFileName().toString(), f.toString(), f, MAX_BYTES);
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
