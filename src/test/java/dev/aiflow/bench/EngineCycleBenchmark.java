package dev.aiflow.bench;

import dev.aiflow.AiflowApplication;
import dev.aiflow.engine.stepcycle.StepCycleService;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
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
 * The engine overhead of one step cycle (docs/performance.md): {@code stepCycle} with its real
 * delegates (intake, DMN, prepare, chain appends with fsync, the QA gate hashing evidence,
 * finalize) against a twin deployed in the same engine: the same model, every delegate replaced by
 * a no-op that only sets the variables the gateways read. Both are driven the same way: the
 * benchmark thread starts an instance in a fresh workspace, completes its dispatch and its
 * verification with the same {@link BenchAgent} (the kernel's real snapshot, a passing StepResult
 * at once, the kernel's real observation and re-run), and waits for the end, signalled by the
 * commit of the instance's end ({@link EndSignal}), the same way for both. The kernel's time per
 * cycle is printed after each iteration. History is full. Three forks, eight warm-up iterations of
 * 10 s (the cycle time falls for the first five or six while the JIT compiles the engine and the
 * app), four measured: the ratio is reported per fork, with its spread. {@link #pairedCycles} runs
 * both in turn within each operation and prints each iteration's ratio: the one to judge by.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 8, time = 10)
@Measurement(iterations = 4, time = 10)
@Fork(3)
public class EngineCycleBenchmark {

  static final String TWIN_KEY = "stepCycleTwin";
  static final String TWIN_TOPIC = "twin-dispatch";
  static final String TWIN_VERIFY = "twin-verify";

  @State(Scope.Benchmark)
  public static class Engine {
    ConfigurableApplicationContext context;
    RuntimeService runtime;
    org.camunda.bpm.engine.HistoryService history;
    ExternalTaskService tasks;
    Path workspace;
    EndSignal ends;
    final AtomicInteger ids = new AtomicInteger();

    @Setup(Level.Trial)
    public void start() throws IOException {
      Path data = Files.createTempDirectory("aiflow-bench-engine");
      workspace = Files.createDirectories(data.resolve("workspace"));
      context =
          new SpringApplicationBuilder(AiflowApplication.class, TwinDelegates.class)
              .profiles("engine")
              .run(
                  "--aiflow.data-dir=" + data,
                  "--spring.datasource.url=" + BenchDatabase.url(data, "bench"),
                  "--aiflow.worker.in-process=false",
                  "--aiflow.admin.password=" + java.util.UUID.randomUUID(),
                  "--logging.level.root=WARN",
                  "--spring.main.banner-mode=off");
      ProcessEngine engine = context.getBean(ProcessEngine.class);
      runtime = engine.getRuntimeService();
      tasks = engine.getExternalTaskService();
      history = engine.getHistoryService();
      ends = context.getBean(EndSignal.class);
      String model =
          Files.readString(Path.of("processes/step-cycle.bpmn"), StandardCharsets.UTF_8)
              .replace("id=\"stepCycle\"", "id=\"" + TWIN_KEY + "\"")
              .replace("camunda:topic=\"aiflow-dispatch\"", "camunda:topic=\"" + TWIN_TOPIC + "\"")
              .replace("camunda:topic=\"aiflow-verify\"", "camunda:topic=\"" + TWIN_VERIFY + "\"")
              .replaceAll(
                  "camunda:delegateExpression=\"\\$\\{[A-Za-z]+}\"",
                  "camunda:delegateExpression=\"\\${twinDelegate}\"");
      engine.getRepositoryService().createDeployment().addString("twin.bpmn", model).deploy();
      agent = new BenchAgent(context.getBean(dev.aiflow.engine.dispatch.WorkerKernel.class));
    }

    BenchAgent agent;
    final AtomicInteger cycles = new AtomicInteger();

    /** The kernel's share of the iteration, for docs/performance.md. */
    @TearDown(Level.Iteration)
    public void kernelTime() {
      int n = cycles.getAndSet(0);
      double kernel = agent.kernelMillis(); // 0 after pairedCycles, which reports its own
      if (n > 0 && kernel > 0) {
        System.out.printf("%n[kernel: %.2f ms per cycle over %d cycles]%n", kernel / n, n);
      }
    }

    @TearDown(Level.Trial)
    public void stop() {
      context.close();
    }
  }

  /** The twin's only delegate: sets what the gateways read, nothing else. */
  public static class TwinDelegates {
    /** The completion signal both benchmarks wait for (added to the engine's plugins). */
    @org.springframework.context.annotation.Bean
    EndSignal endSignal() {
      return new EndSignal();
    }

    @org.springframework.context.annotation.Bean
    JavaDelegate twinDelegate() {
      return ex -> {
        switch (ex.getCurrentActivityId()) {
          case "Task_ValidateIntake" -> {
            ex.setVariable("risk", "low");
            ex.setVariable("stepCount", 1);
            ex.setVariable("allowedPathCount", 1);
            ex.setVariable("executionRoute", "direct-edit");
          }
          case "Task_QaReview" -> ex.setVariable("qaVerdict", "PASS");
          default -> {
            // nothing: a no-op
          }
        }
      };
    }
  }

  @Benchmark
  public String aiflowCycle(Engine e) throws Exception {
    return passed(e, driveAiflow(e));
  }

  private static String driveAiflow(Engine e) throws Exception {
    String task = "B-" + e.ids.incrementAndGet();
    String run = "RUN-" + task;
    Map<String, Object> vars = new HashMap<>();
    vars.put("projectId", "bench");
    vars.put("runId", run);
    vars.put("workspace", e.workspace.resolve(task).toString());
    vars.put("maxReworkRounds", 0);
    vars.put(
        "stepPack", SpinValues.jsonValue(dev.aiflow.support.Packs.stepPack(task, "pass")).create());
    return drive(e, StepCycleService.PROCESS_KEY, "aiflow-dispatch", "aiflow-verify", vars);
  }

  /** The benchmark's own check that aiflow's cycle passed: a history query the twin has not. */
  private static String passed(Engine e, String pi) {
    if (e.history
            .createHistoricActivityInstanceQuery()
            .processInstanceId(pi)
            .activityId("EndEvent_Completed")
            .count()
        != 1) {
      throw new IllegalStateException("the benchmark cycle did not pass: " + pi);
    }
    return pi;
  }

  @Benchmark
  public String bareEngineTwin(Engine e) throws Exception {
    String task = "T-" + e.ids.incrementAndGet();
    String run = "RUN-" + task;
    Map<String, Object> vars = new HashMap<>();
    vars.put("projectId", "twin");
    vars.put("runId", run);
    vars.put("workspace", e.workspace.resolve(task).toString());
    vars.put("maxReworkRounds", 0);
    vars.put(
        "stepPack", SpinValues.jsonValue(dev.aiflow.support.Packs.stepPack(task, "pass")).create());
    return drive(e, TWIN_KEY, TWIN_TOPIC, TWIN_VERIFY, vars);
  }

  /**
   * Both cycles paired, for a ratio both sides measure under the same load: one operation is one
   * aiflow cycle and one twin cycle, in alternating order, each timed on its own (start to the
   * commit of its end) with its kernel time taken out right after it. Forks and iterations of the
   * two separate benchmarks above run minutes apart, and this 2-core machine's load moves more
   * between them than the difference being measured; here each iteration prints its own ratio.
   */
  @Benchmark
  public void pairedCycles(Engine e, Pairs p) throws Exception {
    boolean aiflowFirst = (p.operations++ & 1) == 0;
    for (int i = 0; i < 2; i++) {
      boolean aiflow = aiflowFirst == (i == 0);
      e.agent.kernelMillis(); // what came before is no cycle's
      long t0 = System.nanoTime();
      String pi = aiflow ? driveAiflow(e) : bareEngineTwin(e);
      double ms = (System.nanoTime() - t0) / 1e6;
      double kernel = e.agent.kernelMillis();
      p.add(aiflow, ms, kernel);
      if (aiflow) {
        passed(e, pi); // after the clock: the twin's side has no such query
      }
    }
  }

  /** What {@link #pairedCycles} measured in one iteration. */
  @State(Scope.Benchmark)
  public static class Pairs {
    long operations;
    final double[] sums = new double[4]; // aiflow ms, aiflow kernel, twin ms, twin kernel
    int n;

    void add(boolean aiflow, double ms, double kernel) {
      int at = aiflow ? 0 : 2;
      sums[at] += ms;
      sums[at + 1] += kernel;
      if (!aiflow) {
        n++;
      }
    }

    @TearDown(Level.Iteration)
    public void print() {
      if (n > 0) {
        double a = sums[0] / n;
        double ak = sums[1] / n;
        double t = sums[2] / n;
        double tk = sums[3] / n;
        System.out.printf(
            "%n[paired over %d: aiflow %.2f ms (kernel %.2f), twin %.2f ms (kernel %.2f),"
                + " whole %.3fx, engine %.3fx]%n",
            n, a, ak, t, tk, a / t, (a - ak) / (t - tk));
      }
      java.util.Arrays.fill(sums, 0);
      n = 0;
    }
  }

  /**
   * Start in a fresh workspace of its own (the kernel's snapshot costs the same every time),
   * complete the dispatch and the verification with the shared agent, wait for the end.
   */
  static String drive(
      Engine e, String key, String dispatchTopic, String verifyTopic, Map<String, Object> vars)
      throws Exception {
    Path ws = Files.createDirectories(Path.of((String) vars.get("workspace")));
    String pi = e.runtime.startProcessInstanceByKey(key, vars).getId();
    LockedExternalTask dispatch = fetch(e, dispatchTopic);
    e.tasks.complete(dispatch.getId(), "bench", e.agent.dispatch(dispatch, ws));
    LockedExternalTask verify = fetch(e, verifyTopic);
    e.tasks.complete(verify.getId(), "bench", e.agent.verify(verify, ws));
    e.cycles.incrementAndGet();
    // the log/review/finalize part runs as a job (asyncBefore), on the job executor; both sides
    // are woken by the same signal, the commit of their instance's end (no polling query)
    e.ends.await(pi, java.time.Duration.ofMinutes(1));
    return pi;
  }

  /** The one task of {@code topic} (one instance runs at a time). */
  static LockedExternalTask fetch(Engine e, String topic) {
    List<LockedExternalTask> locked = List.of();
    while (locked.isEmpty()) {
      locked =
          e.tasks
              .fetchAndLock(1, "bench")
              .topic(topic, 60_000)
              .variables("stepPack", "stepResult")
              .execute();
    }
    return locked.get(0);
  }
}
