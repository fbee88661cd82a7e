package dev.aiflow.engine.campaign;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.aiflow.campaign.CampaignLoop;
import dev.aiflow.campaign.CampaignSpec;
import dev.aiflow.campaign.CampaignView;
import dev.aiflow.campaign.ExecutionBlockedException;
import dev.aiflow.campaign.QueueInUseException;
import dev.aiflow.engine.AsSystem;
import dev.aiflow.engine.EngineVariables;
import dev.aiflow.engine.SharedVars;
import dev.aiflow.engine.stepcycle.StepCycleService;
import dev.aiflow.scoreboard.ScoreboardStore;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.camunda.bpm.engine.HistoryService;
import org.camunda.bpm.engine.IdentityService;
import org.camunda.bpm.engine.RuntimeService;
import org.camunda.bpm.engine.history.HistoricProcessInstance;
import org.camunda.bpm.engine.history.HistoricVariableInstance;
import org.camunda.bpm.engine.runtime.Incident;
import org.camunda.bpm.engine.runtime.ProcessInstance;
import org.camunda.bpm.engine.runtime.ProcessInstanceWithVariables;
import org.springframework.stereotype.Component;

/** Starts, lists, inspects and cancels campaigns ({@code campaign.bpmn}). */
@Component
public class CampaignService {

  public static final String PROCESS_KEY = "campaign";
  private static final ObjectMapper JSON = new ObjectMapper();

  private final RuntimeService runtime;
  private final HistoryService history;

  private final IdentityService identity;

  public CampaignService(RuntimeService runtime, HistoryService history, IdentityService identity) {
    this.runtime = runtime;
    this.history = history;
    this.identity = identity;
  }

  /** The process variables of a spec (docs/architecture.md, "Campaign variables"). */
  public static Map<String, Object> variables(CampaignSpec spec) {
    Map<String, Object> v = new HashMap<>();
    v.put(CampaignVars.PROJECT_ID, spec.projectId());
    v.put(CampaignVars.QUEUE_PATH, spec.queuePath().toAbsolutePath().normalize().toString());
    v.put(CampaignVars.PROGRESS_DIR, spec.effectiveProgressDir().toString());
    v.put(CampaignVars.STEP_PACK_MAP, EngineVariables.jsonValue(spec.stepPacks().toJson()));
    v.put(
        CampaignVars.WORKER_BACKEND_MAP,
        EngineVariables.jsonValue(CampaignSupport.toJson(spec.backendMap())));
    if (spec.workerBackend() != null) {
      v.put(CampaignVars.WORKER_BACKEND, spec.workerBackend());
    }
    v.put(CampaignVars.AUTO_PLAN_MISSING, spec.autoPlanMissing());
    v.put(CampaignVars.MAX_CYCLES, spec.maxCycles());
    v.put(CampaignVars.MAX_STAGNANT_CYCLES, spec.maxStagnantCycles());
    v.put(CampaignVars.MAX_REWORK_ROUNDS, spec.maxReworkRounds());
    v.put(CampaignVars.MAX_PARALLEL_TASKS, spec.maxParallelTasks());
    v.put(CampaignVars.ESCALATE_EXHAUSTED_REWORK, spec.escalateExhaustedRework());
    v.put(CampaignVars.GIT_ISOLATION, spec.git().isolation());
    v.put(CampaignVars.INTEGRATION_MODE, spec.git().integrationMode());
    if (spec.git().campaignBranch() != null) {
      v.put(CampaignVars.CAMPAIGN_BRANCH, spec.git().campaignBranch());
    }
    v.put(CampaignVars.KEEP_FAILED_WORKTREES, spec.git().keepFailedWorktrees());
    if (spec.workspace() != null) {
      v.put(CampaignVars.WORKSPACE, spec.workspace().toAbsolutePath().normalize().toString());
    }
    if (spec.workerShim() != null) {
      v.put(CampaignVars.WORKER_SHIM, spec.workerShim());
    }
    v.put(CampaignVars.SKIP_BACKEND_HEALTH_CHECK, spec.skipBackendHealthCheck());
    if (spec.claimOwner() != null) {
      v.put(CampaignVars.CLAIM_OWNER, spec.claimOwner());
    }
    v.put(CampaignVars.REQUIRE_FREEZE, spec.safeguards().requireFreeze());
    v.put(CampaignVars.GUARD_CONTRACTS, spec.safeguards().guardContracts());
    v.put(CampaignVars.AUTO_CHECKPOINT, spec.safeguards().autoCheckpoint());
    v.put(CampaignVars.ROLLBACK_ON_FAIL, spec.safeguards().rollbackOnFail());
    if (spec.budget().maxTokens() > 0) {
      v.put(CampaignVars.CAMPAIGN_MAX_TOKENS, spec.budget().maxTokens());
    }
    if (spec.budget().maxCostUsd() > 0) {
      v.put(CampaignVars.CAMPAIGN_MAX_COST_USD, spec.budget().maxCostUsd());
    }
    if (spec.safeguards().requirementsDir() != null) {
      v.put(
          CampaignVars.REQUIREMENTS_DIR,
          spec.safeguards().requirementsDir().toAbsolutePath().normalize().toString());
    }
    return v;
  }

  /**
   * Starts a campaign; its first steps (checks, defaults) run before this returns.
   *
   * @return the campaign's id (its process instance id)
   */
  public String start(CampaignSpec spec, String businessKey) {
    return startInstance(spec, businessKey).getId();
  }

  /**
   * {@link #start} with further variables; see {@link #startInstance(CampaignSpec, String, Map)}.
   */
  public String start(CampaignSpec spec, String businessKey, Map<String, Object> extra) {
    return startInstance(spec, businessKey, extra).getId();
  }

  /**
   * Starts a campaign and returns once its first wait state is reached.
   *
   * @throws ExecutionBlockedException when the execution guard refused it (the instance has ended
   *     as {@code execution_blocked}, and the refusal is in the chain and the session log)
   * @throws QueueInUseException when a running campaign owns the queue (the instance has ended as
   *     {@code queue_in_use})
   * @throws dev.aiflow.campaign.CampaignInputException naming a variable the start cannot use
   */
  public ProcessInstance startInstance(CampaignSpec spec, String businessKey) {
    return startInstance(spec, businessKey, Map.of());
  }

  /**
   * {@link #startInstance(CampaignSpec, String)} with further variables, for example explicit
   * {@code planSnapshotPath} and {@code boundarySnapshotPath} for the contract guard.
   */
  public ProcessInstance startInstance(
      CampaignSpec spec, String businessKey, Map<String, Object> extra) {
    Map<String, Object> vars = variables(spec);
    vars.putAll(extra);
    ProcessInstanceWithVariables pi =
        runtime
            .createProcessInstanceByKey(PROCESS_KEY)
            .businessKey(businessKey)
            .setVariables(vars)
            .executeWithVariablesInReturn();
    if (pi.isEnded()
        && CampaignLoop.EndReason.INVALID_INPUT
            .json()
            .equals(pi.getVariables().get(CampaignVars.END_REASON))) {
      Object field = pi.getVariables().get(CampaignVars.INVALID_FIELD);
      String detail = String.valueOf(pi.getVariables().get(CampaignVars.END_DETAIL));
      throw new dev.aiflow.campaign.CampaignInputException(
          field == null ? "campaign" : field.toString(),
          field != null && detail.startsWith(field + ": ")
              ? detail.substring(field.toString().length() + 2)
              : detail);
    }
    if (pi.isEnded()
        && CampaignLoop.EndReason.QUEUE_IN_USE
            .json()
            .equals(pi.getVariables().get(CampaignVars.END_REASON))) {
      throw new QueueInUseException(
          pi.getId(),
          String.valueOf(pi.getVariables().get(CampaignVars.QUEUE_OWNER)),
          spec.queuePath().toString());
    }
    if (pi.isEnded()
        && CampaignLoop.EndReason.EXECUTION_BLOCKED
            .json()
            .equals(pi.getVariables().get(CampaignVars.END_REASON))) {
      throw new ExecutionBlockedException(
          pi.getId(),
          String.valueOf(pi.getVariables().get(CampaignVars.FREEZE_PROBLEM)),
          String.valueOf(pi.getVariables().get(CampaignVars.END_DETAIL)));
    }
    return pi;
  }

  public Optional<CampaignView> find(String id) {
    HistoricProcessInstance hpi =
        history
            .createHistoricProcessInstanceQuery()
            .processInstanceId(id)
            .processDefinitionKey(PROCESS_KEY)
            .singleResult();
    return Optional.ofNullable(hpi).map(h -> views(List.of(h)).get(0));
  }

  /**
   * The newest campaigns first, in a constant number of queries whatever their number (the page,
   * their variables, the open incidents; docs/performance.md, "The campaign list").
   */
  public List<CampaignView> list(int max) {
    return views(
        history
            .createHistoricProcessInstanceQuery()
            .processDefinitionKey(PROCESS_KEY)
            .orderByProcessInstanceStartTime()
            .desc()
            .listPage(0, max));
  }

  /** The variables a campaign's view shows: the rest (lanes' documents) is not read. */
  private static final String[] VIEW_VARIABLES = {
    CampaignVars.PROJECT_ID,
    CampaignVars.END_REASON,
    CampaignVars.END_DETAIL,
    CampaignVars.CYCLES_DONE,
    CampaignVars.CURRENT_TASK_KEY,
    CampaignVars.ALL_COMPLETED,
    CampaignVars.QUEUE_PATH,
    CampaignVars.PROGRESS_DIR,
    CampaignVars.QUEUE_COUNTS,
    CampaignVars.SANDBOX_WARNING
  };

  private List<CampaignView> views(List<HistoricProcessInstance> page) {
    if (page.isEmpty()) {
      return List.of();
    }
    Map<String, Map<String, Object>> vars = new HashMap<>();
    for (HistoricVariableInstance v :
        history
            .createHistoricVariableInstanceQuery()
            .processInstanceIdIn(
                page.stream().map(HistoricProcessInstance::getId).toArray(String[]::new))
            .variableNameIn(VIEW_VARIABLES)
            .list()) {
      Map<String, Object> of = vars.computeIfAbsent(v.getProcessInstanceId(), k -> new HashMap<>());
      // a lane's local variable of the same name does not hide the campaign's own
      if (v.getProcessInstanceId().equals(v.getActivityInstanceId())
          || !of.containsKey(v.getName())) {
        of.put(v.getName(), v.getValue());
      }
    }
    List<CampaignView> out = new ArrayList<>(page.size());
    List<String> running = new ArrayList<>();
    for (HistoricProcessInstance hpi : page) {
      CampaignView view = view(hpi, vars.getOrDefault(hpi.getId(), Map.of()), List.of());
      out.add(view);
      if ("running".equals(view.state())) {
        running.add(hpi.getId());
      }
    }
    if (running.isEmpty()) {
      return out;
    }
    Map<String, List<String>> incidents = incidents(running);
    if (incidents.isEmpty()) {
      return out;
    }
    List<CampaignView> withIncidents = new ArrayList<>(out.size());
    for (int i = 0; i < page.size(); i++) {
      HistoricProcessInstance hpi = page.get(i);
      List<String> of = incidents.get(hpi.getId());
      withIncidents.add(
          of == null ? out.get(i) : view(hpi, vars.getOrDefault(hpi.getId(), Map.of()), of));
    }
    return withIncidents;
  }

  /** The step cycles a campaign ran, oldest first. */
  public List<String> stepCycles(String campaignId) {
    return history
        .createHistoricProcessInstanceQuery()
        .superProcessInstanceId(campaignId)
        .orderByProcessInstanceStartTime()
        .asc()
        .list()
        .stream()
        .map(HistoricProcessInstance::getId)
        .toList();
  }

  /** What {@link #cancel} did. */
  public enum CancelResult {
    REQUESTED,
    ALREADY_ENDED,
    NOT_FOUND
  }

  /**
   * Asks a running campaign to stop: correlates the message {@value CampaignVars#CANCEL_MESSAGE}
   * ({@code SubProcess_Cancel}); the running cycle finishes (its agent is not killed halfway
   * through a change), then {@code Gateway_WayOut} ends the campaign as {@code cancelled}.
   */
  public CancelResult cancel(String id) {
    Optional<CampaignView> c = find(id);
    if (c.isEmpty()) {
      return CancelResult.NOT_FOUND;
    }
    if (c.get().ended()) {
      return CancelResult.ALREADY_ENDED;
    }
    for (int attempt = 1; ; attempt++) {
      try {
        // the caller's right to cancel was checked (ApiAccess CANCEL_CAMPAIGN); correlating as
        // them would need UPDATE_INSTANCE, which also opens every variable over /engine-rest
        AsSystem.call(
            identity,
            () ->
                runtime
                    .createMessageCorrelation(CampaignVars.CANCEL_MESSAGE)
                    .processInstanceId(id)
                    .correlateWithResult());
        return CancelResult.REQUESTED;
      } catch (org.camunda.bpm.engine.MismatchingMessageCorrelationException e) {
        return CancelResult.ALREADY_ENDED; // it ended between the check and the message
      } catch (org.camunda.bpm.engine.OptimisticLockingException e) {
        // a job of the campaign committed at the same moment; nothing of this message stayed
        if (attempt == 3) {
          throw e;
        }
      }
    }
  }

  /** Waits until the campaign ends (or an incident stops it) or the timeout passes. */
  public CampaignView await(String id, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      CampaignView v = find(id).orElseThrow();
      if (v.ended() || !v.incidents().isEmpty() || System.nanoTime() > deadline) {
        return v;
      }
      Thread.sleep(200);
    }
  }

  private CampaignView view(
      HistoricProcessInstance hpi, Map<String, Object> vars, List<String> incidents) {
    String state =
        switch (String.valueOf(hpi.getState())) {
          case "ACTIVE", "SUSPENDED" -> "running";
          // every way to an end event records the reason; until it is readable the end is not
          // settled (H2 was seen to show the instance ended a moment before its last variables)
          case "COMPLETED" -> vars.get(CampaignVars.END_REASON) == null ? "running" : "completed";
          default -> "terminated";
        };
    String progress = str(vars.get(CampaignVars.PROGRESS_DIR));
    JsonNode scoreboard = null;
    ScoreboardStore board = progress == null ? null : new ScoreboardStore(Path.of(progress));
    if (board != null && board.exists()) {
      try {
        scoreboard = ScoreboardStore.tree(board.read());
      } catch (IllegalStateException e) {
        scoreboard = null; // a broken scoreboard does not hide the campaign; verify says why
      }
    }
    return new CampaignView(
        hpi.getId(),
        hpi.getBusinessKey(),
        str(vars.get(CampaignVars.PROJECT_ID)),
        state,
        str(vars.get(CampaignVars.END_REASON)),
        str(vars.get(CampaignVars.END_DETAIL)),
        vars.get(CampaignVars.CYCLES_DONE) instanceof Number n ? n.intValue() : 0,
        str(vars.get(CampaignVars.CURRENT_TASK_KEY)),
        vars.get(CampaignVars.ALL_COMPLETED) instanceof Boolean b ? b : null,
        hpi.getStartTime() == null ? null : hpi.getStartTime().toInstant(),
        hpi.getEndTime() == null ? null : hpi.getEndTime().toInstant(),
        str(vars.get(CampaignVars.QUEUE_PATH)),
        progress,
        tree(vars.get(CampaignVars.QUEUE_COUNTS)),
        scoreboard,
        "running".equals(state) ? incidents : List.of(),
        vars.get(CampaignVars.SANDBOX_WARNING) instanceof String w ? List.of(w) : List.of());
  }

  /**
   * The open incidents of these running campaigns and of the step cycles they called, by campaign:
   * one query for the incidents, one for the campaign of each step cycle that has one (its {@code
   * campaignId} variable), whatever the number of campaigns.
   */
  private Map<String, List<String>> incidents(List<String> campaignIds) {
    List<Incident> open =
        runtime
            .createIncidentQuery()
            .processDefinitionKeyIn(PROCESS_KEY, StepCycleService.PROCESS_KEY)
            .list();
    if (open.isEmpty()) {
      return Map.of();
    }
    java.util.Set<String> campaigns = new java.util.HashSet<>(campaignIds);
    Map<String, String> campaignOf = new HashMap<>();
    List<String> others = new ArrayList<>();
    for (Incident i : open) {
      if (campaigns.contains(i.getProcessInstanceId())) {
        campaignOf.put(i.getProcessInstanceId(), i.getProcessInstanceId());
      } else {
        others.add(i.getProcessInstanceId());
      }
    }
    if (!others.isEmpty()) {
      for (org.camunda.bpm.engine.runtime.VariableInstance v :
          runtime
              .createVariableInstanceQuery()
              .processInstanceIdIn(others.toArray(String[]::new))
              .variableName(SharedVars.CAMPAIGN_ID)
              .list()) {
        if (v.getValue() instanceof String c && campaigns.contains(c)) {
          campaignOf.put(v.getProcessInstanceId(), c);
        }
      }
    }
    Map<String, List<String>> out = new HashMap<>();
    for (Incident i : open) {
      String campaign = campaignOf.get(i.getProcessInstanceId());
      // a step cycle's incident shows once: where it happened, not again on the call activity
      if (campaign != null && i.getId().equals(i.getRootCauseIncidentId())) {
        out.computeIfAbsent(campaign, k -> new ArrayList<>())
            .add(i.getActivityId() + ": " + i.getIncidentMessage());
      }
    }
    return out;
  }

  private static JsonNode tree(Object value) {
    if (value == null) {
      return null;
    }
    try {
      return JSON.readTree(value.toString());
    } catch (java.io.IOException e) {
      return null;
    }
  }

  private static String str(Object o) {
    return o == null ? null : o.toString();
  }
}
