package dev.aiflow.engine.dispatch;

import dev.aiflow.config.AiflowProperties;
import dev.aiflow.engine.stepcycle.StepCycleVars;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import org.camunda.bpm.client.ExternalTaskClient;
import org.camunda.bpm.client.ExternalTaskClientBuilder;
import org.camunda.bpm.client.backoff.ExponentialBackoffStrategy;
import org.camunda.bpm.client.interceptor.auth.BasicAuthProvider;
import org.camunda.bpm.client.task.ExternalTask;
import org.camunda.bpm.client.task.ExternalTaskService;
import org.camunda.bpm.client.variable.ClientValues;
import org.camunda.bpm.engine.variable.value.TypedValue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A dispatch worker in another process (the scale-out path): Camunda's own external task client
 * subscribes to {@value AgentDispatchHandler#TOPIC} on {@code /engine-rest} with HTTP Basic
 * credentials and does the same job as the in-process worker, with the same handlers. It verifies
 * only the steps its own kernel dispatched ({@code dispatchKernel}). The workspace must be the one
 * the server sees (a shared volume), because the QA gate reads the evidence there. See
 * docs/architecture.md, "Remote workers".
 */
public final class RemoteDispatchWorker implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(RemoteDispatchWorker.class);

  private final ExternalTaskClient client;
  private final AtomicBoolean stopping;

  private RemoteDispatchWorker(ExternalTaskClient client, AtomicBoolean stopping) {
    this.client = client;
    this.stopping = stopping;
  }

  /**
   * Starts subscribing.
   *
   * @param engineRest e.g. {@code http://127.0.0.1:8080/engine-rest}
   * @param workspace used when a dispatch names none; null uses the dispatch's own
   * @param longPoll how long the server may hold a fetch open waiting for work (Camunda's long
   *     polling); null polls with a bounded back-off instead
   */
  public static RemoteDispatchWorker start(
      String engineRest,
      String user,
      String password,
      AiflowProperties.Worker config,
      Path workspace,
      Duration longPoll,
      WorkerKernel kernel) {
    String workerId = "aiflow-remote-" + UUID.randomUUID().toString().substring(0, 8);
    AgentDispatchHandler handler = new AgentDispatchHandler(config, workspace, kernel);
    VerifyHandler verifier = new VerifyHandler(kernel, config.lockDuration());
    ExternalTaskClientBuilder builder =
        ExternalTaskClient.create()
            .baseUrl(engineRest)
            .workerId(workerId)
            .maxTasks(config.maxParallelSteps())
            .lockDuration(config.lockDuration().toMillis())
            .backoffStrategy(
                new ExponentialBackoffStrategy(
                    config.pollInterval().toMillis(), 2, config.pollInterval().toMillis() * 10))
            .addInterceptor(new BasicAuthProvider(user, password));
    if (longPoll != null) {
      builder.asyncResponseTimeout(longPoll.toMillis());
    }
    ExternalTaskClient client = builder.build();
    AtomicBoolean stopping = new AtomicBoolean();
    client
        .subscribe(AgentDispatchHandler.TOPIC)
        .variables(AgentDispatchHandler.INPUTS.toArray(String[]::new))
        .handler((task, service) -> run(handler, config, workspace, stopping, task, service))
        .open();
    // the kernel's verification runs where the snapshot and the workspace are: on the kernel
    // that dispatched, which may be this worker
    client
        .subscribe(VerifyHandler.TOPIC)
        .variables(VerifyHandler.INPUTS.toArray(String[]::new))
        .processVariableEquals(StepCycleVars.DISPATCH_KERNEL, kernel.id())
        .handler((task, service) -> verify(verifier, config, workspace, stopping, task, service))
        .open();
    LOG.info(
        "remote dispatch worker {} subscribed to {} at {}",
        workerId,
        AgentDispatchHandler.TOPIC,
        engineRest);
    return new RemoteDispatchWorker(client, stopping);
  }

  private static void verify(
      VerifyHandler verifier,
      AiflowProperties.Worker config,
      Path workspace,
      AtomicBoolean stopping,
      ExternalTask task,
      ExternalTaskService service) {
    if (stopping.get()) {
      release(service, task, "fetched while the worker was stopping");
      return;
    }
    String ws = text(task, StepCycleVars.WORKSPACE);
    VerifyHandler.Task input =
        new VerifyHandler.Task(
            task.getId(),
            AgentDispatchHandler.Task.pick(
                task.getVariable(StepCycleVars.REWORK_ROUND),
                text(task, StepCycleVars.STEP_PACK),
                text(task, StepCycleVars.REWORK_PACK)),
            AgentDispatchHandler.Task.kind(task.getVariable(StepCycleVars.REWORK_ROUND)),
            ws != null ? ws : workspace == null ? null : workspace.toString(),
            text(task, StepCycleVars.DISPATCH_BACKEND),
            text(task, StepCycleVars.STEP_RESULT));
    report(
        verifier.handle(input, d -> extend(service, task, d), stopping::get),
        config,
        stopping,
        task,
        service);
  }

  private static void run(
      AgentDispatchHandler handler,
      AiflowProperties.Worker config,
      Path workspace,
      AtomicBoolean stopping,
      ExternalTask task,
      ExternalTaskService service) {
    if (stopping.get()) {
      release(service, task, "fetched while the worker was stopping");
      return;
    }
    String ws = text(task, StepCycleVars.WORKSPACE);
    AgentDispatchHandler.Task input =
        new AgentDispatchHandler.Task(
            task.getId(),
            task.getActivityId(),
            task.getActivityInstanceId(),
            AgentDispatchHandler.Task.pick(
                task.getVariable(StepCycleVars.REWORK_ROUND),
                text(task, StepCycleVars.STEP_PACK),
                text(task, StepCycleVars.REWORK_PACK)),
            AgentDispatchHandler.Task.kind(task.getVariable(StepCycleVars.REWORK_ROUND)),
            text(task, StepCycleVars.THREAD_ID),
            ws != null ? ws : workspace == null ? null : workspace.toString(),
            text(task, StepCycleVars.WORKER_SHIM),
            AgentDispatchHandler.tierOf(text(task, StepCycleVars.STEP_PACK)));
    report(
        handler.handle(input, d -> extend(service, task, d), stopping::get),
        config,
        stopping,
        task,
        service);
  }

  private static void report(
      AgentDispatchHandler.Decision decision,
      AiflowProperties.Worker config,
      AtomicBoolean stopping,
      ExternalTask task,
      ExternalTaskService service) {
    if (decision instanceof AgentDispatchHandler.Complete c) {
      Map<String, Object> vars = new HashMap<>(c.variables());
      c.jsonVariables().forEach((k, json) -> vars.put(k, ClientValues.jsonValue(json)));
      service.complete(task, vars);
    } else if (decision instanceof AgentDispatchHandler.Fail f) {
      int remaining =
          f.retriable()
              ? (task.getRetries() == null ? config.retries() : task.getRetries()) - 1
              : 0;
      service.handleFailure(
          task, f.message(), f.details(), Math.max(0, remaining), config.retryBackoff().toMillis());
    } else if (decision instanceof AgentDispatchHandler.Abandon a) {
      if (stopping.get()) {
        release(service, task, "the worker stopped while it ran");
      } else {
        LOG.info("dispatch {}: {}", task.getId(), a.reason());
      }
    }
  }

  /**
   * Hands a task back at once when the worker stops, so another worker (or this one after its
   * restart) fetches it on its next poll instead of after the lock expires. The interrupted run is
   * not written to the chain from here: a remote worker has no access to it; the next attempt's own
   * record shows the retry.
   */
  private static void release(ExternalTaskService service, ExternalTask task, String why) {
    try {
      service.unlock(task);
      LOG.info("released {} ({}): {}", task.getId(), task.getTopicName(), why);
    } catch (RuntimeException e) {
      LOG.warn(
          "could not release {}; it waits for its lock to expire: {}",
          task.getId(),
          e.getMessage());
    }
  }

  private static boolean extend(ExternalTaskService service, ExternalTask task, Duration d) {
    try {
      service.extendLock(task, d.toMillis());
      return true;
    } catch (RuntimeException e) {
      LOG.info("lost the lock of dispatch {}: {}", task.getId(), e.getMessage());
      return false;
    }
  }

  private static String text(ExternalTask task, String name) {
    TypedValue value = task.getVariableTyped(name);
    return value == null || value.getValue() == null ? null : value.getValue().toString();
  }

  /**
   * Stops the worker: no new fetches; a running agent's process tree is stopped by its supervisor
   * on its next tick, and its task is unlocked (see {@link #release}). Returns when the running
   * handler has finished, which Camunda's client waits for.
   */
  @Override
  public void close() {
    stopping.set(true);
    client.stop();
  }
}
