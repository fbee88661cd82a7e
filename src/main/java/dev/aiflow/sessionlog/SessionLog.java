package dev.aiflow.sessionlog;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.aiflow.files.SharedFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * A project's session log: append-only JSONL, one controller decision per line, for machine replay
 * (docs/session-log.md). Not a second hash chain: the workflow log is the evidence; this is the
 * narrative. Appends take the file's lock, so a server and a CLI can share it; a torn last line (a
 * crash mid-write) is skipped by readers and reported, and the next append starts a new line.
 */
public final class SessionLog {

  public static final String SCHEMA = "aiflow.session_event.v1";

  /** The kinds of event aiflow writes. */
  public static final Set<String> KINDS =
      Set.of(
          "requirements_drafted",
          "requirements_approved",
          "requirements_rejected",
          "requirements_frozen",
          "execution_started",
          "execution_blocked_unapproved",
          "campaign_finished",
          "task_selected",
          "task_set_aside",
          "cycle_started",
          "guard_blocked",
          "checkpoint_created",
          "dispatch",
          "qa_verdict",
          "rework",
          "rollback",
          "escalation_decided",
          "cancel_requested",
          "breaker_tripped",
          "breaker_decided",
          "sandbox_warning",
          "cycle_finished",
          "worktree_prepared",
          "integration_accepted",
          "integration_conflict",
          "integration_verify_failed");

  private static final ObjectMapper JSON = new ObjectMapper();

  private final Path file;
  private final Clock clock;

  public SessionLog(Path file) {
    this(file, Clock.systemUTC());
  }

  public SessionLog(Path file, Clock clock) {
    this.file = file.toAbsolutePath().normalize();
    this.clock = clock;
  }

  public Path file() {
    return file;
  }

  /** What to append; the log assigns {@code seq} and the time. */
  public record Entry(
      String kind,
      String projectId,
      String campaignId,
      String processInstanceId,
      String taskKey,
      String runId,
      Map<String, String> details) {}

  /** The detail that makes an append idempotent: a retried step writes its line once. */
  public static final String KEY = "key";

  /**
   * Appends one event. Not forced to disk: the session log is the narrative, the hash chain is the
   * durable evidence; after a power loss the last lines may be missing or torn, never reordered.
   * With a {@value #KEY} detail, an event with the same key among the last 64 KiB of the log is
   * returned instead of appending a second one (a retried job).
   */
  public SessionEvent append(Entry e) {
    if (!KINDS.contains(e.kind())) {
      throw new IllegalArgumentException("unknown session event kind " + e.kind());
    }
    return SharedFiles.withLock(
        file,
        () -> {
          Files.createDirectories(file.getParent());
          String key = e.details() == null ? null : e.details().get(KEY);
          Tail tail = tail(key);
          if (tail.keyed() != null) {
            return tail.keyed();
          }
          SessionEvent ev =
              new SessionEvent(
                  tail.lastSeq() + 1,
                  clock.instant(),
                  e.kind(),
                  e.projectId(),
                  e.campaignId(),
                  e.processInstanceId(),
                  e.taskKey(),
                  e.runId(),
                  e.details());
          String line = (tail.endsClean() ? "" : "\n") + encode(ev) + "\n";
          try (FileChannel ch =
              FileChannel.open(
                  file,
                  StandardOpenOption.CREATE,
                  StandardOpenOption.WRITE,
                  StandardOpenOption.APPEND)) {
            ByteBuffer buf = ByteBuffer.wrap(line.getBytes(StandardCharsets.UTF_8));
            while (buf.hasRemaining()) {
              ch.write(buf);
            }
          }
          SharedFiles.written(file);
          return ev;
        });
  }

  /** The events in order, and the lines that could not be read (1-based numbers). */
  public record Contents(List<SessionEvent> events, List<String> problems) {}

  public Contents read() {
    SharedFiles.refresh();
    List<SessionEvent> events = new ArrayList<>();
    List<String> problems = new ArrayList<>();
    List<String> lines;
    try {
      lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      return new Contents(List.of(), List.of());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    for (int i = 0; i < lines.size(); i++) {
      String l = lines.get(i);
      if (l.isBlank()) {
        continue;
      }
      try {
        events.add(decode(JSON.readTree(l)));
      } catch (JsonProcessingException | RuntimeException e) {
        problems.add("line " + (i + 1) + ": not a session event (" + e.getMessage() + ")");
      }
    }
    return new Contents(events, problems);
  }

  /**
   * The last good sequence number, whether the file ends with a newline, and the event already
   * appended with {@code key} (or null).
   */
  private record Tail(long lastSeq, boolean endsClean, SessionEvent keyed) {}

  /**
   * Reads the last 64 KiB: the last complete, readable line holds the last sequence number (the
   * window's first line may be cut; a torn last line is skipped), and an event with {@code key} is
   * looked for among the lines that hold the key's text. Only those lines are decoded, and only
   * they become strings: decoding every line of the window cost more than the append itself, and
   * splitting it into lines still showed in a campaign's profile.
   */
  private Tail tail(String key) throws IOException {
    if (!Files.exists(file) || Files.size(file) == 0) {
      return new Tail(0, true, null);
    }
    long size = Files.size(file);
    int window = (int) Math.min(size, 64 * 1024);
    ByteBuffer buf = ByteBuffer.allocate(window);
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      while (buf.hasRemaining() && ch.read(buf, size - window + buf.position()) > 0) {
        // read the window fully
      }
    }
    byte[] bytes = buf.array();
    boolean clean = bytes[window - 1] == '\n';
    String text = new String(bytes, StandardCharsets.UTF_8);
    // the window's first line may be cut when the file is longer: it is no line of ours
    int firstLine = window < size ? text.indexOf('\n') + 1 : 0;
    if (firstLine == 0 && window < size) {
      firstLine = text.length(); // no newline at all in the window
    }
    // lines are searched in the text, not split off: only the lines decoded become strings
    long last = -1;
    for (int end = text.length(); end > firstLine && last < 0; ) {
      int start = Math.max(text.lastIndexOf('\n', end - 1) + 1, firstLine);
      SessionEvent ev = decodeOrNull(text.substring(start, end));
      if (ev != null) {
        last = ev.seq();
      }
      end = start - 1;
    }
    SessionEvent keyed = null;
    if (key != null) {
      // the key as an encoded event holds it: a member of "details", a JSON string
      String needle = JSON.writeValueAsString(KEY) + ":" + JSON.writeValueAsString(key);
      // found forwards (a key is rarely there at all), the latest line holding it wins
      List<Integer> hits = new ArrayList<>();
      for (int at = text.indexOf(needle, firstLine); at >= 0; at = text.indexOf(needle, at + 1)) {
        hits.add(at);
      }
      for (int i = hits.size() - 1; i >= 0 && keyed == null; i--) {
        int at = hits.get(i);
        int start = Math.max(text.lastIndexOf('\n', at) + 1, firstLine);
        int end = text.indexOf('\n', at);
        SessionEvent ev = decodeOrNull(text.substring(start, end < 0 ? text.length() : end));
        if (ev != null && key.equals(ev.details().get(KEY))) {
          keyed = ev;
        }
      }
    }
    if (last >= 0) {
      return new Tail(last, clean, keyed);
    }
    List<SessionEvent> events = read().events();
    return new Tail(events.isEmpty() ? 0 : events.get(events.size() - 1).seq(), clean, keyed);
  }

  /** The event on one line, or null when it is none (a torn last line, a cut first one). */
  private static SessionEvent decodeOrNull(String line) {
    if (line.isBlank()) {
      return null;
    }
    try {
      return decode(JSON.readTree(line));
    } catch (JsonProcessingException | RuntimeException e) {
      return null;
    }
  }

  static String encode(SessionEvent ev) {
    ObjectNode n = JSON.createObjectNode();
    n.put("schema", SCHEMA);
    n.put("seq", ev.seq());
    n.put("at", ev.at().toString());
    n.put("kind", ev.kind());
    putIfSet(n, "project_id", ev.projectId());
    putIfSet(n, "campaign_id", ev.campaignId());
    putIfSet(n, "process_instance_id", ev.processInstanceId());
    putIfSet(n, "task_key", ev.taskKey());
    putIfSet(n, "run_id", ev.runId());
    ObjectNode d = n.putObject("details");
    new TreeMap<>(ev.details()).forEach(d::put);
    return n.toString();
  }

  static SessionEvent decode(JsonNode n) {
    if (!SCHEMA.equals(n.path("schema").asText())) {
      throw new IllegalArgumentException("schema is not " + SCHEMA);
    }
    Map<String, String> details = new TreeMap<>();
    n.path("details")
        .fields()
        .forEachRemaining(e -> details.put(e.getKey(), e.getValue().asText()));
    return new SessionEvent(
        n.path("seq").asLong(),
        Instant.parse(n.path("at").asText()),
        n.path("kind").asText(),
        text(n, "project_id"),
        text(n, "campaign_id"),
        text(n, "process_instance_id"),
        text(n, "task_key"),
        text(n, "run_id"),
        details);
  }

  private static String text(JsonNode n, String name) {
    return n.hasNonNull(name) ? n.get(name).asText() : null;
  }

  private static void putIfSet(ObjectNode n, String name, String value) {
    if (value != null) {
      n.put(name, value);
    }
  }
}
