package dev.aiflow.engine.stepcycle;

import dev.aiflow.intake.TierDecision;
import dev.aiflow.intake.TierInputs;
import dev.aiflow.intake.TierRouter;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import org.camunda.bpm.dmn.engine.DmnDecision;
import org.camunda.bpm.dmn.engine.DmnDecisionResultEntries;
import org.camunda.bpm.dmn.engine.DmnEngine;
import org.camunda.bpm.dmn.engine.DmnEngineConfiguration;
import org.camunda.bpm.engine.variable.VariableMap;
import org.camunda.bpm.engine.variable.Variables;
import org.springframework.stereotype.Component;

/**
 * Evaluates {@code processes/tier-routing.dmn} with the standalone DMN engine, for callers outside
 * a process (the CLI's {@code prepare}). Inside {@code step-cycle.bpmn} the business-rule task
 * evaluates the same deployed table, with the same variable names ({@link #variables}).
 */
@Component
public class DmnTierRouter implements TierRouter {

  public static final String DECISION_KEY = "tierRouting";
  public static final String RESOURCE = "processes/tier-routing.dmn";

  private final DmnEngine engine;
  private final DmnDecision decision;

  public DmnTierRouter() {
    engine = DmnEngineConfiguration.createDefaultDmnEngineConfiguration().buildEngine();
    try (InputStream in = DmnTierRouter.class.getClassLoader().getResourceAsStream(RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException(RESOURCE + " is not on the classpath");
      }
      decision = engine.parseDecision(DECISION_KEY, in);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + RESOURCE, e);
    }
  }

  @Override
  public TierDecision route(TierInputs inputs) {
    DmnDecisionResultEntries first =
        engine.evaluateDecision(decision, variables(inputs)).getFirstResult();
    if (first == null) {
      throw new IllegalStateException(RESOURCE + " matched no rule for " + inputs);
    }
    return new TierDecision(first.getEntry("tier"), first.getEntry("reason"));
  }

  /** The decision's input variables; the step cycle sets the same names. */
  public static VariableMap variables(TierInputs inputs) {
    return Variables.createVariables()
        .putValue("risk", inputs.risk())
        .putValue("stepCount", inputs.stepCount())
        .putValue("allowedPathCount", inputs.allowedPathCount())
        .putValue("executionRoute", inputs.executionRoute());
  }
}
