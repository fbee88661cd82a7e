package dev.aiflow.worker;

import static org.assertj.core.api.Assertions.assertThat;

import dev.aiflow.protocol.AcceptanceCriterion;
import dev.aiflow.protocol.Limits;
import dev.aiflow.protocol.StepPack;
import dev.aiflow.protocol.Worker;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A burst of dispatches never has more agent processes alive than max_parallel_steps. */
class ParallelCapTest {

  @TempDir Path workspace;

  @Test
  void theCapHoldsUnderABurst() throws Exception {
    Path log = workspace.resolve("burst.log");
    // each run's required command records its own start and end, from inside the agent
    String command =
        "echo start $(date +%s%N) >> " + log + "; sleep 0.4; echo end $(date +%s%N) >> " + log;
    ShimAdapter adapter =
        new ShimAdapter(
            new ShimAdapter.Config(
                MockShim.PATH, workspace, 2, Duration.ofMillis(200), 1 << 20, Map.of()),
            PromptRenderer.bundled(),
            new SecretRedactor(Map.of()));
    ExecutorService pool = Executors.newFixedThreadPool(8);
    List<Future<DispatchOutcome>> runs = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      StepPack pack =
          new StepPack(
              StepPack.SCHEMA,
              "R-1",
              "T-" + i,
              "S1",
              "burst",
              "burst",
              List.of(),
              "tier2",
              null,
              List.of("src/t" + i + ".txt"),
              List.of(new AcceptanceCriterion("AC-1", "ran", null)),
              List.of(command),
              ".artifacts/R-1/T-" + i + "/S1",
              new Limits(60, 20, 512),
              new Worker("mock", null));
      runs.add(pool.submit(() -> adapter.dispatch(pack, ProgressListener.NONE)));
    }
    for (Future<DispatchOutcome> f : runs) {
      assertThat(f.get(2, TimeUnit.MINUTES).outcome()).isEqualTo(Outcome.OK);
    }
    pool.shutdown();

    List<long[]> events = new ArrayList<>();
    for (String line : Files.readAllLines(log)) {
      String[] parts = line.split(" ");
      events.add(new long[] {Long.parseLong(parts[1]), parts[0].equals("start") ? 1 : -1});
    }
    events.sort((a, b) -> a[0] != b[0] ? Long.compare(a[0], b[0]) : Long.compare(a[1], b[1]));
    int running = 0;
    int max = 0;
    for (long[] e : events) {
      running += (int) e[1];
      max = Math.max(max, running);
    }
    assertThat(events).hasSize(16);
    assertThat(max).as("agents running at once").isEqualTo(2);
    assertThat(ParallelGate.running()).isZero();
  }
}
