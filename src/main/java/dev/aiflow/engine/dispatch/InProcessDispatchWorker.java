package dev.aiflow.engine.dispatch;

import dev.aiflow.config.AiflowProperties;
import dev.aiflow.engine.EngineVariables;
import dev.aiflow.engine.LoggerRegistry;
import dev.aiflow.engine.stepcycle.StepCycleVars;
import dev.aiflow.protocol.Protocol;
import dev.aiflow.protocol.ProtocolException;
import dev.aiflow.worker.ShimRegistry;
import java.net.InetAddress;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.camunda.bpm.engine.ExternalTaskService;
import org.camunda.bpm.engine.externaltask.LockedExternalTask;
import org.camunda.bpm.engine.variable.VariableMap;
import org.camunda.bpm.engine.variable.value.TypedValue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

/**
 * Runs the dispatch external tasks inside the server: fetches and locks them (each fetch, each lock
 * extension and each completion is its own short transaction, so no database transaction is held
 * while an agent runs), runs the agent, completes with the StepResult, or reports a failure with
 * retries; when they run out Camunda raises an incident, visible in Cockpit. Off with {@code
 * aiflow.worker.in-process=false} (remote workers only).
 */
@Component
public class InProcessDispatchWorker implements SmartLifecycle {

  private static final Logger LOG = LoggerFactory.getLogger(InProcessDispatchWorker.class);

  /** The chain event that records a run the server stopped (docs/chain-format.md). */
  public static final String INTERRUPTED_EVENT = "dispatch_interrupted";

  // the project, to record an interrupted run in its chain
  private static final List<String> FETCHED_DISPATCH = with(AgentDispatchHandler.INPUTS);
  private static final List<String> FETCHED_VERIFY = with(VerifyHandler.INPUTS);

  private static List<String> with(List<String> inputs) {
    List<String> all = new java.util.ArrayList<>(inputs);
    all.add(StepCycleVars.PROJECT_ID);
    return List.copyOf(all);
  }

  private final ExternalTaskService tasks;
  private final AiflowProperties.Worker config;
  private final AiflowProperties properties;
  private final AgentDispatchHandler handler;
  private final VerifyHandler verifier;
  private final WorkerKernel kernel;
  private final DispatchSignal signal;
  private final String workerId;
  private final Semaphore slots;
  private final LoggerRegistry loggers;
  private volatile boolean running;
  // set when the server stops: running agents are stopped and their tasks handed back at once
  private volatile boolean stopping;
  private Thread poller;
  private ExecutorService executor;

  public InProcessDispatchWorker(
      ExternalTaskService tasks,
      AiflowProperties properties,
      ShimRegistry shims,
      DispatchSignal signal,
      WorkerKernel kernel,
      LoggerRegistry loggers) {
    this.tasks = tasks;
    this.loggers = loggers;
    this.properties = properties;
    this.config = properties.worker();
    this.signal = signal;
    this.kernel = kernel;
    this.handler =
        new AgentDispatchHandler(
            config, shims, properties.dataDir().resolve("workspace").toAbsolutePath(), kernel);
    this.verifier = new VerifyHandler(kernel, config.lockDuration());
    this.workerId = "aiflow-" + host() + "-" + UUID.randomUUID().toString().substring(0, 8);
    this.slots = new Semaphore(config.maxParallelSteps());
  }

  public String workerId() {
    return workerId;
  }

  @Override
  public void start() {
    if (!config.inProcess()) {
      LOG.info("in-process dispatch worker is off (aiflow.worker.in-process=false)");
      return;
    }
    kernel.sandbox().warning().ifPresent(w -> LOG.warn("agents run without a sandbox: {}", w));
    // agents a previous server process left running (killed, not stopped) must not keep working
    // in workspaces the re-dispatched tasks are about to use
    for (var left :
        dev.aiflow.config.KernelSettings.agentRecords(properties).reapLeftovers(config.grace())) {
      LOG.warn("stopped agent processes left by a previous server: {}", left);
    }
    running = true;
    executor =
        Executors.newFixedThreadPool(
            config.maxParallelSteps(),
            r -> {
              Thread t = new Thread(r, "aiflow-dispatch");
              t.setDaemon(true);
              return t;
            });
    poller = new Thread(this::poll, "aiflow-dispatch-poller");
    poller.setDaemon(true);
    poller.start();
    LOG.info(
        "dispatch worker {} polls topics {} and {}",
        workerId,
        AgentDispatchHandler.TOPIC,
        VerifyHandler.TOPIC);
  }

  private void poll() {
    while (running) {
      try {
        int free = slots.availablePermits();
        List<LockedExternalTask> locked =
            free == 0
                ? List.of()
                : tasks
                    .fetchAndLock(free, workerId)
                    .topic(AgentDispatchHandler.TOPIC, config.lockDuration().toMillis())
                    .variables(FETCHED_DISPATCH)
                    .topic(VerifyHandler.TOPIC, config.lockDuration().toMillis())
                    .variables(FETCHED_VERIFY)
                    .processInstanceVariableEquals(StepCycleVars.DISPATCH_KERNEL, kernel.id())
                    .execute();
        if (locked.isEmpty()) {
          signal.await(free == 0 ? Duration.ofMillis(50) : config.pollInterval());
          continue;
        }
        for (LockedExternalTask task : locked) {
          slots.acquire();
          executor.execute(
              () -> {
                try {
                  run(task);
                } finally {
                  slots.release();
                  signal.signal();
                }
              });
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      } catch (RuntimeException e) {
        if (running) {
          LOG.warn("fetching dispatch tasks failed; retrying: {}", e.getMessage());
          sleep(config.pollInterval());
        }
      }
    }
  }

  private void run(LockedExternalTask task) {
    VariableMap v = task.getVariables();
    String stepPack = EngineVariables.json(v, StepCycleVars.STEP_PACK);
    String pack =
        AgentDispatchHandler.Task.pick(
            v.get(StepCycleVars.REWORK_ROUND),
            stepPack,
            EngineVariables.json(v, StepCycleVars.REWORK_PACK));
    String kind = AgentDispatchHandler.Task.kind(v.get(StepCycleVars.REWORK_ROUND));
    if (stopping) {
      release(task, pack, kind, "fetched while the server was stopping");
      return;
    }
    try {
      AgentDispatchHandler.Decision decision =
          VerifyHandler.TOPIC.equals(task.getTopicName())
              ? verifier.handle(
                  new VerifyHandler.Task(
                      task.getId(),
                      pack,
                      kind,
                      string(v.get(StepCycleVars.WORKSPACE)),
                      string(v.get(StepCycleVars.DISPATCH_BACKEND)),
                      EngineVariables.json(v, StepCycleVars.STEP_RESULT)),
                  d -> extend(task, d),
                  () -> stopping)
              : handler.handle(
                  new AgentDispatchHandler.Task(
                      task.getId(),
                      task.getActivityId(),
                      task.getActivityInstanceId(),
                      pack,
                      kind,
                      string(v.get(StepCycleVars.THREAD_ID)),
                      string(v.get(StepCycleVars.WORKSPACE)),
                      string(v.get(StepCycleVars.WORKER_SHIM)),
                      AgentDispatchHandler.tierOf(stepPack)),
                  d -> extend(task, d),
                  () -> stopping);
      if (decision instanceof AgentDispatchHandler.Complete c) {
        Map<String, Object> vars = new HashMap<>(c.variables());
        c.jsonVariables().forEach((k, json) -> vars.put(k, EngineVariables.jsonValue(json)));
        tasks.complete(task.getId(), workerId, vars);
      } else if (decision instanceof AgentDispatchHandler.Fail f) {
        int remaining =
            f.retriable()
                ? (task.getRetries() == null ? config.retries() : task.getRetries()) - 1
                : 0;
        LOG.warn("dispatch {} failed ({} retries left): {}", task.getId(), remaining, f.details());
        tasks.handleFailure(
            task.getId(),
            workerId,
            f.message(),
            f.details(),
            Math.max(0, remaining),
            config.retryBackoff().toMillis());
      } else if (decision instanceof AgentDispatchHandler.Abandon a) {
        if (stopping) {
          release(task, pack, kind, "the server stopped while it ran");
        } else {
          LOG.info("dispatch {}: {}", task.getId(), a.reason());
        }
      }
    } catch (RuntimeException e) {
      // the lock lapses and the task is dispatched again; the log append is idempotent
      LOG.error("dispatch {} could not be reported; it will be redelivered", task.getId(), e);
    }
  }

  /**
   * Hands a task this stopping server holds back at once: records the interrupted run in the task's
   * chain ({@value #INTERRUPTED_EVENT}, once per task and worker), then unlocks it, so another
   * node, or this one after its restart, fetches it on its next poll instead of after the lock
   * expires. Unlocking keeps the retries: a run the server stopped is not the task's failure.
   */
  private void release(LockedExternalTask task, String pack, String kind, String why) {
    try {
      String projectId = string(task.getVariables().get(StepCycleVars.PROJECT_ID));
      String taskId = taskIdOf(pack, kind);
      if (projectId != null && taskId != null) {
        Map<String, Object> fields = new java.util.LinkedHashMap<>();
        fields.put("topic", task.getTopicName());
        fields.put("pack_kind", kind);
        fields.put("worker_id", workerId);
        fields.put("reason", why);
        fields.put("released", "unlocked");
        Map<String, Object> engine = new java.util.LinkedHashMap<>();
        engine.put("process_instance_id", task.getProcessInstanceId());
        engine.put("activity_id", task.getActivityId());
        engine.put("activity_instance_id", task.getActivityInstanceId());
        engine.put("external_task_id", task.getId());
        engine.values().removeIf(java.util.Objects::isNull);
        fields.put("engine", engine);
        loggers
            .logger(projectId)
            .logTaskEvent(
                taskId, INTERRUPTED_EVENT, fields, "interrupted:" + task.getId() + ":" + workerId);
      }
    } catch (RuntimeException e) {
      // a closed task or an unwritable chain must not keep the task locked
      LOG.warn("could not record the interrupted run of {}: {}", task.getId(), e.getMessage());
    }
    try {
      tasks.unlock(task.getId());
      LOG.info("released {} ({}): {}", task.getId(), task.getTopicName(), why);
    } catch (RuntimeException e) {
      LOG.warn(
          "could not release {}; it waits for its lock to expire: {}",
          task.getId(),
          e.getMessage());
    }
  }

  private static String taskIdOf(String pack, String kind) {
    if (pack == null) {
      return null;
    }
    try {
      return StepCycleVars.PACK_KIND_REWORK.equals(kind)
          ? Protocol.parseReworkPack(pack).taskId()
          : Protocol.parseStepPack(pack).taskId();
    } catch (ProtocolException e) {
      return null;
    }
  }

  private boolean extend(LockedExternalTask task, Duration duration) {
    try {
      tasks.extendLock(task.getId(), workerId, duration.toMillis());
      return true;
    } catch (RuntimeException e) {
      LOG.info("lost the lock of dispatch {}: {}", task.getId(), e.getMessage());
      return false;
    }
  }

  private static String string(Object value) {
    if (value instanceof TypedValue t) {
      value = t.getValue();
    }
    return value == null ? null : value.toString();
  }

  private static String host() {
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (Exception e) {
      return "localhost";
    }
  }

  private static void sleep(Duration d) {
    try {
      Thread.sleep(d.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * On SIGTERM (Spring's shutdown): no new fetches; every running agent's process tree is stopped
   * (SIGTERM, SIGKILL after the grace) by its supervisor, which sees the withdrawal on its next
   * tick; each interrupted run is recorded and its task released (see {@link #release}). Threads
   * are not interrupted: an interrupt in the middle of a database call could break the connection
   * the release needs.
   */
  @Override
  public void stop() {
    stopping = true;
    running = false;
    signal.signal();
    if (poller != null) {
      try {
        poller.join(config.pollInterval().plusSeconds(10).toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    if (executor != null) {
      executor.shutdown();
      try {
        // the supervisors stop their trees within a tick plus the grace; the releases are quick
        if (!executor.awaitTermination(
            config.grace().plusSeconds(20).toMillis(), TimeUnit.MILLISECONDS)) {
          LOG.warn("dispatch runs still busy at shutdown; their tasks wait for their locks");
          executor.shutdownNow();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  @Override
  public boolean isRunning() {
    return running;
  }

  @Override
  public int getPhase() {
    return Integer.MAX_VALUE - 100; // after the engine, before the web server stops
  }
}
