package dev.aiflow.sessionlog;

import java.io.PrintWriter;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/** {@code aiflow session replay}: the session log as a timeline a person reads. */
public final class Replay {

  private static final DateTimeFormatter TIME =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss").withZone(ZoneOffset.UTC);

  /**
   * Prints one line per event, filtered by task or campaign when given.
   *
   * @return how many events were printed
   */
  public static int print(
      SessionLog.Contents contents, String taskKey, String campaignId, PrintWriter out) {
    int n = 0;
    for (SessionEvent e : contents.events()) {
      if ((taskKey != null && !taskKey.equals(e.taskKey()))
          || (campaignId != null && !campaignId.equals(e.campaignId()))) {
        continue;
      }
      n++;
      out.println(line(e));
    }
    for (String p : contents.problems()) {
      out.println("! " + p);
    }
    return n;
  }

  static String line(SessionEvent e) {
    StringBuilder sb = new StringBuilder();
    sb.append(String.format("%5d  %s  %-28s", e.seq(), TIME.format(e.at()), e.kind()));
    if (e.taskKey() != null) {
      sb.append(' ').append(e.taskKey());
    }
    if (e.runId() != null) {
      sb.append(" run=").append(e.runId());
    }
    if (!e.details().isEmpty()) {
      sb.append("  ").append(details(e.details()));
    }
    return sb.toString().stripTrailing();
  }

  private static String details(Map<String, String> d) {
    return d.entrySet().stream()
        .map(x -> x.getKey() + "=" + x.getValue())
        .collect(Collectors.joining(" "));
  }

  /** Counts per kind, for a summary line. */
  public static String summary(List<SessionEvent> events) {
    return events.stream()
        .collect(
            Collectors.groupingBy(
                SessionEvent::kind, java.util.TreeMap::new, Collectors.counting()))
        .entrySet()
        .stream()
        .map(x -> x.getKey() + "=" + x.getValue())
        .collect(Collectors.joining(", "));
  }

  private Replay() {}
}
