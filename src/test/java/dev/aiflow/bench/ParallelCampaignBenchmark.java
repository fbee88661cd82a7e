package dev.aiflow.bench;

import dev.aiflow.AiflowApplication;
import dev.aiflow.campaign.CampaignSpec;
import dev.aiflow.campaign.CampaignView;
import dev.aiflow.campaign.StepPackMap;
import dev.aiflow.engine.campaign.CampaignService;
import dev.aiflow.support.Packs;
import dev.aiflow.support.Queues;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.camunda.bpm.engine.ExternalTaskService;
import org.camunda.bpm.engine.ProcessEngine;
import org.camunda.bpm.engine.RuntimeService;
import org.camunda.bpm.engine.delegate.JavaDelegate;
import org.camunda.bpm.engine.externaltask.LockedExternalTask;
import org.camunda.spin.plugin.variable.SpinValues;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Campaign throughput with {@code lanes} = 1, 2, 4 and 8 parallel tasks (issue 20,
 * docs/performance.md "Parallel campaigns"). One invocation runs a whole campaign over a {@value
 * #TASKS}-task queue whose tasks touch disjoint files, so the lanes never wait for one another's
 * paths.
 *
 * <ul>
 *   <li>{@code aiflowCampaign}: campaign.bpmn with its real delegates and the real step cycle over
 *       a git repository (git isolation: a worktree per task, integration with re-verification),
 *       the real in-process worker ({@code max-parallel-steps} 8) running the mock shim behind a
 *       wrapper that first sleeps {@value #AGENT_MS} ms (an agent's thinking time), the kernel's
 *       real observation and re-run of the required command, QA, chain, queue, scoreboard.
 *   <li>{@code bareEngineLoop}: twins of both models in the same engine, every delegate a no-op
 *       that sets only what the gateways read, the same lanes; a no-op agent completes each
 *       dispatch {@value #AGENT_MS} ms after it was fetched, and each verification at once.
 * </ul>
 *
 * Both wait for the commit of the campaign instance's end ({@link EndSignal}). Tasks per second =
 * {@value #TASKS} / the time of one invocation; the ideal for {@code lanes} lanes is {@code lanes *
 * 1000 / AGENT_MS}.
 */
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 1)
@Measurement(iterations = 3)
@Fork(1)
public class ParallelCampaignBenchmark {

  static final int TASKS = 16;
  static final int AGENT_MS = 500;
  static final String CAMPAIGN_TWIN = "campaignParallelTwin";
  static final String CYCLE_TWIN = "stepCycleParallelTwin";
  static final String TWIN_DISPATCH = "twin-parallel-dispatch";
  static final String TWIN_VERIFY = "twin-parallel-verify";

  /** The lanes of the twin (one JMH fork per value, so a static is enough). */
  static volatile int twinLanes = 1;

  @State(Scope.Benchmark)
  public static class Engine {
    @Param({"1", "2", "4", "8"})
    public int lanes;

    ConfigurableApplicationContext context;
    RuntimeService runtime;
    ExternalTaskService tasks;
    CampaignService campaigns;
    EndSignal ends;
    dev.aiflow.engine.dispatch.DispatchSignal signal;
    Path data;
    Thread agent;
    ScheduledExecutorService later;
    volatile boolean running = true;
    final AtomicInteger runs = new AtomicInteger();

    @Setup(Level.Trial)
    public void start() throws Exception {
      twinLanes = lanes;
      data = Files.createTempDirectory("aiflow-bench-parallel");
      // the wrapper lives under target/: a sandboxed agent sees the host read-only, not /tmp
      Path shimDir = Files.createDirectories(Path.of("target/bench-shim").toAbsolutePath());
      Path shim = shimDir.resolve("slow-mock-shim");
      Files.writeString(
          shim,
          "#!/usr/bin/env bash\nsleep "
              + (AGENT_MS / 1000.0)
              + "\nexec "
              + Path.of("examples/orchestrator/mock-shim").toAbsolutePath()
              + " \"$@\"\n",
          StandardCharsets.UTF_8);
      Files.setPosixFilePermissions(shim, PosixFilePermissions.fromString("rwxr-xr-x"));
      context =
          new SpringApplicationBuilder(AiflowApplication.class, TwinDelegates.class)
              .profiles("engine")
              .run(
                  "--aiflow.data-dir=" + data,
                  "--spring.datasource.url=" + BenchDatabase.url(data, "bench-parallel"),
                  "--aiflow.worker.shim=" + shim,
                  "--aiflow.worker.max-parallel-steps=8",
                  "--aiflow.worker.poll-interval=100ms",
                  "--aiflow.allowed-roots=" + data,
                  "--aiflow.demo.on-start=false",
                  "--aiflow.admin.password=" + java.util.UUID.randomUUID(),
                  "--logging.level.root=WARN",
                  "--spring.main.banner-mode=off");
      ProcessEngine engine = context.getBean(ProcessEngine.class);
      runtime = engine.getRuntimeService();
      tasks = engine.getExternalTaskService();
      signal = context.getBean(dev.aiflow.engine.dispatch.DispatchSignal.class);
      campaigns = context.getBean(CampaignService.class);
      ends = context.getBean(EndSignal.class);
      String cycle =
          Files.readString(Path.of("processes/step-cycle.bpmn"), StandardCharsets.UTF_8)
              .replace("id=\"stepCycle\"", "id=\"" + CYCLE_TWIN + "\"")
              .replace(
                  "camunda:topic=\"aiflow-dispatch\"", "camunda:topic=\"" + TWIN_DISPATCH + "\"")
              .replace("camunda:topic=\"aiflow-verify\"", "camunda:topic=\"" + TWIN_VERIFY + "\"");
      String campaign =
          Files.readString(Path.of("processes/campaign.bpmn"), StandardCharsets.UTF_8)
              .replace("id=\"campaign\"", "id=\"" + CAMPAIGN_TWIN + "\"")
              .replace("calledElement=\"stepCycle\"", "calledElement=\"" + CYCLE_TWIN + "\"");
      engine
          .getRepositoryService()
          .createDeployment()
          .addString("twin-parallel-cycle.bpmn", CampaignBenchmark.Engine.twin(cycle))
          .addString("twin-parallel-campaign.bpmn", CampaignBenchmark.Engine.twin(campaign))
          .deploy();
      later = Executors.newSingleThreadScheduledExecutor();
      agent = new Thread(this::noOpAgent, "no-op-agent");
      agent.setDaemon(true);
      agent.start();
    }

    @TearDown(Level.Trial)
    public void stop() throws InterruptedException {
      if (Boolean.getBoolean("bench.activities")) {
        printActivities();
      }
      running = false;
      agent.join(5000);
      later.shutdownNow();
      context.close();
    }

    /**
     * Where the time went ({@code -Dbench.activities=true}, via {@code -jvmArgsAppend}): per model
     * and activity, how many ran and their total and mean duration, longest total first.
     */
    void printActivities() {
      Map<String, long[]> sums = new java.util.TreeMap<>();
      for (var a :
          context
              .getBean(ProcessEngine.class)
              .getHistoryService()
              .createHistoricActivityInstanceQuery()
              .finished()
              .list()) {
        if (a.getDurationInMillis() == null) {
          continue;
        }
        long[] v =
            sums.computeIfAbsent(
                a.getProcessDefinitionKey() + " " + a.getActivityId(), k -> new long[2]);
        v[0]++;
        v[1] += a.getDurationInMillis();
      }
      System.out.println("lanes=" + lanes + ": model activity count total_ms mean_ms");
      sums.entrySet().stream()
          .sorted((x, y) -> Long.compare(y.getValue()[1], x.getValue()[1]))
          .limit(25)
          .forEach(
              e ->
                  System.out.printf(
                      "  %-60s %5d %8d %7.1f%n",
                      e.getKey(),
                      e.getValue()[0],
                      e.getValue()[1],
                      e.getValue()[1] / (double) e.getValue()[0]));
    }

    /** The twin's agent: a dispatch completes {@value #AGENT_MS} ms after its fetch. */
    void noOpAgent() {
      while (running) {
        List<LockedExternalTask> locked =
            tasks
                .fetchAndLock(16, "no-op")
                .topic(TWIN_DISPATCH, 60_000)
                .topic(TWIN_VERIFY, 60_000)
                .execute();
        if (locked.isEmpty()) {
          try {
            signal.await(Duration.ofMillis(20));
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
          }
          continue;
        }
        for (LockedExternalTask t : locked) {
          boolean dispatch = TWIN_DISPATCH.equals(t.getTopicName());
          Runnable complete =
              () -> {
                try {
                  Map<String, Object> done = new HashMap<>();
                  if (dispatch) {
                    done.put("dispatchOutcome", "OK");
                  }
                  tasks.complete(t.getId(), "no-op", done);
                } catch (Exception e) {
                  e.printStackTrace();
                }
              };
          later.schedule(complete, dispatch ? AGENT_MS : 0, TimeUnit.MILLISECONDS);
        }
      }
    }

    /** A fresh queue and map of {@value #TASKS} tasks on disjoint files for one campaign. */
    CampaignSpec freshCampaign() throws Exception {
      int run = runs.incrementAndGet();
      Path queue = data.resolve("run-" + run + "/task_queue.json");
      Path workspace = Files.createDirectories(data.resolve("run-" + run + "/workspace"));
      // a git repository: each task in its own worktree (in a shared workspace the kernel sees the
      // other lanes' changes too, see docs/performance.md)
      Files.writeString(workspace.resolve("README.md"), "bench\n");
      git(workspace, "init", "-q", "-b", "main");
      git(workspace, "add", "-A");
      git(workspace, "commit", "-q", "-m", "base");
      List<Queues.Item> items = new ArrayList<>();
      for (int i = 0; i < TASKS; i++) {
        items.add(Queues.Item.of("P" + run + "-" + i, i % 4, "pass"));
      }
      String packs = Queues.write(queue, 1, items);
      return CampaignSpec.builder("bench-parallel-" + run, queue)
          .stepPacks(StepPackMap.fromJson(packs, "packs"))
          .maxCycles(TASKS + 10)
          .maxStagnantCycles(0)
          .maxReworkRounds(0)
          .maxParallelTasks(lanes)
          .workspace(workspace)
          .skipBackendHealthCheck(true)
          .build();
    }
  }

  static void git(Path dir, String... args) throws Exception {
    List<String> argv =
        new ArrayList<>(
            List.of("git", "-c", "user.name=bench", "-c", "user.email=bench@localhost"));
    argv.addAll(List.of(args));
    Process p = new ProcessBuilder(argv).directory(dir.toFile()).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (p.waitFor() != 0) {
      throw new IllegalStateException("git " + String.join(" ", args) + ": " + out);
    }
  }

  /** The twins' one delegate: sets what the gateways read, nothing else. */
  public static class TwinDelegates {
    @org.springframework.context.annotation.Bean
    EndSignal endSignal() {
      return new EndSignal();
    }

    @org.springframework.context.annotation.Bean
    JavaDelegate twinDelegate() {
      String pack = Packs.stepPack("TWIN", "pass");
      return ex -> {
        switch (ex.getCurrentActivityId()) {
          case "Task_ValidateIntake" -> {
            ex.setVariable("risk", "low");
            ex.setVariable("stepCount", 1);
            ex.setVariable("allowedPathCount", 1);
            ex.setVariable("executionRoute", "direct-edit");
          }
          case "Task_QaReview" -> ex.setVariable("qaVerdict", "PASS");
          case "Task_StartCampaign" -> {
            ex.setVariable("cyclesDone", 0);
            ex.setVariable("selected", 0);
            ex.setVariable("stagnantCycles", 0);
            ex.setVariable("maxCycles", TASKS + 10);
            ex.setVariable("maxStagnantCycles", 0);
            ex.setVariable("cancelRequested", false);
            ex.setVariable("budgetExhausted", false);
            ex.setVariable("workLeft", true);
            ex.setVariable("breakerTripped", false);
            ex.setVariable("breakerStopped", false);
            ex.setVariable("maxParallelTasks", twinLanes);
          }
          case "Task_SelectNextTask" -> {
            // the campaign's own steps are exclusive jobs of its instance: no two lanes race here
            int selected = (Integer) ex.getVariable("selected");
            ex.setVariable("taskSelected", selected < TASKS);
            ex.setVariable("selected", selected + 1);
            ex.setVariable("othersBusy", false);
            ex.setVariable("currentRunId", "RUN-TWIN-" + selected);
          }
          case "Task_ResolveStepPack" -> {
            ex.setVariable("stepPackResolved", true);
            ex.setVariable("currentStepPack", SpinValues.jsonValue(pack).create());
          }
          case "Task_FinalizeQueue" ->
              ex.setVariable("cyclesDone", (Integer) ex.getVariable("cyclesDone") + 1);
          default -> {
            // a no-op
          }
        }
      };
    }
  }

  @Benchmark
  public CampaignView aiflowCampaign(Engine e) throws Exception {
    String id = e.campaigns.start(e.freshCampaign(), "bench");
    e.ends.await(id, Duration.ofMinutes(10));
    CampaignView v = e.campaigns.find(id).orElseThrow();
    if (!Boolean.TRUE.equals(v.allCompleted()) || v.cyclesDone() != TASKS) {
      throw new IllegalStateException("the benchmark campaign did not complete every task: " + v);
    }
    return v;
  }

  @Benchmark
  public String bareEngineLoop(Engine e) throws Exception {
    Map<String, Object> vars = new HashMap<>();
    vars.put("projectId", "twin");
    vars.put("maxReworkRounds", 0);
    String pi = e.runtime.startProcessInstanceByKey(CAMPAIGN_TWIN, vars).getId();
    e.ends.await(pi, Duration.ofMinutes(10));
    if (e.runtime.createProcessInstanceQuery().processInstanceId(pi).count() != 0) {
      throw new IllegalStateException("the twin campaign signalled its end but still runs: " + pi);
    }
    return pi;
  }
}
