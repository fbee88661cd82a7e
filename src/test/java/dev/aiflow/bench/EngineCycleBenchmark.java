package dev.aiflow.bench;

import dev.aiflow.AiflowApplication;
import dev.aiflow.engine.stepcycle.StepCycleService;
import dev.aiflow.protocol.Protocol;
import dev.aiflow.protocol.StepResult;
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
 * benchmark thread starts an instance, completes its dispatch external task at once with a canned
 * StepResult (an in-process no-op agent), and waits for the end, signalled by the commit of the
 * instance's end ({@link EndSignal}), the same way for both. History is full. Three forks, four
 * warm-up iterations (the engine's deployment and expression caches settle in the first), six
 * measured: the ratio is reported per fork, with its spread.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 4, time = 5)
@Measurement(iterations = 6, time = 5)
@Fork(3)
public class EngineCycleBenchmark {

  static final String TWIN_KEY = "stepCycleTwin";
  static final String TWIN_TOPIC = "twin-dispatch";

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
                  "--spring.datasource.url=jdbc:h2:mem:bench;DB_CLOSE_DELAY=-1",
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
              .replaceAll(
                  "camunda:delegateExpression=\"\\$\\{[A-Za-z]+}\"",
                  "camunda:delegateExpression=\"\\${twinDelegate}\"");
      engine.getRepositoryService().createDeployment().addString("twin.bpmn", model).deploy();
    }

    @TearDown(Level.Trial)
    public void stop() {
      context.close();
    }

    /** Evidence files the canned result cites, so the QA gate has real files to hash. */
    String stepResult(String taskId, String run) throws IOException {
      String dir = ".artifacts/" + run + "/" + taskId + "/S1/";
      Files.createDirectories(workspace.resolve(dir));
      Files.writeString(workspace.resolve(dir + "cmd-1.log"), "ok\n");
      StepResult r =
          new StepResult(
              StepResult.SCHEMA,
              run,
              taskId,
              "S1",
              "PASS",
              "PASS_ALL_CRITERIA",
              "no-op agent",
              List.of("src/" + taskId + ".txt"),
              List.of(
                  new dev.aiflow.protocol.CommandRecord(
                      "grep -q 'status: done' src/" + taskId + ".txt", 0, dir + "cmd-1.log")),
              List.of(
                  new dev.aiflow.protocol.AcceptanceEvidence(
                      "AC-1", List.of(dir + "cmd-1.log"), null)),
              List.of(),
              "thread-" + taskId,
              "close");
      return Protocol.toJson(r);
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
    String task = "B-" + e.ids.incrementAndGet();
    String run = "RUN-" + task;
    Map<String, Object> vars = new HashMap<>();
    vars.put("projectId", "bench");
    vars.put("runId", run);
    vars.put("workspace", e.workspace.toString());
    vars.put("maxReworkRounds", 0);
    vars.put(
        "stepPack", SpinValues.jsonValue(dev.aiflow.support.Packs.stepPack(task, "pass")).create());
    String pi =
        drive(e, StepCycleService.PROCESS_KEY, "aiflow-dispatch", vars, e.stepResult(task, run));
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
    vars.put("workspace", e.workspace.toString());
    vars.put("maxReworkRounds", 0);
    vars.put(
        "stepPack", SpinValues.jsonValue(dev.aiflow.support.Packs.stepPack(task, "pass")).create());
    return drive(e, TWIN_KEY, TWIN_TOPIC, vars, e.stepResult(task, run));
  }

  /** Start, complete the one dispatch, wait for the end. */
  static String drive(Engine e, String key, String topic, Map<String, Object> vars, String result)
      throws InterruptedException, java.util.concurrent.TimeoutException {
    String pi = e.runtime.startProcessInstanceByKey(key, vars).getId();
    List<LockedExternalTask> locked = List.of();
    while (locked.isEmpty()) {
      locked =
          e.tasks.fetchAndLock(1, "bench").topic(topic, 60_000).execute(); // one instance at a time
    }
    LockedExternalTask t = locked.get(0);
    Map<String, Object> done = new HashMap<>();
    done.put("stepResult", SpinValues.jsonValue(result).create());
    done.put("dispatchOutcome", "OK");
    done.put("threadId", "thread");
    done.put("dispatchExternalTaskId", t.getId());
    done.put("dispatchActivityId", t.getActivityId());
    done.put("dispatchActivityInstanceId", t.getActivityInstanceId());
    done.put("dispatchBackend", "mock");
    done.put("dispatchElapsedMs", 0L);
    e.tasks.complete(t.getId(), "bench", done);
    // the log/review/finalize part runs as a job (asyncBefore), on the job executor; both sides
    // are woken by the same signal, the commit of their instance's end (no polling query)
    e.ends.await(pi, java.time.Duration.ofMinutes(1));
    return pi;
  }
}
