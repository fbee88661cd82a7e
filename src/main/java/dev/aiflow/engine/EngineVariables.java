package dev.aiflow.engine;

import org.camunda.bpm.engine.delegate.VariableScope;
import org.camunda.bpm.engine.variable.VariableMap;
import org.camunda.bpm.engine.variable.value.StringValue;
import org.camunda.bpm.engine.variable.value.TypedValue;
import org.camunda.spin.plugin.variable.SpinValues;
import org.camunda.spin.plugin.variable.value.JsonValue;

/** Reads and writes the step cycle's variables with the types of their contract. */
public final class EngineVariables {

  private EngineVariables() {}

  /** A JSON document stored as a Json value, or given as a String; null when absent. */
  public static String json(VariableScope scope, String name) {
    // not deserialized: a Json variable's text is all the callers need, and parsing it into a Spin
    // tree first (the default) cost more than the delegates' own work
    return text(scope.getVariableTyped(name, false));
  }

  /** The same, from fetched variables. */
  public static String json(VariableMap variables, String name) {
    return text(variables.getValueTyped(name));
  }

  private static String text(TypedValue value) {
    if (value instanceof JsonValue json) {
      // fetched variables stay serialized: the JSON text is all a worker needs
      return json.getValueSerialized();
    }
    if (value instanceof org.camunda.bpm.engine.variable.value.SerializableValue sv
        && !sv.isDeserialized()) {
      return sv.getValueSerialized();
    }
    if (value == null || value.getValue() == null) {
      return null;
    }
    if (value instanceof StringValue s) {
      return s.getValue();
    }
    return value.getValue().toString();
  }

  public static String requireJson(VariableScope scope, String name) {
    String json = json(scope, name);
    if (json == null || json.isBlank()) {
      throw new IllegalStateException("the variable '" + name + "' is required");
    }
    return json;
  }

  /** A Json value for the JSON text: visible in Cockpit, readable by remote workers. */
  public static TypedValue jsonValue(String json) {
    return SpinValues.jsonValue(json).create();
  }

  /**
   * Sets a plain variable only when its value changes. Under history level full every write costs a
   * runtime row and a historic detail, and a campaign writes the same facts (the backend, the
   * workspace, a false flag, a zero) for every task; an unchanged value is not a new fact.
   */
  public static void setIfChanged(VariableScope scope, String name, Object value) {
    if (scope.hasVariable(name) && java.util.Objects.equals(scope.getVariable(name), value)) {
      return;
    }
    scope.setVariable(name, value);
  }

  public static void setJson(VariableScope scope, String name, String json) {
    scope.setVariable(name, jsonValue(json));
  }

  public static String string(VariableScope scope, String name, String fallback) {
    Object v = scope.getVariable(name);
    return v == null || v.toString().isBlank() ? fallback : v.toString();
  }

  public static int integer(VariableScope scope, String name, int fallback) {
    Object v = scope.getVariable(name);
    if (v instanceof Number n) {
      return n.intValue();
    }
    if (v instanceof String s && !s.isBlank()) {
      return Integer.parseInt(s.trim());
    }
    return fallback;
  }

  public static boolean bool(VariableScope scope, String name, boolean fallback) {
    Object v = scope.getVariable(name);
    if (v instanceof Boolean b) {
      return b;
    }
    if (v instanceof String s && !s.isBlank()) {
      return Boolean.parseBoolean(s.trim());
    }
    return fallback;
  }

  /** A value as JSON text (maps, lists, records): for Json variables and chain fields. */
  public static String toJson(Object value) {
    try {
      return WRITER.writeValueAsString(value);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException("a value aiflow built does not serialise", e);
    }
  }

  private static final com.fasterxml.jackson.databind.ObjectMapper WRITER =
      new com.fasterxml.jackson.databind.ObjectMapper();

  /**
   * Text for a String variable: Camunda keeps at most 4,000 characters in one, so longer text is
   * cut with a note (the whole text is in the chain).
   */
  public static String shortText(String text) {
    if (text == null || text.length() <= 3_900) {
      return text;
    }
    return text.substring(0, 3_850) + " ... (cut; the chain has the whole text)";
  }
}
