package dev.aiflow.engine.metrics;

import dev.aiflow.metrics.AiflowMetrics;
import dev.aiflow.metrics.EngineState;
import dev.aiflow.triage.QueueCounts;
import dev.aiflow.triage.QueueStore;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.camunda.bpm.engine.ExternalTaskService;
import org.camunda.bpm.engine.ProcessEngine;
import org.camunda.bpm.engine.RuntimeService;
import org.camunda.bpm.engine.runtime.ProcessInstance;
import org.camunda.bpm.engine.runtime.VariableInstance;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

/**
 * Asks the engine, every {@code aiflow.metrics.poll-interval} (15 s), what the gauges of {@link
 * AiflowMetrics} show: running campaigns, external tasks per topic (waiting, locked, failed) and
 * the queue depth per project (the queue file of each running campaign, its {@code queuePath}
 * variable). The queries run on a thread of their own with no signed-in user, so Camunda's
 * authorizations do not narrow them to whoever scrapes; scrapes read the last answer and never
 * touch the database. Runs in the server only.
 */
@Component
@ConditionalOnWebApplication
public class EngineStatePoller implements SmartLifecycle {

  /** The campaign model's key and the variables the queue depth reads (docs/architecture.md). */
  static final String CAMPAIGN_KEY = "campaign";

  static final String PROJECT_ID = "projectId";
  static final String QUEUE_PATH = "queuePath";

  private static final Logger LOG = LoggerFactory.getLogger(EngineStatePoller.class);

  private final ProcessEngine engine;
  private final AiflowMetrics metrics;
  private final Duration interval;
  private ScheduledExecutorService timer;

  public EngineStatePoller(
      ProcessEngine engine,
      AiflowMetrics metrics,
      @Value("${aiflow.metrics.poll-interval:15s}") Duration interval) {
    this.engine = engine;
    this.metrics = metrics;
    this.interval = interval;
  }

  /** Asks the engine now and hands the answer to the gauges. */
  public EngineState refresh() {
    EngineState state = poll();
    metrics.engineState(state);
    return state;
  }

  /** What the engine has running, counted in its database. */
  EngineState poll() {
    RuntimeService runtime = engine.getRuntimeService();
    ExternalTaskService external = engine.getExternalTaskService();
    Map<String, Long> waiting = new TreeMap<>();
    Map<String, Long> locked = new TreeMap<>();
    Map<String, Long> failed = new TreeMap<>();
    for (String topic : external.getTopicNames()) {
      waiting.put(
          topic,
          external
              .createExternalTaskQuery()
              .topicName(topic)
              .notLocked()
              .withRetriesLeft()
              .count());
      locked.put(topic, external.createExternalTaskQuery().topicName(topic).locked().count());
      failed.put(
          topic, external.createExternalTaskQuery().topicName(topic).noRetriesLeft().count());
    }
    List<ProcessInstance> campaigns =
        runtime.createProcessInstanceQuery().processDefinitionKey(CAMPAIGN_KEY).list();
    return new EngineState(campaigns.size(), waiting, locked, failed, queues(runtime, campaigns));
  }

  /** Pending and in-progress tasks per project, each queue file counted once. */
  private static Map<String, EngineState.QueueDepth> queues(
      RuntimeService runtime, List<ProcessInstance> campaigns) {
    if (campaigns.isEmpty()) {
      return Map.of();
    }
    Map<String, Map<String, Object>> vars = new HashMap<>();
    List<VariableInstance> found =
        runtime
            .createVariableInstanceQuery()
            .processInstanceIdIn(
                campaigns.stream().map(ProcessInstance::getId).toArray(String[]::new))
            .variableNameIn(PROJECT_ID, QUEUE_PATH)
            .disableCustomObjectDeserialization()
            .list();
    for (VariableInstance v : found) {
      // variables of the campaign's own scope only: a call's local copies are not its queue
      if (v.getExecutionId() != null && v.getExecutionId().equals(v.getProcessInstanceId())) {
        vars.computeIfAbsent(v.getProcessInstanceId(), k -> new HashMap<>())
            .put(v.getName(), v.getValue());
      }
    }
    Map<Path, String> queueProject = new HashMap<>();
    for (Map<String, Object> v : vars.values()) {
      Object path = v.get(QUEUE_PATH);
      Object project = v.get(PROJECT_ID);
      if (path instanceof String p && !p.isBlank()) {
        try {
          queueProject.put(
              Path.of(p).toAbsolutePath().normalize(),
              project instanceof String s && !s.isBlank() ? s : "default");
        } catch (InvalidPathException e) {
          // a campaign started with an unusable path ends at its first step; nothing to count
        }
      }
    }
    Map<String, EngineState.QueueDepth> depth = new TreeMap<>();
    queueProject.forEach(
        (path, project) -> {
          try {
            QueueCounts c = new QueueStore(path).read().counts();
            depth.merge(
                project,
                new EngineState.QueueDepth(c.pending(), c.inProgress()),
                EngineState.QueueDepth::plus);
          } catch (RuntimeException e) {
            // being written (atomically replaced) or gone: it counts again at the next poll
            LOG.debug("queue of project {} not counted: {}", project, e.getMessage());
          }
        });
    return depth;
  }

  @Override
  public synchronized void start() {
    if (timer != null) {
      return;
    }
    timer =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "aiflow-metrics-poll");
              t.setDaemon(true);
              return t;
            });
    long millis = Math.max(1000, interval.toMillis());
    timer.scheduleWithFixedDelay(this::safeRefresh, 0, millis, TimeUnit.MILLISECONDS);
  }

  private void safeRefresh() {
    try {
      refresh();
    } catch (RuntimeException e) {
      metrics.engineStateFailed();
      LOG.warn("could not ask the engine for the metrics' gauges: {}", e.getMessage());
    }
  }

  @Override
  public synchronized void stop() {
    if (timer != null) {
      timer.shutdownNow();
      timer = null;
    }
  }

  @Override
  public synchronized boolean isRunning() {
    return timer != null;
  }
}
