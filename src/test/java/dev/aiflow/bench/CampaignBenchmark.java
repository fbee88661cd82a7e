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
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
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
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Campaign throughput with no-op agents (docs/performance.md): one invocation runs a whole campaign
 * over a {@value #TASKS}-task queue. {@code aiflowCampaign} is campaign.bpmn with its real
 * delegates (queue file with lock and fsync, scoreboard, trends and summary, hash chain, the real
 * step cycle with QA); {@code bareEngineLoop} runs the same number of process instances through
 * twins of both models deployed in the same engine, every delegate a no-op that sets what the
 * gateways read. The same {@link BenchAgent} completes the dispatch and verification external tasks
 * of both: the kernel's real snapshot, a passing StepResult at once, the kernel's real observation
 * and re-run; each campaign has a fresh workspace. The kernel's time per task is printed after each
 * campaign. Both wait for their campaign the same way: woken by the commit of the instance's end
 * ({@link EndSignal}); aiflow used to poll its view every 200 ms and the bare loop every 1 ms.
 * Tasks per second = {@value #TASKS} / the time of one invocation. Three forks, three warm-up
 * campaigns each (the engine's caches settle in the first), three measured. {@link
 * #pairedCampaigns} runs one of each in turn per invocation and prints the pair's ratios: the one
 * to judge by, since both sides then see the same load.
 */
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3)
@Measurement(iterations = 3)
@Fork(3)
public class CampaignBenchmark {

  static final int TASKS = 200;
  static final String CAMPAIGN_TWIN = "campaignTwin";
  static final String CYCLE_TWIN = "stepCycleTwin";
  static final String TWIN_TOPIC = "twin-dispatch";
  static final String TWIN_VERIFY = "twin-verify";

  @State(Scope.Benchmark)
  public static class Engine {
    ConfigurableApplicationContext context;
    RuntimeService runtime;
    ExternalTaskService tasks;
    CampaignService campaigns;
    EndSignal ends;
    Path data;
    Path workspace;
    Thread agent;
    volatile boolean running = true;
    final AtomicInteger runs = new AtomicInteger();
    long pairs;

    @Setup(Level.Trial)
    public void start() throws Exception {
      data = Files.createTempDirectory("aiflow-bench-campaign");
      workspace = Files.createDirectories(data.resolve("workspace"));
      context =
          new SpringApplicationBuilder(AiflowApplication.class, TwinDelegates.class)
              .profiles("engine")
              .run(
                  "--aiflow.data-dir=" + data,
                  "--spring.datasource.url=" + BenchDatabase.url(data, "bench-campaign"),
                  "--aiflow.worker.in-process=false",
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
              .replace("camunda:topic=\"aiflow-dispatch\"", "camunda:topic=\"" + TWIN_TOPIC + "\"")
              .replace("camunda:topic=\"aiflow-verify\"", "camunda:topic=\"" + TWIN_VERIFY + "\"");
      String campaign =
          Files.readString(Path.of("processes/campaign.bpmn"), StandardCharsets.UTF_8)
              .replace("id=\"campaign\"", "id=\"" + CAMPAIGN_TWIN + "\"")
              .replace("calledElement=\"stepCycle\"", "calledElement=\"" + CYCLE_TWIN + "\"");
      engine
          .getRepositoryService()
          .createDeployment()
          .addString("twin-cycle.bpmn", twin(cycle))
          .addString("twin-campaign.bpmn", twin(campaign))
          .deploy();
      bench = new BenchAgent(context.getBean(dev.aiflow.engine.dispatch.WorkerKernel.class));
      agent = new Thread(this::noOpAgent, "no-op-agent");
      agent.setDaemon(true);
      agent.start();
    }

    static String twin(String model) {
      return model
          .replaceAll(
              "camunda:delegateExpression=\"\\$\\{[A-Za-z]+}\"",
              "camunda:delegateExpression=\"\\${twinDelegate}\"")
          .replaceAll("<camunda:executionListener [^>]*/>", "");
    }

    /** The kernel's share of the campaign just run, for docs/performance.md. */
    @TearDown(Level.Iteration)
    public void kernelTime() {
      double kernel = bench.kernelMillis(); // 0 after pairedCampaigns, which reports its own
      if (kernel > 0) {
        System.out.printf("%n[kernel: %.2f ms per task]%n", kernel / TASKS);
      }
    }

    @TearDown(Level.Trial)
    public void stop() throws InterruptedException {
      running = false;
      agent.join(5000);
      context.close();
    }

    /**
     * Completes every dispatch and verification of either loop with the same {@link BenchAgent}:
     * the kernel's real snapshot, a passing evidenced result at once, the kernel's real
     * verification.
     */
    dev.aiflow.engine.dispatch.DispatchSignal signal;

    BenchAgent bench;

    void noOpAgent() {
      while (running) {
        List<LockedExternalTask> locked =
            tasks
                .fetchAndLock(16, "no-op")
                .topic("aiflow-dispatch", 60_000)
                .variables("stepPack", "workspace")
                .topic(TWIN_TOPIC, 60_000)
                .variables("stepPack", "workspace")
                .topic("aiflow-verify", 60_000)
                .variables("stepPack", "workspace", "stepResult")
                .topic(TWIN_VERIFY, 60_000)
                .variables("stepPack", "workspace", "stepResult")
                .execute();
        if (locked.isEmpty()) {
          // wait for the engine's wake-up (a task committed), as the real in-process worker
          // does: a spinning poller would take a core from the engine on this 2-core VM
          try {
            signal.await(java.time.Duration.ofMillis(50));
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
          }
          continue;
        }
        for (LockedExternalTask t : locked) {
          try {
            Path ws = Path.of((String) t.getVariables().get("workspace"));
            boolean verify = t.getTopicName().endsWith("-verify");
            tasks.complete(
                t.getId(), "no-op", verify ? bench.verify(t, ws) : bench.dispatch(t, ws));
          } catch (Exception e) {
            e.printStackTrace();
          }
        }
      }
    }

    /** A fresh queue and map of {@value #TASKS} tasks for one campaign. */
    CampaignSpec freshCampaign() throws Exception {
      int run = runs.incrementAndGet();
      Path queue = data.resolve("run-" + run + "/task_queue.json");
      List<Queues.Item> items = new ArrayList<>();
      for (int i = 0; i < TASKS; i++) {
        items.add(Queues.Item.of("B" + run + "-" + i, i % 4, "pass"));
      }
      String packs = Queues.write(queue, 1, items);
      // a workspace per campaign: the kernel's snapshot costs the same in every campaign
      Path ws = Files.createDirectories(data.resolve("run-" + run + "/workspace"));
      return CampaignSpec.builder("bench-" + run, queue)
          .stepPacks(StepPackMap.fromJson(packs, "packs"))
          .maxCycles(TASKS + 10)
          .maxStagnantCycles(0)
          .maxReworkRounds(0)
          .workspace(ws)
          .skipBackendHealthCheck(true)
          .build();
    }
  }

  /** The twins' one delegate: sets what the gateways read, nothing else. */
  public static class TwinDelegates {
    /** The completion signal both loops wait for (added to the engine's plugins). */
    @org.springframework.context.annotation.Bean
    EndSignal endSignal() {
      return new EndSignal();
    }

    @org.springframework.context.annotation.Bean
    JavaDelegate twinDelegate() {
      AtomicInteger packs = new AtomicInteger();
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
            ex.setVariable("stagnantCycles", 0);
            ex.setVariable("maxCycles", TASKS + 10);
            ex.setVariable("maxStagnantCycles", 0);
            ex.setVariable("cancelRequested", false);
            ex.setVariable("budgetExhausted", false);
            ex.setVariable("workLeft", true);
            ex.setVariable("breakerTripped", false);
            ex.setVariable("breakerStopped", false);
            ex.setVariable("maxParallelTasks", 1);
          }
          case "Task_SelectNextTask" -> {
            int done = (Integer) ex.getVariable("cyclesDone");
            ex.setVariable("taskSelected", done < TASKS);
            ex.setVariable("othersBusy", false);
            ex.setVariable("endReason", done < TASKS ? null : "queue_drained");
            ex.setVariable("currentRunId", "RUN-TWIN");
          }
          case "Task_ResolveStepPack" -> {
            ex.setVariable("stepPackResolved", true);
            // a task of its own, as aiflow's: the workspace grows by one file per task on both
            // sides
            String pack = Packs.stepPack("TWIN-" + packs.incrementAndGet(), "pass");
            ex.setVariable("currentStepPack", SpinValues.jsonValue(pack).create());
          }
          case "Task_PrepareTaskWorkspace" ->
              ex.setVariable("taskWorkspace", ex.getVariable("workspace"));
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
    // the same wake-up as the bare loop: the commit of the instance's end, no polling
    e.ends.await(id, Duration.ofMinutes(30));
    CampaignView v = e.campaigns.find(id).orElseThrow();
    if (!Boolean.TRUE.equals(v.allCompleted()) || v.cyclesDone() != TASKS) {
      throw new IllegalStateException("the benchmark campaign did not complete every task: " + v);
    }
    return v;
  }

  /**
   * Both loops paired, for a ratio both measure under the same load: one invocation runs an aiflow
   * campaign and a bare-engine campaign of {@value #TASKS} tasks each, in alternating order, each
   * timed on its own with its kernel time taken out right after it, and prints the pair's ratios.
   */
  @Benchmark
  public void pairedCampaigns(Engine e) throws Exception {
    boolean aiflowFirst = (e.pairs++ & 1) == 0;
    double[] ms = new double[2];
    double[] kernel = new double[2];
    for (int i = 0; i < 2; i++) {
      int side = aiflowFirst == (i == 0) ? 0 : 1;
      e.bench.kernelMillis(); // what came before is no campaign's
      long t0 = System.nanoTime();
      if (side == 0) {
        aiflowCampaign(e);
      } else {
        bareEngineLoop(e);
      }
      ms[side] = (System.nanoTime() - t0) / 1e6 / TASKS;
      kernel[side] = e.bench.kernelMillis() / TASKS;
    }
    System.out.printf(
        "%n[paired per task: aiflow %.2f ms (kernel %.2f), bare %.2f ms (kernel %.2f),"
            + " whole throughput %.3fx, engine throughput %.3fx]%n",
        ms[0],
        kernel[0],
        ms[1],
        kernel[1],
        ms[1] / ms[0],
        (ms[1] - kernel[1]) / (ms[0] - kernel[0]));
  }

  @Benchmark
  public String bareEngineLoop(Engine e) throws Exception {
    Map<String, Object> vars = new HashMap<>();
    vars.put("projectId", "twin");
    vars.put("maxReworkRounds", 0);
    Path ws =
        Files.createDirectories(e.data.resolve("twin-" + e.runs.incrementAndGet() + "/workspace"));
    vars.put("workspace", ws.toString());
    String pi = e.runtime.startProcessInstanceByKey(CAMPAIGN_TWIN, vars).getId();
    e.ends.await(pi, Duration.ofMinutes(30));
    if (e.runtime.createProcessInstanceQuery().processInstanceId(pi).count() != 0) {
      throw new IllegalStateException("the twin campaign signalled its end but still runs: " + pi);
    }
    return pi;
  }
}
