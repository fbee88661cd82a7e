package dev.aiflow.engine.campaign;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.aiflow.campaign.CampaignBudget;
import dev.aiflow.campaign.CampaignCounters;
import dev.aiflow.campaign.CampaignInputException;
import dev.aiflow.campaign.CampaignLoop;
import dev.aiflow.campaign.CampaignSpec;
import dev.aiflow.campaign.CircuitBreaker;
import dev.aiflow.campaign.QueueOwner;
import dev.aiflow.campaign.Safeguards;
import dev.aiflow.campaign.StepPackMap;
import dev.aiflow.config.AiflowProperties;
import dev.aiflow.engine.EngineVariables;
import dev.aiflow.engine.LoggerRegistry;
import dev.aiflow.engine.stepcycle.StepCycleVars;
import dev.aiflow.worker.BackendMap;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import org.camunda.bpm.engine.HistoryService;
import org.camunda.bpm.engine.RuntimeService;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.VariableScope;
import org.camunda.bpm.engine.history.HistoricProcessInstance;
import org.camunda.bpm.engine.history.HistoricVariableInstance;
import org.camunda.bpm.engine.impl.core.variable.scope.AbstractVariableScope;
import org.camunda.bpm.engine.impl.persistence.entity.VariableInstanceEntity;
import org.camunda.spin.plugin.variable.value.JsonValue;
import org.springframework.stereotype.Component;

/** Reads the campaign's variables into a checked {@link CampaignSpec}, the other way round too. */
@Component
public class CampaignSupport {

  private static final ObjectMapper JSON = new ObjectMapper();

  private final AiflowProperties properties;
  private final LoggerRegistry loggers;
  private final Clock clock;

  /** Parsed step-pack maps by their JSON text: every step of a campaign reads the same one. */
  private final Map<String, StepPackMap> maps = recentlyUsed(16);

  /**
   * How long an owner record whose campaign the engine does not know yet counts as held: the start
   * that wrote it may not have committed (a rolled-back start leaves it, then it is stale).
   */
  static final Duration START_GRACE = Duration.ofSeconds(30);

  private final RuntimeService runtime;
  private final HistoryService history;

  public CampaignSupport(
      AiflowProperties properties,
      LoggerRegistry loggers,
      RuntimeService runtime,
      HistoryService history) {
    this.properties = properties;
    this.loggers = loggers;
    this.runtime = runtime;
    this.history = history;
    this.clock = Clock.systemUTC();
  }

  /** Whether the campaign with this process instance id still runs. */
  boolean campaignRunning(String campaignId) {
    return runtime.createProcessInstanceQuery().processInstanceId(campaignId).count() > 0;
  }

  /** Takes the spec's queue for this campaign ({@link QueueOwner}). */
  QueueOwner.Claim claimQueue(String self, CampaignSpec spec) {
    Instant now = clock.instant();
    return new QueueOwner(spec.queuePath())
        .claim(
            self,
            h ->
                campaignRunning(h.campaignId())
                    || (history
                                .createHistoricProcessInstanceQuery()
                                .processInstanceId(h.campaignId())
                                .count()
                            == 0
                        && h.since().isAfter(now.minus(START_GRACE))),
            now);
  }

  AiflowProperties properties() {
    return properties;
  }

  LoggerRegistry loggers() {
    return loggers;
  }

  /**
   * The texts of the Json variables a campaign is started with and its steps never write (the
   * step-pack map, the backend map), by the variable's id, revision and sequence counter. Every
   * step reads them to build its spec, and each read of a Json variable loads its bytes with a
   * query of its own; a change committed by anyone (an operator in Cockpit, another node) moves the
   * revision on, and a change in the same transaction the sequence counter, so a changed variable
   * is read again.
   */
  private final Map<String, String> startJsons = recentlyUsed(32);

  /** A thread-safe map that keeps the {@code max} entries used last. */
  private static <V> Map<String, V> recentlyUsed(int max) {
    return Collections.synchronizedMap(
        new LinkedHashMap<>(max, 0.75f, true) {
          private static final long serialVersionUID = 1L;

          @Override
          protected boolean removeEldestEntry(Map.Entry<String, V> eldest) {
            return size() > max;
          }
        });
  }

  String startJson(VariableScope v, String name) {
    if (v instanceof AbstractVariableScope scope
        && scope.getVariableInstance(name) instanceof VariableInstanceEntity e
        && e.getId() != null) {
      // the revision moves on with every committed change, the sequence counter with every
      // change made in this transaction too
      String key = e.getId() + "@" + e.getRevision() + "/" + e.getSequenceCounter();
      String known = startJsons.get(key);
      if (known != null) {
        return known;
      }
      String text = EngineVariables.json(v, name);
      if (text != null) {
        startJsons.put(key, text);
      }
      return text;
    }
    return EngineVariables.json(v, name);
  }

  /** The loop with the step-pack map: for the steps that need packs (preflight, resolve). */
  CampaignLoop loop(VariableScope scope) {
    return new CampaignLoop(spec(scope, true), clock);
  }

  /**
   * The loop without the step-pack map: the map can be large (a pack per task) and is a Json
   * variable, so steps that do not need it do not read it.
   */
  CampaignLoop loopWithoutPacks(VariableScope scope) {
    return new CampaignLoop(spec(scope, false), clock);
  }

  /**
   * The campaign as its variables describe it.
   *
   * @throws CampaignInputException naming the variable that is wrong
   */
  CampaignSpec spec(VariableScope v) {
    return spec(v, true);
  }

  /**
   * The campaign a start request's variables describe (names as in docs/architecture.md, "Campaign
   * variables"), read and checked exactly as the started campaign reads its own: for starts that
   * come as variables (a launch after a requirements freeze) and go through {@link
   * CampaignService#startInstance}, like the REST API's and the CLI's.
   *
   * @throws CampaignInputException naming the variable that is wrong
   */
  public CampaignSpec specOf(Map<String, Object> variables) {
    return spec(ReadOnlyVariables.of(variables), true);
  }

  CampaignSpec spec(VariableScope v, boolean withPacks) {
    String queuePath = text(v, CampaignVars.QUEUE_PATH);
    if (queuePath == null) {
      throw new CampaignInputException(CampaignVars.QUEUE_PATH, "required: the queue file");
    }
    String progress = text(v, CampaignVars.PROGRESS_DIR);
    String workspace = text(v, CampaignVars.WORKSPACE);
    String mapJson = withPacks ? startJson(v, CampaignVars.STEP_PACK_MAP) : null;
    StepPackMap packs =
        mapJson == null ? StepPackMap.empty() : maps.computeIfAbsent(mapJson, this::parseMap);
    CampaignSpec spec =
        CampaignSpec.builder(
                EngineVariables.string(v, CampaignVars.PROJECT_ID, "default"), Path.of(queuePath))
            .progressDir(progress == null ? null : Path.of(progress))
            .stepPacks(packs)
            .backendMap(backendMap(startJson(v, CampaignVars.WORKER_BACKEND_MAP)))
            .workerBackend(EngineVariables.string(v, CampaignVars.WORKER_BACKEND, null))
            .autoPlanMissing(EngineVariables.bool(v, CampaignVars.AUTO_PLAN_MISSING, false))
            .maxCycles(integer(v, CampaignVars.MAX_CYCLES, CampaignSpec.DEFAULT_MAX_CYCLES))
            .maxStagnantCycles(
                integer(
                    v, CampaignVars.MAX_STAGNANT_CYCLES, CampaignSpec.DEFAULT_MAX_STAGNANT_CYCLES))
            .maxReworkRounds(
                integer(v, CampaignVars.MAX_REWORK_ROUNDS, CampaignSpec.DEFAULT_MAX_REWORK_ROUNDS))
            .workspace(workspace == null ? null : Path.of(workspace))
            .workerShim(EngineVariables.string(v, CampaignVars.WORKER_SHIM, null))
            .skipBackendHealthCheck(
                EngineVariables.bool(v, CampaignVars.SKIP_BACKEND_HEALTH_CHECK, false))
            .claimOwner(EngineVariables.string(v, CampaignVars.CLAIM_OWNER, null))
            .maxParallelTasks(
                integer(
                    v, CampaignVars.MAX_PARALLEL_TASKS, CampaignSpec.DEFAULT_MAX_PARALLEL_TASKS))
            .escalateExhaustedRework(
                EngineVariables.bool(v, CampaignVars.ESCALATE_EXHAUSTED_REWORK, false))
            .git(
                new dev.aiflow.campaign.GitOptions(
                    EngineVariables.string(v, CampaignVars.GIT_ISOLATION, null),
                    EngineVariables.string(v, CampaignVars.INTEGRATION_MODE, null),
                    EngineVariables.string(v, CampaignVars.CAMPAIGN_BRANCH, null),
                    EngineVariables.bool(v, CampaignVars.KEEP_FAILED_WORKTREES, false)))
            .safeguards(safeguards(v))
            .budget(
                new CampaignBudget(
                    longValue(v, CampaignVars.CAMPAIGN_MAX_TOKENS),
                    decimal(v, CampaignVars.CAMPAIGN_MAX_COST_USD)))
            .build();
    return spec.resolvePaths(properties.pathPolicy(), true, properties.workspacesHere());
  }

  /** A path variable: a string, or refused naming the variable (never a Java type in a 500). */
  private static String text(VariableScope v, String name) {
    Object value = v.getVariable(name);
    if (value != null && !(value instanceof String)) {
      throw new CampaignInputException(name, "must be a string (a path)");
    }
    return (String) value;
  }

  private static Safeguards safeguards(VariableScope v) {
    String dir = text(v, CampaignVars.REQUIREMENTS_DIR);
    return new Safeguards(
        EngineVariables.bool(v, CampaignVars.REQUIRE_FREEZE, false),
        EngineVariables.bool(v, CampaignVars.GUARD_CONTRACTS, false),
        EngineVariables.bool(v, CampaignVars.AUTO_CHECKPOINT, false),
        EngineVariables.bool(v, CampaignVars.ROLLBACK_ON_FAIL, false),
        dir == null ? null : Path.of(dir));
  }

  /**
   * Where the campaign's project keeps its frozen requirements. A project the server requires
   * frozen is judged by its own freeze, whatever folder the start named: a copy of another
   * project's approved freeze must not unlock it.
   */
  Path requirementsDir(CampaignSpec spec) {
    Path own = properties.projectDir(spec.projectId());
    if (properties.freeze().requiredFor(spec.projectId())) {
      return own;
    }
    Path dir = spec.safeguards().requirementsDir();
    return dir != null ? dir : own;
  }

  private StepPackMap parseMap(String json) {
    return StepPackMap.fromJson(json, CampaignVars.STEP_PACK_MAP);
  }

  private static Map<String, String> backendMap(String json) {
    if (json == null || json.isBlank()) {
      return Map.of();
    }
    try {
      return BackendMap.parse(json).asMap();
    } catch (IllegalArgumentException e) {
      throw new CampaignInputException(CampaignVars.WORKER_BACKEND_MAP, e.getMessage());
    }
  }

  private static long longValue(VariableScope v, String name) {
    Object value = v.getVariable(name);
    if (value == null) {
      return 0;
    }
    try {
      return value instanceof Number n ? n.longValue() : Long.parseLong(value.toString().trim());
    } catch (NumberFormatException e) {
      throw new CampaignInputException(name, "must be a whole number: " + value);
    }
  }

  static double decimal(VariableScope v, String name) {
    Object value = v.getVariable(name);
    if (value == null) {
      return 0;
    }
    try {
      return value instanceof Number n
          ? n.doubleValue()
          : Double.parseDouble(value.toString().trim());
    } catch (NumberFormatException e) {
      throw new CampaignInputException(name, "must be a number: " + value);
    }
  }

  /** The counts {@code Gateway_WayOut} decides on, as the variables hold them. */
  static CampaignCounters counters(VariableScope v) {
    return new CampaignCounters(
        EngineVariables.integer(v, CampaignVars.CYCLES_DONE, 0),
        EngineVariables.integer(v, CampaignVars.STAGNANT_CYCLES, 0),
        longValue(v, CampaignVars.CAMPAIGN_TOKENS),
        decimal(v, CampaignVars.CAMPAIGN_COST_USD));
  }

  static CircuitBreaker breaker(VariableScope v) {
    String outcome = EngineVariables.string(v, CampaignVars.BREAKER_OUTCOME, null);
    return outcome == null
        ? CircuitBreaker.CLOSED
        : new CircuitBreaker(outcome, EngineVariables.integer(v, CampaignVars.BREAKER_STREAK, 0));
  }

  static void setBreaker(VariableScope v, CircuitBreaker b) {
    EngineVariables.setIfChanged(v, CampaignVars.BREAKER_OUTCOME, b.outcome());
    EngineVariables.setIfChanged(v, CampaignVars.BREAKER_STREAK, b.streak());
  }

  static void setCounters(VariableScope v, CampaignCounters c) {
    v.setVariable(CampaignVars.CYCLES_DONE, c.cyclesDone());
    EngineVariables.setIfChanged(v, CampaignVars.STAGNANT_CYCLES, c.stagnantCycles());
    EngineVariables.setIfChanged(v, CampaignVars.CAMPAIGN_TOKENS, c.tokens());
    EngineVariables.setIfChanged(v, CampaignVars.CAMPAIGN_COST_USD, c.costUsd());
  }

  static void setCounts(VariableScope v, dev.aiflow.triage.QueueCounts c) {
    EngineVariables.setJson(
        v,
        CampaignVars.QUEUE_COUNTS,
        toJson(
            Map.of(
                "pending", c.pending(),
                "in_progress", c.inProgress(),
                "completed", c.completed(),
                "failed", c.failed(),
                "total", c.total())));
  }

  static String owner(VariableScope v) {
    return EngineVariables.string(v, CampaignVars.CLAIM_OWNER, null);
  }

  static String taskKey(VariableScope v) {
    return EngineVariables.string(v, CampaignVars.CURRENT_TASK_KEY, null);
  }

  static String runId(VariableScope v) {
    return EngineVariables.string(v, CampaignVars.CURRENT_RUN_ID, null);
  }

  private static int integer(VariableScope v, String name, int fallback) {
    try {
      return EngineVariables.integer(v, name, fallback);
    } catch (NumberFormatException e) {
      throw new CampaignInputException(name, "must be a whole number: " + v.getVariable(name));
    }
  }

  /** The {@code setAside} variable: task key to the reason it was set aside. */
  static Map<String, String> setAside(VariableScope v) {
    String json = EngineVariables.json(v, CampaignVars.SET_ASIDE);
    Map<String, String> out = new LinkedHashMap<>();
    if (json != null && !json.isBlank()) {
      try {
        JSON.readTree(json)
            .fields()
            .forEachRemaining(e -> out.put(e.getKey(), e.getValue().asText()));
      } catch (JsonProcessingException e) {
        throw new IllegalStateException("the variable setAside is not JSON", e);
      }
    }
    return out;
  }

  /**
   * Hands the StepPack to the step cycle the campaign calls next, in the same transaction: a
   * transient variable, local to the lane, that {@code CallActivity_StepCycle} copies into the
   * cycle's {@code stepPack}. The campaign keeps no copy (one less Json variable and its history
   * per task); the step cycle's {@code stepPack} is the record, in Cockpit and the chain.
   */
  static void handOverStepPack(DelegateExecution ex, String json) {
    org.camunda.bpm.engine.variable.value.TypedValue before =
        ex.getVariableLocalTyped(CampaignVars.CURRENT_STEP_PACK, false);
    // a lane started by an earlier version holds a stored currentStepPack, and its definition
    // copies it with source= (a transient would vanish at the step cycle's first wait): it keeps
    // the stored variable until it ends
    boolean stored = before != null && !before.isTransient();
    ex.setVariableLocal(
        CampaignVars.CURRENT_STEP_PACK,
        org.camunda.spin.plugin.variable.SpinValues.jsonValue(json).setTransient(!stored).create());
  }

  /**
   * The StepPack the step cycle of run {@code runId} ran with: its {@code stepPack} as history
   * holds it (the campaign keeps no copy); with a history level that keeps no variables, the map's
   * or the planner's pack again ({@link CampaignLoop#packOf}).
   */
  static dev.aiflow.protocol.StepPack packTheCycleRan(
      DelegateExecution ex, CampaignLoop loop, String taskKey, String runId) {
    HistoryService history = ex.getProcessEngineServices().getHistoryService();
    for (HistoricProcessInstance cycle :
        history
            .createHistoricProcessInstanceQuery()
            .superProcessInstanceId(ex.getProcessInstanceId())
            .processInstanceBusinessKey(runId)
            .list()) {
      HistoricVariableInstance pack =
          history
              .createHistoricVariableInstanceQuery()
              .processInstanceId(cycle.getId())
              .variableName(StepCycleVars.STEP_PACK)
              .disableCustomObjectDeserialization()
              .singleResult();
      String json =
          pack == null
              ? null
              : pack.getTypedValue() instanceof JsonValue j
                  ? j.getValueSerialized()
                  : pack.getValue() == null ? null : pack.getValue().toString();
      if (json != null) {
        return dev.aiflow.protocol.Protocol.parseStepPack(json);
      }
    }
    return loop.packOf(taskKey, runId);
  }

  /** The {@code queueCounts} variable, or null. */
  static dev.aiflow.triage.QueueCounts counts(String json) {
    if (json == null) {
      return null;
    }
    try {
      return dev.aiflow.triage.QueueCounts.fromTree(JSON.readTree(json));
    } catch (JsonProcessingException e) {
      return null;
    }
  }

  public static String toJson(Object value) {
    try {
      return JSON.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }
}
