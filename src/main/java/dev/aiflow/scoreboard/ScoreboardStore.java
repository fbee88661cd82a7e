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
 * summary.svg} (the overview people read). Every update happens under the scoreboard's lock.
 *
 * <p>A cycle costs one durable write: its trend record, appended and fsynced, which carries what
 * the cycle adds to the counters (its report). The counters are {@code scoreboard.json} plus the
 * records appended after it, replayed in order ({@link #read}); {@code scoreboard.json} is replaced
 * atomically and durably every {@value #COMPACT_EVERY} cycles, with every pick counted at once or
 * set aside, and when the summary is rendered. The summary is rendered at a campaign's end and on
 * request ({@link #render}), not per cycle: rendering reads every trend record, and a campaign's
 * thousandth cycle must not cost more than its first.
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

  /**
   * The counters now: {@code scoreboard.json} (none yet: all zero) with the cycles recorded after
   * it replayed from their trend records.
   */
  public Scoreboard read() {
    SharedFiles.refresh();
    return state().now();
  }

  /** Whether anything was recorded here: counters or trend records. */
  public boolean exists() {
    return Files.exists(scoreboardFile(), LinkOption.NOFOLLOW_LINKS)
        || Files.exists(trendsFile(), LinkOption.NOFOLLOW_LINKS)
        || Files.exists(legacyTrendsFile(), LinkOption.NOFOLLOW_LINKS);
  }

  /** Cycles recorded after {@code scoreboard.json} before it is written again (durably). */
  static final int COMPACT_EVERY = 32;

  /** {@code scoreboard.json} as it is on disk, and the counters with the later cycles replayed. */
  private record State(Scoreboard base, Scoreboard now) {}

  /**
   * The last state read or written per progress folder, with what the two files were then: {@code
   * scoreboard.json}'s bytes, and which {@code trends.jsonl} it was with its size and modification
   * time (aiflow only appends to it). A cycle that finds them unchanged (its own lane's last write,
   * under the lock) neither parses {@code scoreboard.json}, which grows with the tasks (the spend
   * per task), nor replays records, so its cost does not grow with the campaign. A write by another
   * process or node changes one of the two, and the state is read again. (Reading the bytes of
   * {@code scoreboard.json} costs little next to parsing them; comparing them, not the file's time,
   * also sees two rewrites of the same size within one tick of the clock.)
   */
  private static final Map<Path, Known> KNOWN =
      java.util.Collections.synchronizedMap(
          new LinkedHashMap<>(16, 0.75f, true) {
            private static final long serialVersionUID = 1L;

            @Override
            protected boolean removeEldestEntry(Map.Entry<Path, Known> eldest) {
              return size() > 64;
            }
          });

  private record Known(byte[] json, FileState trends, State state) {}

  /** Forgets every remembered state: for tests that read the files as another process would. */
  static void forgetAll() {
    KNOWN.clear();
  }

  /** {@code trends.jsonl} as {@link #KNOWN} compares it: which file, its size, its time. */
  private record FileState(Object key, long size, long modifiedNanos) {
    static FileState of(Path f) {
      try {
        java.nio.file.attribute.BasicFileAttributes a =
            Files.readAttributes(
                f, java.nio.file.attribute.BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        return new FileState(
            a.fileKey(),
            a.size(),
            a.lastModifiedTime().to(java.util.concurrent.TimeUnit.NANOSECONDS));
      } catch (java.nio.file.NoSuchFileException e) {
        return ABSENT;
      } catch (IOException e) {
        return null; // unreadable: reading it says why, and nothing is remembered
      }
    }
  }

  private static final FileState ABSENT = new FileState(null, -1, -1);

  private static final byte[] NO_FILE = new byte[0];

  /** {@code scoreboard.json}'s bytes, or {@link #NO_FILE} when there is none. */
  private byte[] jsonBytes() {
    Path f = scoreboardFile();
    return Files.exists(f, LinkOption.NOFOLLOW_LINKS) ? readBytes(f) : NO_FILE;
  }

  private State state() {
    byte[] json = jsonBytes();
    FileState trends = FileState.of(trendsFile());
    Known known = KNOWN.get(dir);
    if (known != null
        && trends != null
        && trends.equals(known.trends())
        && java.util.Arrays.equals(json, known.json())) {
      return known.state();
    }
    // the files as they were before reading them: a change while they are read is seen next time
    State s = readState(json);
    if (trends != null) {
      KNOWN.put(dir, new Known(json, trends, s));
    }
    return s;
  }

  /** After this process wrote {@code s} under the lock: the files as they are now hold it. */
  private void remember(State s) {
    FileState trends = FileState.of(trendsFile());
    if (trends != null) {
      KNOWN.put(dir, new Known(jsonBytes(), trends, s));
    } else {
      KNOWN.remove(dir);
    }
  }

  private State readState(byte[] json) {
    Scoreboard base =
        json == NO_FILE ? Scoreboard.empty() : fromTree(parse(scoreboardFile(), json));
    Scoreboard now = base;
    try {
      for (JsonNode record : recordsAfter(base.cycles())) {
        try {
          now = now.cycle(reportOf(record));
        } catch (IllegalStateException e) {
          // a record that is none: the whole file's reading names its line, if it is one of those
          parseTrends(trendsFile().toString(), readBytes(trendsFile()));
          throw new IllegalStateException("could not read " + trendsFile() + ": " + e.getMessage());
        }
      }
    } catch (IOException e) {
      throw new IllegalStateException(
          "could not read " + trendsFile() + " (" + e.getClass().getSimpleName() + ")", e);
    }
    return new State(base, now);
  }

  /**
   * The trend records after cycle {@code cycles} that carry their report, oldest first: read
   * backwards from the end of {@code trends.jsonl} until a record of that cycle or before, or one
   * from before reports were recorded (whatever precedes it is older). The last 64 KiB hold them
   * when {@code scoreboard.json} is at most {@value #COMPACT_EVERY} cycles behind; the whole file
   * is read only when it is further behind (it was removed, or restored from a copy).
   */
  private List<JsonNode> recordsAfter(int cycles) throws IOException {
    Path f = trendsFile();
    if (!Files.exists(f, LinkOption.NOFOLLOW_LINKS)) {
      return List.of();
    }
    requireRegular(f);
    try (FileChannel ch = FileChannel.open(f, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
      long whole = lastNewlineEnd(ch, ch.size());
      long from = Math.max(0, whole - RECENT_WINDOW);
      while (true) {
        if (whole - from > MAX_BYTES) {
          throw new IllegalStateException(
              "could not read "
                  + f
                  + " (larger than "
                  + MAX_BYTES
                  + " bytes); it is left as it is");
        }
        String text = new String(read(ch, from, (int) (whole - from)), StandardCharsets.UTF_8);
        // a window's first line may be cut: it is not read
        int floor = from == 0 ? 0 : text.indexOf('\n') + 1;
        List<JsonNode> after = new ArrayList<>();
        boolean older = false;
        for (int end = text.length() - 1; end >= floor && !older; ) {
          int start = Math.max(text.lastIndexOf('\n', end - 1) + 1, floor);
          if (end > start) {
            JsonNode record = record(f, text.substring(start, end));
            if (record.path("cycle").asInt() <= cycles || !record.has(REPORT)) {
              older = true;
            } else {
              after.add(record);
            }
          }
          end = start - 1;
        }
        if (older || from == 0) {
          java.util.Collections.reverse(after);
          return after;
        }
        from = 0;
      }
    }
  }

  /**
   * A link, FIFO or folder where a progress file should be: refused, never followed or waited on.
   */
  private static void requireRegular(Path f) {
    if (!Files.isRegularFile(f, LinkOption.NOFOLLOW_LINKS)) {
      throw new IllegalStateException(
          "could not read " + f + " (not a regular file); it is left as it is");
    }
  }

  private static JsonNode record(Path f, String line) {
    try {
      JsonNode n = dev.aiflow.json.StrictJson.readTree(line);
      if (!n.isObject()) {
        throw new IllegalArgumentException("not an object");
      }
      return n;
    } catch (RuntimeException e) {
      // the whole file's reading names the line (no cause: a parser's message may quote it)
      parseTrends(f.toString(), readBytes(f));
      throw new IllegalStateException(
          "could not read "
              + f
              + ": a line near its end is not a trend record; it is left as it is");
    }
  }

  /** The member of a trend record that holds what its cycle adds beyond the record's own fields. */
  static final String REPORT = "report";

  /** The report a trend record was appended for: the record's fields and its {@code report}. */
  static CycleReport reportOf(JsonNode record) {
    try {
      JsonNode r = record.path(REPORT);
      Map<String, dev.aiflow.budget.Spend> spend = new java.util.TreeMap<>();
      r.path("spend")
          .fields()
          .forEachRemaining(
              e -> spend.put(e.getKey(), dev.aiflow.budget.Spend.fromTree(e.getValue())));
      TrendPoint t = TrendPoint.fromTree(record);
      return new CycleReport(
          t.at(),
          t.campaignId(),
          t.runId(),
          t.taskKey(),
          CycleReport.Outcome.valueOf(t.outcome().toUpperCase(java.util.Locale.ROOT)),
          t.reworkRounds(),
          t.qaVerdict(),
          t.qaReasonCode(),
          t.queue(),
          t.elapsedMs(),
          spend,
          claims(r.path("claims")));
    } catch (RuntimeException e) {
      throw new IllegalStateException(
          "could not read the trend record of cycle "
              + record.path("cycle").asInt()
              + ": its report is not one aiflow wrote; it is left as it is");
    }
  }

  private static ObjectNode reportTree(CycleReport report) {
    ObjectNode o = JSON.createObjectNode();
    ObjectNode spend = o.putObject("spend");
    new java.util.TreeMap<>(report.spend()).forEach((k, v) -> spend.set(k, v.toTree()));
    ObjectNode claims = o.putObject("claims");
    new java.util.TreeMap<>(report.claims()).forEach((k, v) -> claims.set(k, v.toTree()));
    return o;
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
          State s = state();
          Scoreboard next = s.now().cycle(report);
          ObjectNode record = TrendPoint.of(next.cycles(), report, next).toTree();
          record.set(REPORT, reportTree(report));
          appendTrend(record);
          if (next.cycles() - s.base().cycles() >= COMPACT_EVERY) {
            AtomicFile.write(scoreboardFile(), bytes(toTree(next)));
            remember(new State(next, next));
          } else {
            remember(new State(s.base(), next));
          }
          return next;
        });
  }

  /**
   * The trend records a retry (and the replay of the counters) looks through first: the last 64
   * KiB, some 85 cycles with one backend and model.
   */
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
    requireRegular(f);
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
  private void appendTrend(ObjectNode record) throws IOException {
    Path f = trendsFile();
    Files.createDirectories(dir);
    byte[] line = (record.toString() + "\n").getBytes(StandardCharsets.UTF_8);
    boolean created = !Files.exists(f, LinkOption.NOFOLLOW_LINKS);
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
    if (created) {
      // the records are the counters until scoreboard.json is next written: their file's name
      // must survive a power loss too
      AtomicFile.fsyncDirectory(dir);
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
          SharedFiles.refresh();
          State s = state();
          if (!s.now().equals(s.base())) {
            // the file people read is brought up to date with the summary
            AtomicFile.write(scoreboardFile(), bytes(toTree(s.now())));
            remember(new State(s.now(), s.now()));
          }
          writeSummary(s.now(), trends(), queueNow);
          return null;
        });
  }

  private Scoreboard counters(java.util.function.UnaryOperator<Scoreboard> f) {
    return SharedFiles.withLock(
        scoreboardFile(),
        () -> {
          Scoreboard next = f.apply(read());
          AtomicFile.write(scoreboardFile(), bytes(toTree(next)));
          remember(new State(next, next));
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
  private static JsonNode parse(Path f, byte[] bytes) {
    try {
      return dev.aiflow.json.StrictJson.readTree(bytes);
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
