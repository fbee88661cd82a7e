package dev.aiflow.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordedThread;
import jdk.jfr.consumer.RecordingFile;

/**
 * Reads a JMH {@code -prof jfr} recording into execution samples per operation, over whole stacks
 * (as recorded; {@code jfr print} shows five frames unless told more), for the profiles in
 * docs/performance.md.
 *
 * <pre>
 * JfrSamples jfc &lt;out.jfc&gt; [ms]                        the JDK's profile.jfc, sampling Java code
 *                                                       every ms, native calls every 2 ms
 * JfrSamples threads &lt;profile.jfr&gt; &lt;ops&gt;                  samples per operation, by thread
 * JfrSamples aiflow &lt;profile.jfr&gt; &lt;ops&gt; [thread] [depth]  by aiflow's frames, outermost first
 * JfrSamples engine &lt;profile.jfr&gt; &lt;ops&gt; [thread]          the rest, by the engine's database call
 * JfrSamples leaves &lt;profile.jfr&gt; &lt;ops&gt; &lt;frame&gt; [thread]   innermost methods under a frame
 * </pre>
 *
 * In {@code aiflow}, samples with no aiflow frame count as {@code (engine)}; numbers in thread
 * names are folded, so the job executor's threads count as one.
 */
public final class JfrSamples {

  private JfrSamples() {}

  private static final String USAGE =
      "usage: jfc <out.jfc> [ms] | threads <jfr> <ops> | aiflow <jfr> <ops> [thread] [depth]"
          + " | engine <jfr> <ops> [thread] | leaves <jfr> <ops> <frame> [thread]";

  public static void main(String[] args) throws IOException {
    String mode = args.length == 0 ? "" : args[0];
    int needed =
        switch (mode) {
          case "jfc" -> 2;
          case "threads", "aiflow", "engine" -> 3;
          case "leaves" -> 4;
          default -> Integer.MAX_VALUE;
        };
    if (args.length < needed) {
      System.err.println(USAGE);
      System.exit(2);
    }
    if (mode.equals("jfc")) {
      jfc(Path.of(args[1]), args.length > 2 ? Integer.parseInt(args[2]) : 1);
      return;
    }
    Path jfr = Path.of(args[1]);
    double ops = Double.parseDouble(args[2]);
    switch (mode) {
      case "threads" -> print(count(jfr, "", f -> "", true), ops);
      case "aiflow" -> {
        String thread = args.length > 3 ? args[3] : "";
        int depth = args.length > 4 ? Integer.parseInt(args[4]) : 3;
        print(count(jfr, thread, f -> aiflowPath(f, depth), false), ops);
      }
      case "engine" ->
          print(count(jfr, args.length > 3 ? args[3] : "", JfrSamples::engineCall, false), ops);
      default ->
          print(
              count(jfr, args.length > 4 ? args[4] : "", f -> innermostUnder(f, args[3]), false),
              ops);
    }
  }

  /** The JDK's profile settings, sampling Java code every {@code ms}, native calls every 2 ms. */
  static void jfc(Path out, int ms) throws IOException {
    String jfc = Files.readString(Path.of(System.getProperty("java.home"), "lib/jfr/profile.jfc"));
    Map<String, Integer> periods =
        Map.of("jdk.ExecutionSample", ms, "jdk.NativeMethodSample", 2 * ms);
    for (Map.Entry<String, Integer> p : periods.entrySet()) {
      Matcher m =
          Pattern.compile(
                  "(<event name=\""
                      + Pattern.quote(p.getKey())
                      + "\">.*?<setting name=\"period\"[^>]*>)[^<]*(<)",
                  Pattern.DOTALL)
              .matcher(jfc);
      if (!m.find()) {
        throw new IllegalStateException(
            "no period for " + p.getKey() + " in the JDK's profile.jfc");
      }
      jfc = m.replaceFirst("$1" + p.getValue() + " ms$2");
    }
    Files.writeString(out, jfc);
  }

  private interface Key {
    String of(List<String> frames);
  }

  private static Map<String, Integer> count(Path jfr, String thread, Key key, boolean byThread)
      throws IOException {
    Map<String, Integer> counts = new HashMap<>();
    try (RecordingFile file = new RecordingFile(jfr)) {
      while (file.hasMoreEvents()) {
        RecordedEvent e = file.readEvent();
        if (!e.getEventType().getName().equals("jdk.ExecutionSample")) {
          continue;
        }
        RecordedThread t = e.getThread("sampledThread");
        String name = t == null || t.getJavaName() == null ? "" : t.getJavaName();
        RecordedStackTrace stack = e.getStackTrace();
        if (!name.contains(thread) || stack == null) {
          continue;
        }
        List<String> frames = new ArrayList<>();
        for (RecordedFrame f : stack.getFrames()) {
          frames.add(f.getMethod().getType().getName() + "." + f.getMethod().getName());
        }
        String k = byThread ? name.replaceAll("\\d+", "N") : key.of(frames);
        if (k != null) {
          counts.merge(k, 1, Integer::sum);
        }
      }
    }
    return counts;
  }

  /** aiflow's frames (the benchmark's own left out), outermost first, to {@code depth}. */
  static String aiflowPath(List<String> frames, int depth) {
    List<String> ours = new ArrayList<>();
    for (String f : frames) {
      if (f.startsWith("dev.aiflow.") && !f.startsWith("dev.aiflow.bench.")) {
        ours.add(0, f.substring("dev.aiflow.".length()));
      }
    }
    return ours.isEmpty()
        ? "(engine)"
        : String.join(" > ", ours.subList(0, Math.min(depth, ours.size())));
  }

  /**
   * For a sample outside aiflow's code: the innermost call of the engine's SQL session or entity
   * manager (a select, an insert, the batched flush), else {@code (other)}.
   */
  static String engineCall(List<String> frames) {
    if (!aiflowPath(frames, 1).equals("(engine)")) {
      return "(aiflow)";
    }
    for (String f : frames) {
      if (f.contains("DbSqlSession.") || f.contains(".DbEntityManager.")) {
        return f.substring(f.lastIndexOf('.', f.lastIndexOf('.') - 1) + 1);
      }
    }
    return "(other)";
  }

  /** The innermost method of a sample with a frame containing {@code frame}, else skipped. */
  static String innermostUnder(List<String> frames, String frame) {
    return frames.stream().anyMatch(f -> f.contains(frame)) && !frames.isEmpty()
        ? frames.get(0)
        : null;
  }

  private static void print(Map<String, Integer> counts, double ops) {
    counts.entrySet().stream()
        .sorted((a, b) -> b.getValue() - a.getValue())
        .limit(40)
        .forEach(
            e -> System.out.printf(Locale.ROOT, "%8.2f  %s%n", e.getValue() / ops, e.getKey()));
  }
}
