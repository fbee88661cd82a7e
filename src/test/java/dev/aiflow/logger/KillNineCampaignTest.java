package dev.aiflow.logger;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The crash campaign of issue 15: two OS processes append to one project (one SYNC, one with three
 * threads sharing fsyncs), both are killed with SIGKILL at random moments, 30 kills in all; after
 * each round the project is reopened (which repairs) and must verify clean, with every event either
 * process acknowledged in its chain. Prints its figures (docs/performance.md).
 */
class KillNineCampaignTest {

  private static final Pattern HASH = Pattern.compile("[0-9a-f]{64}");
  private static final int ROUNDS = 15; // two kills each

  @TempDir Path root;

  @Test
  void thirtyKillsOfTwoWritersLoseNothingAcknowledgedAndReopenClean() throws Exception {
    WorkflowLogger.init(root, "p");
    long seed = 15_2026L;
    Random random = new Random(seed);
    Set<String> acknowledged = new HashSet<>();
    int kills = 0;
    int repairs = 0;
    long started = System.nanoTime();
    for (int round = 0; round < ROUNDS; round++) {
      CountDownLatch appending = new CountDownLatch(2);
      // the writer sharing fsyncs dies first; the other goes on for up to a second, so that what
      // the first could not copy to its task files lies hundreds of events back at reopen
      List<Writer> writers =
          List.of(
              new Writer(root, "R" + round + "B", Durability.GROUP_COMMIT, 3, appending),
              new Writer(root, "R" + round + "A", Durability.SYNC, 1, appending));
      assertThat(appending.await(60, TimeUnit.SECONDS)).as("both writers appending").isTrue();
      Thread.sleep(random.nextInt(200));
      writers.get(0).process.destroyForcibly(); // SIGKILL
      Thread.sleep(random.nextInt(1000));
      writers.get(1).process.destroyForcibly();
      kills += 2;
      for (Writer w : writers) {
        assertThat(w.process.waitFor(30, TimeUnit.SECONDS)).isTrue();
        w.reader.join(TimeUnit.SECONDS.toMillis(30));
        acknowledged.addAll(w.hashes);
      }

      try (WorkflowLogger log = WorkflowLogger.open(root, "p")) {
        repairs += log.repairs().size();
      }
      VerificationReport report = WorkflowLogger.verify(root, "p", null, null);
      assertThat(report.problems()).as("round %d", round).isEmpty();
      Set<String> inChain = new HashSet<>();
      for (ChainEvent e : WorkflowLogger.readProjectEvents(root, "p")) {
        inChain.add(e.eventHash());
      }
      assertThat(inChain).as("round %d: acknowledged events", round).containsAll(acknowledged);
    }
    long events = WorkflowLogger.verify(root, "p", null, null).events();
    System.out.printf(
        "kill -9 campaign (seed %d): %d kills, %d acknowledged events, %d events in the chain,"
            + " %d repairs on reopen, %.1f s%n",
        seed, kills, acknowledged.size(), events, repairs, (System.nanoTime() - started) / 1e9);
    assertThat(kills).isEqualTo(30);
    assertThat(acknowledged).hasSizeGreaterThan(ROUNDS * 2);
  }

  /** One writer process and the thread that collects the hashes it acknowledged. */
  private static final class Writer {
    final Process process;
    final List<String> hashes = new ArrayList<>();
    final Thread reader;

    Writer(Path root, String prefix, Durability durability, int threads, CountDownLatch appending)
        throws Exception {
      process =
          new ProcessBuilder(
                  Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                  "-cp",
                  System.getProperty("java.class.path"),
                  KillWorker.class.getName(),
                  root.toString(),
                  "p",
                  prefix,
                  durability.name(),
                  String.valueOf(threads))
              .redirectError(ProcessBuilder.Redirect.DISCARD)
              .start();
      reader =
          new Thread(
              () -> {
                boolean first = true;
                try (BufferedReader out =
                    new BufferedReader(
                        new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                  String line;
                  while ((line = out.readLine()) != null) {
                    if (HASH.matcher(line).matches()) { // a line cut by the kill is no hash
                      hashes.add(line);
                      if (first) {
                        first = false;
                        appending.countDown();
                      }
                    }
                  }
                } catch (java.io.IOException e) {
                  // the process is gone; what it printed before is what it acknowledged
                }
              });
      reader.start();
    }
  }
}
