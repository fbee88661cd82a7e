package dev.aiflow.engine.dispatch;

import dev.aiflow.config.AiflowProperties;
import dev.aiflow.engine.EngineVariables;
import dev.aiflow.engine.stepcycle.StepCycleVars;
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

  private final ExternalTaskService tasks;
  private final AiflowProperties.Worker config;
  private final AgentDispatchHandler handler;
  private final DispatchSignal signal;
  private final String workerId;
  private final Semaphore slots;
  private volatile boolean running;
  private Thread poller;
  private ExecutorService executor;

  public InProcessDispatchWorker(
      ExternalTaskService tasks,
      AiflowProperties properties,
      ShimRegistry shims,
      DispatchSignal signal) {
    this.tasks = tasks;
    this.config = properties.worker();
    this.signal = signal;
    this.handler =
        new AgentDispatchHandler(
            config, shims, properties.dataDir().resolve("workspace").toAbsolutePath());
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
    LOG.info("dispatch worker {} polls topic {}", workerId, AgentDispatchHandler.TOPIC);
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
                    .variables(AgentDispatchHandler.INPUTS)
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
    AgentDispatchHandler.Task input =
        new AgentDispatchHandler.Task(
            task.getId(),
            task.getActivityId(),
            task.getActivityInstanceId(),
            AgentDispatchHandler.Task.pick(
                v.get(StepCycleVars.REWORK_ROUND),
                EngineVariables.json(v, StepCycleVars.STEP_PACK),
                EngineVariables.json(v, StepCycleVars.REWORK_PACK)),
            AgentDispatchHandler.Task.kind(v.get(StepCycleVars.REWORK_ROUND)),
            string(v.get(StepCycleVars.THREAD_ID)),
            string(v.get(StepCycleVars.WORKSPACE)),
            string(v.get(StepCycleVars.WORKER_SHIM)));
    try {
      AgentDispatchHandler.Decision decision = handler.handle(input, d -> extend(task, d));
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
        LOG.info("dispatch {}: {}", task.getId(), a.reason());
      }
    } catch (RuntimeException e) {
      // the lock lapses and the task is dispatched again; the log append is idempotent
      LOG.error("dispatch {} could not be reported; it will be redelivered", task.getId(), e);
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

  @Override
  public void stop() {
    running = false;
    if (poller != null) {
      poller.interrupt();
      signal.signal();
    }
    if (executor != null) {
      executor.shutdownNow(); // running agents are stopped; their tasks are redelivered
      try {
        executor.awaitTermination(10, TimeUnit.SECONDS);
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
