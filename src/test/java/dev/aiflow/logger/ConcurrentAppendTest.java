package dev.aiflow.logger;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Many threads and two OS processes on one project: one linear chain, nothing lost. */
class ConcurrentAppendTest {

  @TempDir Path root;

  @ParameterizedTest
  @EnumSource(Durability.class)
  void manyThreadsAndTwoProcessesAppendToOneLinearChain(Durability durability) throws Exception {
    WorkflowLogger.init(root, "p");
    int perProcess = 150;
    List<Process> processes = new ArrayList<>();
    for (String prefix : List.of("PROC-A", "PROC-B")) {
      processes.add(
          new ProcessBuilder(
                  Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                  "-cp",
                  System.getProperty("java.class.path"),
                  AppendWorker.class.getName(),
                  root.toString(),
                  "p",
                  prefix,
                  String.valueOf(perProcess),
                  durability.name())
              .redirectError(ProcessBuilder.Redirect.INHERIT)
              .start());
    }

    Set<String> acknowledged = ConcurrentHashMap.newKeySet();
    int threads = 8;
    int perThread = 100;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    CountDownLatch start = new CountDownLatch(1);
    List<Future<?>> futures = new ArrayList<>();
    try (WorkflowLogger log =
        WorkflowLogger.open(root, "p", LoggerOptions.defaults().withDurability(durability))) {
      for (int t = 0; t < threads; t++) {
        String task = "THREAD-" + t;
        futures.add(
            pool.submit(
                () -> {
                  start.await();
                  for (int i = 0; i < perThread; i++) {
                    ChainEvent e =
                        i % 2 == 0
                            ? log.logAttempt(
                                AttemptRecord.builder(task)
                                    .pointer(0, i / 2)
                                    .result("FAIL")
                                    .reasonCode("RETRY")
                                    .build())
                            : log.logTaskEvent("SHARED", "note", Map.of("from", task), null);
                    acknowledged.add(e.eventHash());
                  }
                  return null;
                }));
      }
      start.countDown();
      for (Future<?> f : futures) {
        f.get(2, TimeUnit.MINUTES);
      }
    } finally {
      pool.shutdownNow();
    }
    for (Process p : processes) {
      try (BufferedReader out =
          new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
        String line;
        while ((line = out.readLine()) != null) {
          acknowledged.add(line.trim());
        }
      }
      assertThat(p.waitFor(2, TimeUnit.MINUTES)).isTrue();
      assertThat(p.exitValue()).isZero();
    }

    int expected = threads * perThread + 2 * perProcess;
    assertThat(acknowledged).hasSize(expected);
    VerificationReport report = WorkflowLogger.verify(root, "p", null, null);
    assertThat(report.problems()).isEmpty();
    assertThat(report.events()).isEqualTo(expected + 1); // + project_initialized

    Set<String> inChain = new HashSet<>();
    for (String line : Files.readAllLines(root.resolve("p/events.jsonl"))) {
      inChain.add(CanonicalJson.STRICT_MAPPER.readTree(line).path("event_hash").asText());
    }
    assertThat(inChain).containsAll(acknowledged);
    assertThat(Files.readAllLines(root.resolve("p/tasks/SHARED/events.jsonl")).size())
        .isEqualTo(threads * perThread / 2 + perProcess);
  }
}
