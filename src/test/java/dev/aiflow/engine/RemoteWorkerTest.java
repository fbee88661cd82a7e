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
      "aiflow.worker.poll-interval=100ms",
      // a job activated by a test runs within half a second, not after the idle back-off (60 s)
      "camunda.bpm.job-execution.max-wait=500"
    })
class RemoteWorkerTest extends ServerTestBase {

  @Autowired StepCycleService cycles;
  @Autowired HistoryReconciler reconciler;
  @Autowired ExternalTaskService externalTasks;
  @Autowired LoggerRegistry loggers;
  @Autowired org.camunda.bpm.engine.RuntimeService runtime;
  @Autowired org.camunda.bpm.engine.HistoryService history;
  @Autowired org.camunda.bpm.engine.ManagementService management;
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
      org.camunda.bpm.engine.runtime.Incident incident = incidentOf(pi, Duration.ofSeconds(30));
      assertThat(incident.getIncidentMessage()).contains("the workspace is refused");
    }
    assertThat(java.nio.file.Files.readString(secret)).isEqualTo("not-for-agents");
    assertThat(java.nio.file.Files.exists(workerData.resolve(".artifacts"))).isFalse();
  }

  /**
   * The workspace is on the worker's machine, not the server's: the gate and the rework step judge
   * the inputs the verification handed over. Here the workspace is gone from the moment the first
   * verification completed until the rework was ready to dispatch: the gate still sends the step
   * back with the failing check, and the second round passes once the worker has its workspace
   * again.
   */
  @Test
  void theQaGateJudgesWithoutTheWorkspace() throws Exception {
    String logAttempt = logAttemptJobDefinition();
    management.suspendJobDefinitionById(logAttempt, true);
    Path away = workspace.resolveSibling(workspace.getFileName() + "-away");
    String pi;
    try {
      pi =
          cycles.start(
              new StepCycleService.CycleRequest(
                  "away",
                  "RUN-X5",
                  Packs.stepPack("X5", "fail-then-pass"),
                  null,
                  1,
                  null,
                  workspace.toString(),
                  true));
      try (RemoteDispatchWorker worker = remote()) {
        org.awaitility.Awaitility.await()
            .atMost(Duration.ofSeconds(60))
            .until(
                () -> management.createJobQuery().processInstanceId(pi).suspended().count() == 1);
      }
      assertThat(runtime.getVariableTyped(pi, "reviewInputs", false).getValue())
          .as("the verification handed its inputs over")
          .isNotNull();
      java.nio.file.Files.move(workspace, away);
      management.activateJobDefinitionById(logAttempt, true);
      // the gate, the gateways and the rework step run in that job, up to the rework's dispatch
      org.awaitility.Awaitility.await()
          .atMost(Duration.ofSeconds(30))
          .until(
              () ->
                  Integer.valueOf(1).equals(runtime.getVariable(pi, "reworkRound"))
                      || runtime.createIncidentQuery().processInstanceId(pi).count() > 0);
    } finally {
      management.activateJobDefinitionById(logAttempt, true);
    }
    assertThat(java.nio.file.Files.exists(workspace))
        .as("the server created no workspace")
        .isFalse();
    assertThat(runtime.createIncidentQuery().processInstanceId(pi).count()).isZero();
    assertThat(runtime.getVariable(pi, "qaVerdict")).isEqualTo("REWORK");
    assertThat(runtime.getVariable(pi, "reworkRound")).isEqualTo(1);
    assertThat(runtime.getActiveActivityIds(pi)).containsExactly("Task_DispatchStep");
    assertThat(runtime.getVariable(pi, "reviewInputs"))
        .as("the next round's gate judges only its own verification's inputs")
        .isNull();
    assertThat(String.valueOf(runtime.getVariableTyped(pi, "reworkPack", false).getValue()))
        .contains("failing_checks");
    java.nio.file.Files.move(away, workspace);
    try (RemoteDispatchWorker worker = remote()) {
      assertThat(cycles.await(pi, Duration.ofSeconds(60)).outcome()).isEqualTo("completed");
    }
    List<dev.aiflow.logger.ChainEvent> reviews =
        loggers.logger("away").taskEvents("X5").stream()
            .filter(e -> e.eventType().equals("qa_review"))
            .toList();
    assertThat(reviews).hasSize(2);
    assertThat(reviews.get(0).json()).contains("\"sha256\"");
    assertThat(reconciler.reconcile("away").clean()).isTrue();
  }

  /**
   * With the agents on remote workers only, the server checks a named workspace by the path rules
   * and leaves the folder to the worker: one the server does not have passes the intake, and the
   * worker, which has none either, refuses it with an incident. A workspace outside the allowed
   * roots, the server's data directory, none at all, or a checkpoint are refused at the intake.
   */
  @Test
  void theServerChecksAWorkspacesPathAndTheWorkerItsFolder() throws Exception {
    Path elsewhere = workspace.resolve("on-the-worker-only");
    String pi = start("elsewhere", "X6", elsewhere.toString(), false);
    try (RemoteDispatchWorker worker = remote()) {
      org.camunda.bpm.engine.runtime.Incident incident = incidentOf(pi, Duration.ofSeconds(30));
      assertThat(incident.getActivityId()).isEqualTo("Task_DispatchStep");
      assertThat(incident.getIncidentMessage()).contains("the workspace is refused");
    }
    assertThat(java.nio.file.Files.exists(elsewhere)).isFalse();
    runtime.deleteProcessInstance(pi, "test over");

    assertThat(rejection(start("elsewhere", "X7", "/etc/aiflow-ws", false)))
        .contains("WORKSPACE_REFUSED");
    assertThat(rejection(start("elsewhere", "X12", dataDir().toString(), false)))
        .as("the server's data directory, which it has, is no one's workspace")
        .contains("WORKSPACE_REFUSED", "private");
    assertThat(rejection(start("elsewhere", "X8", null, false)))
        .contains("WORKSPACE_REFUSED", "required: the agents run on remote workers");
    assertThat(rejection(start("elsewhere", "X9", elsewhere.toString(), true)))
        .contains("CHECKPOINT_NEEDS_WORKSPACE");
  }

  String start(String project, String task, String ws, boolean autoCheckpoint) {
    java.util.Map<String, Object> vars = new java.util.HashMap<>();
    vars.put("projectId", project);
    vars.put(
        "stepPack",
        org.camunda.spin.plugin.variable.SpinValues.jsonValue(Packs.stepPack(task, "pass"))
            .create());
    vars.put("maxReworkRounds", 0);
    if (ws != null) {
      vars.put("workspace", ws);
    }
    vars.put("autoCheckpoint", autoCheckpoint);
    return runtime.startProcessInstanceByKey("stepCycle", vars).getId();
  }

  /** The findings of a cycle its intake rejected. */
  String rejection(String pi) throws InterruptedException {
    StepCycleService.CycleResult r = cycles.await(pi, Duration.ofSeconds(30));
    assertThat(r.outcome()).isEqualTo("rejected");
    return String.valueOf(r.variables().get("intakeFindings"));
  }

  /** The same rules when a campaign is started over REST: each refusal names its field. */
  @Test
  void aCampaignForRemoteWorkersNamesAWorkspaceTheServerNeedNotHave() throws Exception {
    String queue =
        """
        {"max_attempts": 1, "tasks": [{"key": "R-1", "priority": 0}]}""";
    String base =
        """
        {"projectId": "remote-campaign", "queue": %s, "stepPacks": {"R-1": %s}%s,
         "options": {"maxReworkRounds": 0%s}}""";
    String pack = Packs.stepPack("R-1", "pass");
    String ws = ",\"workspace\": \"" + workspace.resolve("on-the-worker-only") + "\"";

    var none = postJson("/api/campaigns", base.formatted(queue, pack, "", ""), true);
    assertThat(none.statusCode()).as(none.body()).isEqualTo(400);
    assertThat(none.body()).contains("\"field\":\"workspace\"", "remote workers");

    var checkpoint =
        postJson(
            "/api/campaigns", base.formatted(queue, pack, ws, ", \"autoCheckpoint\": true"), true);
    assertThat(checkpoint.statusCode()).as(checkpoint.body()).isEqualTo(400);
    assertThat(checkpoint.body()).contains("\"field\":\"options.autoCheckpoint\"");

    var started = postJson("/api/campaigns", base.formatted(queue, pack, ws, ""), true);
    assertThat(started.statusCode()).as(started.body()).isEqualTo(201);
    String id =
        new com.fasterxml.jackson.databind.ObjectMapper()
            .readTree(started.body())
            .path("id")
            .asText();
    // its lane's step cycle took the workspace at the intake and waits for a worker to dispatch
    org.awaitility.Awaitility.await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () ->
                runtime.createProcessInstanceQuery().superProcessInstanceId(id).list().stream()
                    .anyMatch(
                        cycle ->
                            externalTasks
                                        .createExternalTaskQuery()
                                        .processInstanceId(cycle.getId())
                                        .topicName(AgentDispatchHandler.TOPIC)
                                        .count()
                                    == 1
                                && management.createJobQuery().processInstanceId(id).count() == 0));
    assertThat(java.nio.file.Files.exists(workspace.resolve("on-the-worker-only"))).isFalse();
    // no worker runs here, so a graceful cancel would wait for the lane's dispatch: remove it all,
    // lest the other tests' workers take its task (again if the campaign's job executor was busy)
    org.awaitility.Awaitility.await()
        .atMost(Duration.ofSeconds(30))
        .ignoreException(org.camunda.bpm.engine.OptimisticLockingException.class)
        .until(
            () -> {
              runtime.deleteProcessInstance(id, "test over");
              return true;
            });
    assertThat(runtime.createProcessInstanceQuery().superProcessInstanceId(id).count()).isZero();
  }

  /**
   * A worker of an earlier aiflow completes the verification without {@code reviewInputs} (played
   * here by removing them): the gate reads the observation from the workspace when this server has
   * it, and otherwise stops with an incident saying what to do, never a verdict.
   */
  @Test
  void aVerificationWithoutReviewInputsIsJudgedFromTheWorkspaceOnlyWhenTheServerHasIt()
      throws Exception {
    String logAttempt = logAttemptJobDefinition();
    Path here = java.nio.file.Files.createDirectories(workspace.resolve("here"));
    Path gone = java.nio.file.Files.createDirectories(workspace.resolve("gone"));
    List<String> pis = new java.util.ArrayList<>();
    management.suspendJobDefinitionById(logAttempt, true);
    try {
      pis.add(start("older-worker", "X10", here.toString(), false));
      pis.add(start("older-worker", "X11", gone.toString(), false));
      try (RemoteDispatchWorker worker = remote()) {
        org.awaitility.Awaitility.await()
            .atMost(Duration.ofSeconds(60))
            .until(
                () ->
                    pis.stream()
                        .allMatch(
                            pi ->
                                management
                                        .createJobQuery()
                                        .processInstanceId(pi)
                                        .suspended()
                                        .count()
                                    == 1));
      }
      for (String pi : pis) {
        runtime.removeVariable(pi, "reviewInputs");
      }
      java.nio.file.Files.move(gone, workspace.resolve("moved"));
    } finally {
      management.activateJobDefinitionById(logAttempt, true);
    }
    assertThat(cycles.await(pis.get(0), Duration.ofSeconds(30)).outcome()).isEqualTo("completed");
    org.camunda.bpm.engine.runtime.Incident incident =
        incidentOf(pis.get(1), Duration.ofSeconds(60));
    assertThat(incident.getIncidentMessage())
        .contains("handed over no reviewInputs", "upgrade the worker");
    runtime.deleteProcessInstance(pis.get(1), "test over");
  }

  /** The incident {@code pi} comes to within {@code timeout}. */
  org.camunda.bpm.engine.runtime.Incident incidentOf(String pi, Duration timeout) {
    return org.awaitility.Awaitility.await()
        .atMost(timeout)
        .until(
            () -> runtime.createIncidentQuery().processInstanceId(pi).singleResult(),
            i -> i != null);
  }

  /**
   * The job definition of {@code Task_LogAttempt}'s asynchronous start: suspended, it holds a cycle
   * right after its verification completed.
   */
  String logAttemptJobDefinition() {
    return management
        .createJobDefinitionQuery()
        .processDefinitionKey("stepCycle")
        .activityIdIn("Task_LogAttempt")
        .singleResult()
        .getId();
  }
}
