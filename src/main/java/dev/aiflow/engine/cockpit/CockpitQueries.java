package dev.aiflow.engine.cockpit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.aiflow.campaign.CampaignView;
import dev.aiflow.config.AiflowProperties;
import dev.aiflow.engine.LoggerRegistry;
import dev.aiflow.engine.audit.HistoryReconciler;
import dev.aiflow.engine.audit.ReconcileReport;
import dev.aiflow.engine.campaign.CampaignService;
import dev.aiflow.engine.stepcycle.StepCycleVars;
import dev.aiflow.files.PathRefusedException;
import dev.aiflow.ids.Ids;
import dev.aiflow.logger.ChainEvent;
import dev.aiflow.logger.ChainProblem;
import dev.aiflow.logger.VerificationReport;
import dev.aiflow.logger.WorkflowLogger;
import dev.aiflow.scoreboard.ScoreboardStore;
import dev.aiflow.scoreboard.TrendChart;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.camunda.bpm.engine.HistoryService;
import org.camunda.bpm.engine.ProcessEngine;
import org.camunda.bpm.engine.history.HistoricProcessInstance;
import org.camunda.bpm.engine.history.HistoricVariableInstance;
import org.springframework.stereotype.Component;

/**
 * What the Cockpit plugin shows, read from the engine's history and aiflow's state. Every query
 * runs as the signed-in webapp user (the webapps make them the engine's authenticated user for the
 * request), so history shows them only the instances they may read; the plugin's resource checks
 * the grants the views need on top ({@link AiflowPluginResource}). Results are plain maps, ready
 * for JSON.
 */
@Component
public class CockpitQueries {

  /** The most campaigns the list shows (newest first). */
  static final int MAX_CAMPAIGNS = 500;

  /** The most chain events an audit view lists (the newest ones when a task has more). */
  static final int MAX_EVENTS = 2000;

  /** The trend records read for a chart: as much as the scoreboard itself reads. */
  static final long MAX_TRENDS_BYTES = 32L * 1024 * 1024;

  static final String STEP_CYCLE_KEY = "stepCycle";

  private static final ObjectMapper JSON = new ObjectMapper();

  private static final String[] CYCLE_VARIABLES = {
    StepCycleVars.TASK_ID,
    StepCycleVars.RUN_ID,
    StepCycleVars.TIER_DECISION,
    StepCycleVars.QA_VERDICT,
    StepCycleVars.QA_REASON_CODE,
    StepCycleVars.REWORK_ROUND,
    StepCycleVars.DISPATCH_OUTCOME,
    StepCycleVars.OUTCOME
  };

  private final ProcessEngine engine;
  private final HistoryService history;
  private final CampaignService campaigns;
  private final HistoryReconciler reconciler;
  private final LoggerRegistry loggers;
  private final AiflowProperties properties;

  public CockpitQueries(
      ProcessEngine engine,
      CampaignService campaigns,
      HistoryReconciler reconciler,
      LoggerRegistry loggers,
      AiflowProperties properties) {
    this.engine = engine;
    this.history = engine.getHistoryService();
    this.campaigns = campaigns;
    this.reconciler = reconciler;
    this.loggers = loggers;
    this.properties = properties;
  }

  /** The name of the engine these queries read (the plugin answers for no other). */
  String engineName() {
    return engine.getName();
  }

  // ------------------------------------------------------------------ campaigns

  /** Every campaign the caller may read, running and finished, newest first. */
  List<Map<String, Object>> campaigns(int max) {
    List<CampaignView> views = campaigns.list(Math.max(1, Math.min(max, MAX_CAMPAIGNS)));
    Map<String, HistoricProcessInstance> instances =
        instances(views.stream().map(CampaignView::id).collect(Collectors.toSet()));
    List<Map<String, Object>> out = new ArrayList<>();
    for (CampaignView v : views) {
      out.add(summary(v, instances.get(v.id())));
    }
    return out;
  }

  /** A campaign with its cycles in order, or empty when the caller may not read it. */
  Optional<Map<String, Object>> campaign(String id) {
    Optional<CampaignView> found = campaigns.find(id);
    if (found.isEmpty()) {
      return Optional.empty();
    }
    CampaignView v = found.get();
    Map<String, Object> out = summary(v, instances(Set.of(id)).get(id));
    out.put("endDetail", v.endDetail());
    out.put("currentTask", v.currentTask());
    out.put("queue", v.queue());
    out.put("scoreboard", v.scoreboard());
    out.put("incidents", v.incidents());
    out.put("chart", trendsFile(v).isPresent());
    out.put("cycles", cycles(id));
    return Optional.of(out);
  }

  /**
   * The campaign's trend chart, rendered on request from its trend records ({@code
   * <progressDir>/trends.jsonl}) and nothing else: the file name is fixed, and the path goes
   * through the server's path policy (allowed roots, no private path, a regular file, a size cap),
   * so no variable can make the plugin read another file. Rendered here rather than served from
   * {@code summary.svg}, which a running campaign only renders at its end.
   */
  Optional<byte[]> chart(String campaignId) {
    Optional<CampaignView> v = campaigns.find(campaignId);
    if (v.isEmpty()) {
      return Optional.empty();
    }
    Optional<String> file = trendsFile(v.get());
    if (file.isEmpty()) {
      return Optional.empty();
    }
    try {
      dev.aiflow.files.SharedFiles.refresh();
      byte[] records = properties.pathPolicy().read("progressDir", file.get(), MAX_TRENDS_BYTES);
      return Optional.of(
          TrendChart.svg(
                  file.get().endsWith(".jsonl")
                      ? ScoreboardStore.parseTrends("trends.jsonl", records)
                      : ScoreboardStore.parseLegacyTrends("trends.json", records))
              .getBytes(java.nio.charset.StandardCharsets.UTF_8));
    } catch (RuntimeException e) {
      // refused by the path rules, or damaged records draw no chart, and nothing of them reaches
      // the answer
      return Optional.empty();
    }
  }

  /**
   * {@code trends.jsonl} in the campaign's progress folder; for a campaign that ended before trends
   * were appended, its {@code trends.json}.
   */
  private Optional<String> trendsFile(CampaignView v) {
    if (v.progressDir() == null) {
      return Optional.empty();
    }
    for (String name : List.of("trends.jsonl", "trends.json")) {
      Path trends = Path.of(v.progressDir()).resolve(name);
      try {
        properties.pathPolicy().existingFile("progressDir", trends.toString(), MAX_TRENDS_BYTES);
        return Optional.of(trends.toString());
      } catch (PathRefusedException e) {
        // the next one
      }
    }
    return Optional.empty();
  }

  private Map<String, Object> summary(CampaignView v, HistoricProcessInstance hpi) {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("id", v.id());
    out.put("businessKey", v.businessKey());
    out.put("projectId", v.projectId());
    out.put("state", v.state());
    out.put("endReason", v.endReason());
    out.put("cyclesDone", v.cyclesDone());
    out.put("tasksCompleted", count(v, "completed"));
    out.put("tasksFailed", count(v, "failed"));
    out.put("tasksTotal", v.queue() == null ? null : v.queue().path("total").asInt());
    out.put("startedBy", hpi == null ? null : hpi.getStartUserId());
    out.put("startedAt", text(v.startedAt()));
    out.put("endedAt", text(v.endedAt()));
    out.put("incidentCount", v.incidents().size());
    out.put("links", Map.of("detail", "#/aiflow/campaigns/" + v.id(), "audit", auditRoute(v.id())));
    return out;
  }

  /** Tasks by status: the queue's counts at the last finalize, else the scoreboard's. */
  private static Integer count(CampaignView v, String status) {
    if (v.queue() != null && v.queue().has(status)) {
      return v.queue().path(status).asInt();
    }
    if (v.scoreboard() != null && v.scoreboard().has(status)) {
      return v.scoreboard().path(status).asInt();
    }
    return null;
  }

  private Map<String, HistoricProcessInstance> instances(Set<String> ids) {
    if (ids.isEmpty()) {
      return Map.of();
    }
    return history.createHistoricProcessInstanceQuery().processInstanceIds(ids).list().stream()
        .collect(Collectors.toMap(HistoricProcessInstance::getId, h -> h));
  }

  /** The campaign's step cycles (its sub process instances in history), oldest first. */
  private List<Map<String, Object>> cycles(String campaignId) {
    List<HistoricProcessInstance> subs =
        history
            .createHistoricProcessInstanceQuery()
            .superProcessInstanceId(campaignId)
            .orderByProcessInstanceStartTime()
            .asc()
            .list();
    Map<String, Map<String, Object>> vars = new HashMap<>();
    if (!subs.isEmpty()) {
      for (HistoricVariableInstance v :
          history
              .createHistoricVariableInstanceQuery()
              .processInstanceIdIn(
                  subs.stream().map(HistoricProcessInstance::getId).toArray(String[]::new))
              .variableNameIn(CYCLE_VARIABLES)
              .list()) {
        vars.computeIfAbsent(v.getProcessInstanceId(), k -> new HashMap<>())
            .put(v.getName(), v.getValue());
      }
    }
    List<Map<String, Object>> out = new ArrayList<>();
    int n = 0;
    for (HistoricProcessInstance sub : subs) {
      Map<String, Object> v = vars.getOrDefault(sub.getId(), Map.of());
      Map<String, Object> tier = tier(v.get(StepCycleVars.TIER_DECISION));
      Map<String, Object> c = new LinkedHashMap<>();
      c.put("n", ++n);
      c.put("processInstanceId", sub.getId());
      c.put("processDefinitionKey", sub.getProcessDefinitionKey());
      c.put("taskId", str(v.get(StepCycleVars.TASK_ID)));
      c.put("runId", str(v.get(StepCycleVars.RUN_ID)));
      c.put("tier", tier.get("tier"));
      c.put("tierReason", tier.get("reason"));
      c.put("qaVerdict", str(v.get(StepCycleVars.QA_VERDICT)));
      c.put("qaReasonCode", str(v.get(StepCycleVars.QA_REASON_CODE)));
      c.put(
          "reworkRounds", v.get(StepCycleVars.REWORK_ROUND) instanceof Number r ? r.intValue() : 0);
      c.put("dispatchOutcome", str(v.get(StepCycleVars.DISPATCH_OUTCOME)));
      c.put("outcome", str(v.get(StepCycleVars.OUTCOME)));
      c.put("state", sub.getState());
      c.put("startedAt", text(sub.getStartTime()));
      c.put("endedAt", text(sub.getEndTime()));
      c.put("durationMs", sub.getDurationInMillis());
      c.put("links", Map.of("audit", auditRoute(sub.getId())));
      out.add(c);
    }
    return out;
  }

  /** {@code tierDecision} is the DMN's result: a map (or its JSON) with tier and reason. */
  private static Map<String, Object> tier(Object value) {
    Map<String, Object> out = new HashMap<>();
    if (value instanceof Map<?, ?> m) {
      out.put("tier", str(m.get("tier")));
      out.put("reason", str(m.get("reason")));
    } else if (value != null) {
      JsonNode n = tree(value.toString());
      if (n != null && n.isObject()) {
        out.put("tier", n.path("tier").asText(null));
        out.put("reason", n.path("reason").asText(null));
      } else {
        out.put("tier", value.toString());
      }
    }
    return out;
  }

  // ------------------------------------------------------------------ audit

  /**
   * The audit of one process instance the caller may read, running or finished: the chain events of
   * its task (or, for an instance without a task, the project events it wrote), the chain's
   * verification, the project's history reconcile and the evidence its QA reviews hashed.
   */
  Optional<Map<String, Object>> audit(String processInstanceId) {
    HistoricProcessInstance hpi =
        history
            .createHistoricProcessInstanceQuery()
            .processInstanceId(processInstanceId)
            .singleResult();
    if (hpi == null) {
      return Optional.empty();
    }
    Map<String, Object> vars = new HashMap<>();
    for (HistoricVariableInstance v :
        history
            .createHistoricVariableInstanceQuery()
            .processInstanceId(processInstanceId)
            .variableNameIn(
                StepCycleVars.PROJECT_ID, StepCycleVars.TASK_ID, StepCycleVars.CAMPAIGN_ID)
            .list()) {
      vars.put(v.getName(), v.getValue());
    }
    String projectId = validId(vars.get(StepCycleVars.PROJECT_ID));
    String taskId = validId(vars.get(StepCycleVars.TASK_ID));
    String campaignId =
        hpi.getSuperProcessInstanceId() != null
            ? hpi.getSuperProcessInstanceId()
            : str(vars.get(StepCycleVars.CAMPAIGN_ID));

    Map<String, Object> out = new LinkedHashMap<>();
    out.put("processInstanceId", hpi.getId());
    out.put("processDefinitionKey", hpi.getProcessDefinitionKey());
    out.put("processDefinitionName", hpi.getProcessDefinitionName());
    out.put("businessKey", hpi.getBusinessKey());
    out.put("state", hpi.getState());
    out.put("startedBy", hpi.getStartUserId());
    out.put("startedAt", text(hpi.getStartTime()));
    out.put("endedAt", text(hpi.getEndTime()));
    out.put("projectId", projectId);
    out.put("taskId", taskId);
    Map<String, Object> links = new LinkedHashMap<>();
    if (CampaignService.PROCESS_KEY.equals(hpi.getProcessDefinitionKey())) {
      links.put("campaign", "#/aiflow/campaigns/" + hpi.getId());
    } else if (campaignId != null) {
      links.put("campaign", "#/aiflow/campaigns/" + campaignId);
    }
    if (hpi.getEndTime() == null) {
      links.put("runtime", "#/process-instance/" + hpi.getId() + "/runtime");
    }
    out.put("links", links);

    Path root = loggers.root();
    boolean chain = projectId != null && loggers.exists(projectId);
    if (chain) {
      loggers.refresh(projectId); // in a cluster: what other nodes appended, in this node's copy
    }
    List<Map<String, Object>> events = new ArrayList<>();
    List<Map<String, Object>> evidence = new ArrayList<>();
    boolean taskInChain = false;
    if (chain) {
      List<ChainEvent> all = loggers.readProjectEvents(projectId);
      for (ChainEvent e : all) {
        JsonNode n = tree(e.json());
        if (n == null) {
          continue;
        }
        boolean mine = belongsTo(n, processInstanceId);
        boolean ofTask = taskId != null && taskId.equals(e.taskId());
        taskInChain |= ofTask;
        if (!(taskId != null ? ofTask : mine)) {
          continue;
        }
        events.add(event(e, n, mine));
        if (mine && "qa_review".equals(e.eventType())) {
          for (JsonNode f : n.path("evidence")) {
            Map<String, Object> file = new LinkedHashMap<>();
            file.put("path", f.path("path").asText());
            file.put("sha256", f.path("sha256").asText());
            file.put("bytes", f.path("bytes").asLong());
            file.put("reviewSeq", e.seq());
            evidence.add(file);
          }
        }
      }
    }
    if (events.size() > MAX_EVENTS) {
      out.put("eventsOmitted", events.size() - MAX_EVENTS);
      events = new ArrayList<>(events.subList(events.size() - MAX_EVENTS, events.size()));
    }
    out.put("events", events);
    out.put("evidence", evidence);
    // a task without events yet (its first dispatch still running) has no chain of its own:
    // then the project chain it will join is what can be verified
    out.put("verify", verify(chain, root, projectId, taskInChain ? taskId : null));
    out.put("reconcile", reconcile(chain, projectId));
    return Optional.of(out);
  }

  /** Whether a chain event was written by (or about) this process instance. */
  private static boolean belongsTo(JsonNode n, String processInstanceId) {
    return processInstanceId.equals(n.path("engine").path("process_instance_id").asText(null))
        || processInstanceId.equals(n.path("process_instance_id").asText(null))
        || processInstanceId.equals(n.path("campaign_id").asText(null));
  }

  private static Map<String, Object> event(ChainEvent e, JsonNode n, boolean mine) {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("seq", e.seq());
    out.put("taskSeq", e.taskSeq());
    out.put("taskId", e.taskId());
    out.put("kind", e.eventType());
    out.put("rs", n.has("r") ? "R" + n.path("r").asInt() + "/S" + n.path("s").asInt() : null);
    out.put("result", first(n, "result", "verdict", "outcome", "final_status"));
    out.put("reason", first(n, "reason_code", "qa_reason_code"));
    out.put("hash", e.eventHash());
    out.put("recordedAt", n.path("recorded_at").asText(null));
    out.put("thisInstance", mine);
    return out;
  }

  private static Map<String, Object> verify(
      boolean chain, Path root, String projectId, String taskId) {
    Map<String, Object> out = new LinkedHashMap<>();
    if (!chain) {
      out.put("ok", false);
      out.put("available", false);
      out.put(
          "summary",
          projectId == null ? "this instance names no project" : "project has no chain yet");
      return out;
    }
    out.put("available", true);
    try {
      VerificationReport r = WorkflowLogger.verify(root, projectId, taskId, null);
      out.put("ok", r.ok());
      out.put("scope", r.scope());
      out.put("events", r.events());
      out.put("head", r.head());
      out.put("problems", r.problems().stream().map(ChainProblem::toString).toList());
      out.put("warnings", r.warnings());
      out.put(
          "summary",
          r.ok()
              ? r.events() + " event(s) verified"
              : r.problems().size() + " problem(s): " + r.firstProblem());
    } catch (RuntimeException e) {
      out.put("ok", false);
      out.put("summary", "the chain could not be read");
    }
    return out;
  }

  private Map<String, Object> reconcile(boolean chain, String projectId) {
    Map<String, Object> out = new LinkedHashMap<>();
    if (!chain) {
      out.put("clean", false);
      out.put("available", false);
      out.put("summary", "nothing to reconcile");
      return out;
    }
    out.put("available", true);
    try {
      ReconcileReport r = reconciler.reconcile(projectId);
      out.put("clean", r.clean());
      out.put("processInstances", r.processInstances());
      out.put("attemptsInChain", r.attemptsInChain());
      out.put("dispatchesInHistory", r.dispatchesInHistory());
      List<String> orphans = new ArrayList<>();
      r.attemptsWithoutHistory().forEach(o -> orphans.add(o.detail()));
      r.dispatchesWithoutAttempt().forEach(o -> orphans.add(o.detail()));
      r.anchorsBroken().forEach(o -> orphans.add(o.detail()));
      r.eventsUnanchored().forEach(o -> orphans.add(o.detail()));
      out.put("orphans", orphans);
      out.put(
          "summary",
          r.clean()
              ? r.attemptsInChain()
                  + " attempt(s), "
                  + r.dispatchesInHistory()
                  + " dispatch(es) and "
                  + r.anchorsInHistory()
                  + " anchor(s) agree"
              : orphans.size() + " record(s) without a partner");
    } catch (RuntimeException e) {
      out.put("clean", false);
      out.put("summary", "the reconcile could not run: the chain or history could not be read");
    }
    return out;
  }

  // ------------------------------------------------------------------ helpers

  private static String auditRoute(String processInstanceId) {
    return "#/aiflow/audit/" + processInstanceId;
  }

  private static String validId(Object value) {
    return value instanceof String s && Ids.isValid(s) ? s : null;
  }

  private static String first(JsonNode n, String... names) {
    for (String name : names) {
      JsonNode v = n.get(name);
      if (v != null && v.isValueNode() && !v.isNull()) {
        return v.asText();
      }
    }
    return null;
  }

  private static JsonNode tree(String json) {
    try {
      return JSON.readTree(json);
    } catch (IOException e) {
      return null;
    }
  }

  private static String text(Instant i) {
    return i == null ? null : i.toString();
  }

  private static String text(Date d) {
    return d == null ? null : d.toInstant().toString();
  }

  private static String str(Object o) {
    return o == null ? null : o.toString();
  }
}
