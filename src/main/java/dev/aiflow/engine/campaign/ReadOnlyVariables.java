package dev.aiflow.engine.campaign;

import java.lang.reflect.Proxy;
import java.util.Map;
import org.camunda.bpm.engine.delegate.VariableScope;
import org.camunda.bpm.engine.variable.VariableMap;
import org.camunda.bpm.engine.variable.Variables;

/**
 * Campaign variables that are not in an execution yet (a start request), read through the same
 * {@link VariableScope} methods the campaign's steps use, so {@link CampaignSupport#spec} reads a
 * request exactly as the started campaign will read its variables. Reading only: a write is a bug.
 */
final class ReadOnlyVariables {

  private ReadOnlyVariables() {}

  static VariableScope of(Map<String, Object> variables) {
    VariableMap map = Variables.fromMap(variables);
    return (VariableScope)
        Proxy.newProxyInstance(
            VariableScope.class.getClassLoader(),
            new Class<?>[] {VariableScope.class},
            (proxy, method, args) ->
                switch (method.getName()) {
                  case "getVariable" -> map.get((String) args[0]);
                  case "getVariableTyped" -> map.getValueTyped((String) args[0]);
                  case "hasVariable" -> map.containsKey((String) args[0]);
                  case "getVariableNames" -> map.keySet();
                  case "toString" -> "campaign variables " + map.keySet();
                  case "hashCode" -> System.identityHashCode(proxy);
                  case "equals" -> proxy == args[0];
                  default ->
                      throw new UnsupportedOperationException(
                          "campaign start variables are read only: " + method.getName());
                });
  }
}
