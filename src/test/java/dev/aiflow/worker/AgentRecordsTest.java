package dev.aiflow.worker;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Agents left by a server that died are found from their records and stopped on start. */
class AgentRecordsTest {

  @TempDir Path dir;
  @TempDir Path ws;
  final List<Process> started = new java.util.ArrayList<>();

  @AfterEach
  void cleanUp() {
    started.forEach(Process::destroyForcibly);
  }

  /** A process that plays an agent: its own session, the run's mark, a child that left it. */
  Process agent(String mark) throws Exception {
    ProcessBuilder pb =
        new ProcessBuilder(
                "setsid",
                "bash",
                "-c",
                "setsid -f sleep 300 </dev/null >/dev/null 2>&1; exec sleep 300")
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.DISCARD);
    pb.environment().put(Launch.MARK_VARIABLE, mark);
    Process p = pb.start();
    started.add(p);
    Thread.sleep(300);
    return p;
  }

  void record(String mark, long pid, long startTicks, long ownerPid, long ownerTicks)
      throws Exception {
    ProcessTree.Stat s = ProcessTree.stat(pid);
    Map<String, Object> e = new LinkedHashMap<>();
    e.put("mark", mark);
    e.put("pid", pid);
    e.put("start_ticks", startTicks);
    e.put("group", s == null ? -1 : s.group());
    e.put("session", s == null ? -1 : s.session());
    e.put("boot_id", ProcessTree.bootId());
    e.put("owner_pid", ownerPid);
    e.put("owner_start_ticks", ownerTicks);
    e.put("workspace", ws.toString());
    e.put("label", "agent mock");
    e.put("started_at", Instant.now().toString());
    Files.write(dir.resolve(mark + ".json"), new ObjectMapper().writeValueAsBytes(e));
  }

  static long deadPid() throws Exception {
    Process p = new ProcessBuilder("true").start();
    p.waitFor(5, TimeUnit.SECONDS);
    return p.pid();
  }

  static List<Long> marked(String mark) {
    return List.copyOf(ProcessTree.marked(Launch.MARK_VARIABLE, mark));
  }

  @Test
  void leftoversOfADeadServerAreStoppedAndTheirRecordsRemoved() throws Exception {
    String mark = UUID.randomUUID().toString();
    Process p = agent(mark);
    List<Long> family = marked(mark);
    assertThat(family).hasSizeGreaterThanOrEqualTo(2); // the agent and its escaped child
    record(mark, p.pid(), ProcessTree.stat(p.pid()).startTicks(), deadPid(), 1);

    List<AgentRecords.Leftover> reaped =
        new AgentRecords(dir).reapLeftovers(Duration.ofMillis(500));
    assertThat(reaped)
        .singleElement()
        .satisfies(
            l -> {
              assertThat(l.found()).containsAll(family);
              assertThat(l.survivors()).isEmpty();
            });
    assertThat(p.waitFor(5, TimeUnit.SECONDS)).isTrue();
    for (long pid : family) {
      assertThat(ProcessTree.stat(pid) == null || ProcessTree.isZombie(pid)).isTrue();
    }
    assertThat(dir.resolve(mark + ".json")).doesNotExist();
  }

  @Test
  void aReusedPidIsNotTakenForTheRecordedProcess() throws Exception {
    Process stranger = new ProcessBuilder("sleep", "300").start();
    started.add(stranger);
    Thread.sleep(100);
    long ticks = ProcessTree.stat(stranger.pid()).startTicks();
    String mark = UUID.randomUUID().toString();
    record(mark, stranger.pid(), ticks - 1, deadPid(), 1);
    List<AgentRecords.Leftover> reaped =
        new AgentRecords(dir).reapLeftovers(Duration.ofMillis(200));
    assertThat(reaped).singleElement().satisfies(l -> assertThat(l.found()).isEmpty());
    assertThat(stranger.isAlive()).isTrue();
  }

  @Test
  void recordsOfALiveServerAreKept() throws Exception {
    String mark = UUID.randomUUID().toString();
    Process p = agent(mark);
    long self = ProcessHandle.current().pid();
    record(
        mark,
        p.pid(),
        ProcessTree.stat(p.pid()).startTicks(),
        self,
        ProcessTree.stat(self).startTicks());
    assertThat(new AgentRecords(dir).reapLeftovers(Duration.ofMillis(200))).isEmpty();
    assertThat(p.isAlive()).isTrue();
    assertThat(new AgentRecords(dir).list())
        .extracting(AgentRecords.Entry::mark)
        .containsExactly(mark);
    ProcessTree.stop(Set(p.pid()), Set(p.pid()), Set(p.pid()), mark, Duration.ofMillis(200));
  }

  @Test
  void aSupervisedRunIsRecordedWhileItRunsAndForgottenAfter() {
    AgentRecords records = new AgentRecords(dir);
    List<Integer> seen = new java.util.ArrayList<>();
    ProgressListener l = (bytes, last) -> seen.add(records.list().size());
    ProcessReport r =
        new SupervisedProcess(
                List.of("bash", "-c", "echo hi; sleep 0.5"),
                ws,
                Map.of(),
                new ProcessLimits(
                    Duration.ofSeconds(10),
                    Duration.ofSeconds(5),
                    256L << 20,
                    Duration.ofMillis(200)),
                ws.resolve("o.log"),
                ws.resolve("e.log"),
                1024,
                l,
                null)
            .launch(Launch.direct().recordedIn(records, "agent test"))
            .run();
    assertThat(r.outcome()).isEqualTo(Outcome.OK);
    assertThat(seen).contains(1);
    assertThat(records.list()).isEmpty();
  }

  private static java.util.Set<Long> Set(long pid) {
    return java.util.Set.of(pid);
  }

  @Test
  void aRunThatCannotBeRecordedDoesNotRun() throws Exception {
    Path notADir = Files.writeString(dir.resolve("file"), "x");
    ProcessReport r =
        new SupervisedProcess(
                List.of("bash", "-c", "echo started > started.txt; sleep 30"),
                ws,
                Map.of(),
                new ProcessLimits(
                    Duration.ofSeconds(10),
                    Duration.ofSeconds(5),
                    256L << 20,
                    Duration.ofMillis(200)),
                ws.resolve("o.log"),
                ws.resolve("e.log"),
                1024,
                null,
                null)
            .launch(Launch.direct().recordedIn(new AgentRecords(notADir.resolve("sub")), "agent"))
            .run();
    assertThat(r.outcome()).isEqualTo(Outcome.SPAWN_FAILED);
    assertThat(r.detail()).startsWith("could not record the run");
  }
}
