package dev.aiflow.scoreboard;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.aiflow.budget.Spend;
import java.util.Iterator;
import java.util.Map;
import java.util.TreeMap;

/**
 * The scoreboard's spend: everything the recorded cycles' attempts used, per task and per {@code
 * backend/model} (docs/triage.md, "Scoreboard").
 */
public record SpendBoard(
    Spend total, Map<String, Spend> byTask, Map<String, Spend> byBackendModel) {

  public SpendBoard {
    total = total == null ? Spend.NONE : total;
    byTask = Map.copyOf(byTask == null ? Map.of() : byTask);
    byBackendModel = Map.copyOf(byBackendModel == null ? Map.of() : byBackendModel);
  }

  public static SpendBoard empty() {
    return new SpendBoard(Spend.NONE, Map.of(), Map.of());
  }

  SpendBoard plus(String taskKey, Map<String, Spend> cycle) {
    if (cycle.isEmpty()) {
      return this;
    }
    Spend all = cycle.values().stream().reduce(Spend.NONE, Spend::plus);
    Map<String, Spend> tasks = new TreeMap<>(byTask);
    tasks.merge(taskKey, all, Spend::plus);
    Map<String, Spend> models = new TreeMap<>(byBackendModel);
    cycle.forEach((k, v) -> models.merge(k, v, Spend::plus));
    return new SpendBoard(total.plus(all), tasks, models);
  }

  /** The cost of all cycles divided by the tasks completed, in micro-dollars; null for none. */
  public Long costPerAcceptedTaskMicros(int completed) {
    return completed <= 0 ? null : total.costMicros() / completed;
  }

  ObjectNode toTree(int completed) {
    ObjectNode o = ScoreboardStore.JSON.createObjectNode();
    o.set("total", total.toTree());
    Long perTask = costPerAcceptedTaskMicros(completed);
    if (perTask != null) {
      o.put(
          "cost_per_accepted_task_usd",
          java.math.BigDecimal.valueOf(perTask).movePointLeft(6).toPlainString());
    }
    ObjectNode tasks = o.putObject("by_task");
    new TreeMap<>(byTask).forEach((k, v) -> tasks.set(k, v.toTree()));
    ObjectNode models = o.putObject("by_backend_model");
    new TreeMap<>(byBackendModel).forEach((k, v) -> models.set(k, v.toTree()));
    return o;
  }

  static SpendBoard fromTree(JsonNode o) {
    if (o == null || !o.isObject()) {
      return empty();
    }
    return new SpendBoard(
        Spend.fromTree(o.get("total")), map(o.path("by_task")), map(o.path("by_backend_model")));
  }

  private static Map<String, Spend> map(JsonNode n) {
    Map<String, Spend> out = new TreeMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = n.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      out.put(e.getKey(), Spend.fromTree(e.getValue()));
    }
    return out;
  }
}
