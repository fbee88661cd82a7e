package dev.aiflow.budget;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.aiflow.logger.ChainEvent;
import java.io.IOException;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Sums the usage of attempts from the chain (their {@code usage} member, docs/chain-format.md): for
 * a task, one run of a task, a set of tasks or runs (a campaign), by backend and model. The chain
 * is the record: what it sums is what a budget or the scoreboard can trust.
 */
public final class BudgetLedger {

  private static final ObjectMapper JSON = new ObjectMapper();

  private BudgetLedger() {}

  /** Every attempt among {@code events}. */
  public static Spend sum(List<ChainEvent> events) {
    return sum(events, e -> true);
  }

  /** The attempts among {@code events} whose JSON {@code filter} accepts. */
  public static Spend sum(List<ChainEvent> events, Predicate<JsonNode> filter) {
    Spend s = Spend.NONE;
    for (ChainEvent e : events) {
      if (!"attempt".equals(e.eventType())) {
        continue;
      }
      JsonNode n = tree(e);
      if (n != null && filter.test(n)) {
        s = s.plus(Spend.ofAttemptEvent(n));
      }
    }
    return s;
  }

  /** A task's attempts (its task chain, {@code WorkflowLogger.taskEvents}). */
  public static Spend ofTask(List<ChainEvent> taskEvents) {
    return sum(taskEvents);
  }

  /** The attempts of one run (one cycle) of a task: {@code context.run_id} = {@code runId}. */
  public static Spend ofRun(List<ChainEvent> events, String runId) {
    return sum(events, n -> runId.equals(n.path("context").path("run_id").asText(null)));
  }

  /** A campaign's attempts: those of the given tasks, or of the given runs when runs are given. */
  public static Spend ofCampaign(
      List<ChainEvent> projectEvents, Collection<String> taskIds, Collection<String> runIds) {
    Set<String> tasks = Set.copyOf(taskIds);
    Set<String> runs = runIds == null ? Set.of() : Set.copyOf(runIds);
    return sum(
        projectEvents,
        n ->
            runs.isEmpty()
                ? tasks.contains(n.path("task_id").asText())
                : runs.contains(n.path("context").path("run_id").asText(null)));
  }

  /** By task id. */
  public static Map<String, Spend> byTask(List<ChainEvent> events) {
    Map<String, Spend> out = new LinkedHashMap<>();
    for (ChainEvent e : events) {
      if ("attempt".equals(e.eventType())) {
        JsonNode n = tree(e);
        if (n != null) {
          out.merge(e.taskId(), Spend.ofAttemptEvent(n), Spend::plus);
        }
      }
    }
    return out;
  }

  /** By {@code backend/model} ({@code unknown} for what was not reported). */
  public static Map<String, Spend> byBackendModel(
      List<ChainEvent> events, Predicate<JsonNode> filter) {
    Map<String, Spend> out = new LinkedHashMap<>();
    for (ChainEvent e : events) {
      if (!"attempt".equals(e.eventType())) {
        continue;
      }
      JsonNode n = tree(e);
      if (n != null && filter.test(n)) {
        out.merge(key(n), Spend.ofAttemptEvent(n), Spend::plus);
      }
    }
    return out;
  }

  /** The key an attempt is grouped under: {@code backend/model}. */
  static String key(JsonNode attempt) {
    JsonNode u = attempt.path("usage");
    String backend =
        u.hasNonNull("backend")
            ? u.get("backend").asText()
            : attempt.path("context").path("backend").asText("unknown");
    String model = u.hasNonNull("model") ? u.get("model").asText() : "unknown";
    return backend + "/" + model;
  }

  private static JsonNode tree(ChainEvent e) {
    try {
      return JSON.readTree(e.json());
    } catch (IOException ex) {
      return null;
    }
  }
}
