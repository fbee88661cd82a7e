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
 * ({@code jfr print} cuts them at five frames), for the profiles in docs/performance.md.
 *
 * <pre>
 * JfrSamples jfc &lt;out.jfc&gt; [ms]                        the JDK's profile.jfc, sampling every ms
 * JfrSamples threads &lt;profile.jfr&gt; &lt;ops&gt;                  samples per operation, by thread
 * JfrSamples aiflow &lt;profile.jfr&gt; &lt;ops&gt; [thread] [depth]  by aiflow's frames, outermost first
 * JfrSamples engine &lt;profile.jfr&gt; &lt;ops&gt; [thread]          the rest, by the engine's database call
 * </pre>
 *
 * In {@code aiflow}, samples with no aiflow frame count as {@code (engine)}; numbers in thread
 * names are folded, so the job executor's threads count as one.
 */
public final class JfrSamples {

  private JfrSamples() {}

  public static void main(String[] args) throws IOException {
    switch (args.length == 0 ? "" : args[0]) {
      case "jfc" -> jfc(Path.of(args[1]), args.length > 2 ? args[2] : "1");
      case "threads" -> print(count(Path.of(args[1]), "", f -> "", true), ops(args[2]));
      case "aiflow" -> {
        int depth = args.length > 4 ? Integer.parseInt(args[4]) : 3;
        String thread = args.length > 3 ? args[3] : "";
        print(count(Path.of(args[1]), thread, f -> aiflowPath(f, depth), false), ops(args[2]));
      }
      case "engine" ->
          print(
              count(
                  Path.of(args[1]), args.length > 3 ? args[3] : "", JfrSamples::engineCall, false),
              ops(args[2]));
      default ->
          throw new IllegalArgumentException(
              "usage: jfc <out.jfc> [ms] | threads <jfr> <ops> | aiflow <jfr> <ops> [thread]"
                  + " [depth] | engine <jfr> <ops> [thread]");
    }
  }

  private static double ops(String s) {
    return Double.parseDouble(s);
  }

  /** The JDK's profile settings with Java and native method sampling every {@code ms}. */
  static void jfc(Path out, String ms) throws IOException {
    String jfc = Files.readString(Path.of(System.getProperty("java.home"), "lib/jfr/profile.jfc"));
    for (String event : List.of("jdk.ExecutionSample", "jdk.NativeMethodSample")) {
      Matcher m =
          Pattern.compile(
                  "(<event name=\"" + event + "\">.*?<setting name=\"period\"[^>]*>)[^<]*(<)",
                  Pattern.DOTALL)
              .matcher(jfc);
      if (!m.find()) {
        throw new IllegalStateException("no period for " + event + " in the JDK's profile.jfc");
      }
      jfc = m.replaceFirst("$1" + ms + " ms$2");
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
        counts.merge(k, 1, Integer::sum);
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
      if (f.contains(".DbSqlSession.") || f.contains(".DbEntityManager.")) {
        return f.substring(f.lastIndexOf('.', f.lastIndexOf('.') - 1) + 1);
      }
    }
    return "(other)";
  }

  private static void print(Map<String, Integer> counts, double ops) {
    counts.entrySet().stream()
        .sorted((a, b) -> b.getValue() - a.getValue())
        .limit(40)
        .forEach(
            e -> System.out.printf(Locale.ROOT, "%8.2f  %s%n", e.getValue() / ops, e.getKey()));
  }
}
