package dev.aiflow.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.aiflow.config.AiflowProperties;
import dev.aiflow.engine.audit.HistoryReconciler;
import dev.aiflow.engine.dispatch.AgentDispatchHandler;
import dev.aiflow.engine.dispatch.RemoteDispatchWorker;
import dev.aiflow.engine.dispatch.WorkerKernel;
import dev.aiflow.engine.stepcycle.StepCycleService;
import dev.aiflow.support.EngineTestBase;
import dev.aiflow.support.Packs;
import dev.aiflow.support.ServerTestBase;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.camunda.bpm.engine.ExternalTaskService;
import org.camunda.bpm.engine.externaltask.LockedExternalTask;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;

/**
 * The dispatch done by another process's worker: Camunda's own external task client, talking to the
 * running app's /engine-rest over HTTP with the admin's credentials. The in-process worker is off,
 * so nothing else can do the job.
 */
@SpringBootTest(
    webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = {
      ServerTestBase.OWN_DATABASE,
      ServerTestBase.OWN_DATA_DIR,
      ServerTestBase.NO_ADMIN_PASSWORD,
      ServerTestBase.NO_DEMO,
      EngineTestBase.MOCK_SHIM,
      EngineTestBase.TEMP_ROOT,
      "aiflow.worker.in-process=false",
      "aiflow.worker.poll-interval=100ms"
    })
class RemoteWorkerTest extends ServerTestBase {

  @Autowired StepCycleService cycles;
  @Autowired HistoryReconciler reconciler;
  @Autowired ExternalTaskService externalTasks;
  @Autowired LoggerRegistry loggers;
  @Autowired org.camunda.bpm.engine.RuntimeService runtime;
  @Autowired org.camunda.bpm.engine.HistoryService history;
  @TempDir Path workspace;

  AiflowProperties.Worker remoteConfig() {
    return new AiflowProperties.Worker(
        Path.of("examples/orchestrator/mock-shim").toAbsolutePath().toString(),
        false,
        2,
        Duration.ofSeconds(60),
        Duration.ofSeconds(30),
        3,
        Duration.ofSeconds(1),
        Duration.ofMillis(200),
        Duration.ofMillis(300),
        Map.of(),
        Map.of());
  }

  /**
   * Without long polling: Camunda's REST long-poll handler is one per JVM, and the test contexts
   * closed before this one have shut it down; a server runs one, so remote workers use it there.
   */
  RemoteDispatchWorker remote() {
    return remote("remote-worker");
  }

  /** A remote worker whose kernel state (snapshots, agent records, kernel id) is in {@code own}. */
  RemoteDispatchWorker remote(String own) {
    // the remote worker keeps its own kernel state: snapshots and agent records of its own
    return RemoteDispatchWorker.start(
        baseUrl() + "/engine-rest",
        "admin",
        adminPassword(),
        remoteConfig(),
        null,
        null,
        WorkerKernel.of(
            new AiflowProperties(
                dataDir().resolve(own),
                null,
                remoteConfig(),
                null,
                null,
                null,
                null,
                // anywhere this worker's user can reach, never its own data directory
                false,
                null,
                null)));
  }

  @Test
  void aRemoteWorkerRunsTheCycleThroughEngineRest() throws Exception {
    String pi =
        cycles.start(
            new StepCycleService.CycleRequest(
                "remote",
                "RUN-X1",
                Packs.stepPack("X1", "fail-then-pass"),
                null,
                1,
                null,
                workspace.toString(),
                true));
    try (RemoteDispatchWorker worker = remote()) {
      StepCycleService.CycleResult result = cycles.await(pi, Duration.ofSeconds(60));
      assertThat(result.outcome()).isEqualTo("completed");
    }
    assertThat(loggers.logger("remote").taskEvents("X1"))
        .filteredOn(e -> e.eventType().equals("attempt"))
        .hasSize(2);
    assertThat(reconciler.reconcile("remote").clean()).isTrue();
  }

  /**
   * Two workers with kernels of their own fetch from the same engine: each step's verification is
   * done by the worker that dispatched it, whose kernel holds the snapshot (another kernel has none
   * and the step would end in an incident, NO_SNAPSHOT).
   */
  @Test
  void eachStepIsVerifiedByTheWorkerWhoseKernelDispatchedIt() throws Exception {
    List<String> started = new java.util.ArrayList<>();
    for (int i = 1; i <= 6; i++) {
      Path ws = java.nio.file.Files.createDirectories(workspace.resolve("k" + i));
      started.add(
          cycles.start(
              new StepCycleService.CycleRequest(
                  "kernels",
                  "RUN-K" + i,
                  Packs.stepPack("K" + i, "pass"),
                  null,
                  0,
                  null,
                  ws.toString(),
                  true)));
    }
    try (RemoteDispatchWorker one = remote("worker-one");
        RemoteDispatchWorker two = remote("worker-two")) {
      for (String pi : started) {
        assertThat(cycles.await(pi, Duration.ofSeconds(60)).outcome()).isEqualTo("completed");
      }
    }
    java.util.Set<String> dispatchers = new java.util.HashSet<>();
    for (String pi : started) {
      String dispatchedBy = workerOf(pi, AgentDispatchHandler.TOPIC);
      dispatchers.add(dispatchedBy);
      assertThat(workerOf(pi, dev.aiflow.engine.dispatch.VerifyHandler.TOPIC))
          .as("the worker that verified " + pi)
          .isEqualTo(dispatchedBy);
      assertThat(
              history
                  .createHistoricVariableInstanceQuery()
                  .processInstanceId(pi)
                  .variableName("dispatchKernel")
                  .singleResult()
                  .getValue())
          .asString()
          .startsWith("kernel-");
    }
    assertThat(dispatchers).as("both workers dispatched").hasSize(2);
  }

  /** The worker whose completion of the {@code topic} task of {@code pi} history records. */
  String workerOf(String pi, String topic) {
    return history
        .createHistoricExternalTaskLogQuery()
        .processInstanceId(pi)
        .topicName(topic)
        .successLog()
        .singleResult()
        .getWorkerId();
  }

  @Test
  void aTaskWhoseLockLapsedIsRedeliveredAndLoggedOnce() throws Exception {
    String pi =
        cycles.start(
            new StepCycleService.CycleRequest(
                "redeliver",
                "RUN-X2",
                Packs.stepPack("X2", "pass"),
                null,
                0,
                null,
                workspace.toString(),
                true));
    // worker A takes the task and dies before completing it: its lock lapses
    List<LockedExternalTask> first = List.of();
    long deadline = System.currentTimeMillis() + 10_000;
    while (first.isEmpty() && System.currentTimeMillis() < deadline) {
      first =
          externalTasks
              .fetchAndLock(1, "worker-a")
              .topic(AgentDispatchHandler.TOPIC, 500)
              .execute();
      Thread.sleep(50);
    }
    assertThat(first).hasSize(1);
    Thread.sleep(800);
    try (RemoteDispatchWorker worker = remote()) {
      assertThat(cycles.await(pi, Duration.ofSeconds(60)).outcome()).isEqualTo("completed");
    }
    // worker A comes back and tries to complete: the task is no longer its to complete
    String taskId = first.get(0).getId();
    assertThatThrownBy(() -> externalTasks.complete(taskId, "worker-a", Map.of()))
        .isInstanceOf(RuntimeException.class);
    assertThat(loggers.logger("redeliver").taskEvents("X2"))
        .filteredOn(e -> e.eventType().equals("attempt"))
        .singleElement()
        .satisfies(e -> assertThat(e.json()).contains(taskId));
    assertThat(reconciler.reconcile("redeliver").clean()).isTrue();
  }

  /**
   * Handing work over: a remote worker stopped while its agent runs stops the agent and unlocks the
   * task, so the next worker takes it at once instead of after the lock (60 s here) expires.
   */
  @Test
  void aStoppedRemoteWorkerHandsItsTaskBackAtOnce() throws Exception {
    String pi =
        cycles.start(
            new StepCycleService.CycleRequest(
                "handover",
                "RUN-X4",
                Packs.stepPack("X4", "slow-once", 600, 5),
                null,
                0,
                null,
                workspace.toString(),
                true));
    Path marker = workspace.resolve(".artifacts/.mock-shim/slow-once-X4");
    RemoteDispatchWorker first = remote();
    long deadline = System.currentTimeMillis() + 30_000;
    while (!java.nio.file.Files.exists(marker) && System.currentTimeMillis() < deadline) {
      Thread.sleep(50);
    }
    assertThat(marker).as("the first agent started").exists();
    // the agent may run in a PID namespace (bwrap): its $$ is no host pid
    assertThat(agentsIn(workspace)).as("the running agent").isNotEmpty();

    // the stop waits for the running handler: bounded, so a stop that waits for the agent fails
    java.util.concurrent.CompletableFuture.runAsync(first::close)
        .get(20, java.util.concurrent.TimeUnit.SECONDS);
    assertThat(agentsIn(workspace)).as("agents of the stopped worker still alive").isEmpty();
    assertThat(externalTasks.createExternalTaskQuery().processInstanceId(pi).list())
        .singleElement()
        .satisfies(t -> assertThat(t.getLockExpirationTime()).as("still locked").isNull());

    long handedOver = System.nanoTime();
    try (RemoteDispatchWorker second = remote()) {
      assertThat(cycles.await(pi, Duration.ofSeconds(50)).outcome()).isEqualTo("completed");
    }
    assertThat(Duration.ofNanos(System.nanoTime() - handedOver))
        .as("taken over before the 60 s lock would have expired")
        .isLessThan(Duration.ofSeconds(40));
  }

  /** The agent's processes (shim, sandbox), by the workspace they name on their command line. */
  private static List<ProcessHandle> agentsIn(Path workspace) {
    String path = workspace.toString();
    return ProcessHandle.allProcesses()
        .filter(ProcessHandle::isAlive)
        .filter(p -> p.info().commandLine().map(c -> c.contains(path)).orElse(false))
        .toList();
  }

  /**
   * The insider review's finding: the intake checked the workspace, the worker did not, so a
   * variable rewritten while the task waited put the agent in the data directory. The worker checks
   * it again when it takes the task: an incident naming the refusal, and no agent runs.
   */
  @Test
  void aWorkspaceRewrittenAfterTheIntakeIsRefusedByTheWorker() throws Exception {
    String pi =
        cycles.start(
            new StepCycleService.CycleRequest(
                "rewritten",
                "RUN-X3",
                Packs.stepPack("X3", "pass"),
                null,
                0,
                null,
                workspace.toString(),
                true));
    Path workerData = java.nio.file.Files.createDirectories(dataDir().resolve("remote-worker"));
    Path secret = workerData.resolve("admin-password");
    java.nio.file.Files.writeString(secret, "not-for-agents");
    runtime.setVariable(pi, "workspace", workerData.toString());
    try (RemoteDispatchWorker worker = remote()) {
      org.camunda.bpm.engine.runtime.Incident incident =
          org.awaitility.Awaitility.await()
              .atMost(Duration.ofSeconds(30))
              .until(
                  () -> runtime.createIncidentQuery().processInstanceId(pi).singleResult(),
                  i -> i != null);
      assertThat(incident.getIncidentMessage()).contains("the workspace is refused");
    }
    assertThat(java.nio.file.Files.readString(secret)).isEqualTo("not-for-agents");
    assertThat(java.nio.file.Files.exists(workerData.resolve(".artifacts"))).isFalse();
  }
}
