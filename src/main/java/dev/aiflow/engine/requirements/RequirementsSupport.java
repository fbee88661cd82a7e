package dev.aiflow.engine.requirements;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.aiflow.config.AiflowProperties;
import dev.aiflow.engine.EngineVariables;
import dev.aiflow.engine.stepcycle.StepCycleVars;
import dev.aiflow.negotiation.FreezeStore;
import dev.aiflow.negotiation.RequirementsFormatException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import org.camunda.bpm.engine.delegate.VariableScope;

/** What the steps of requirements-freeze.bpmn share: the project's store, the review notes. */
final class RequirementsSupport {

  private static final ObjectMapper JSON = new ObjectMapper();

  private RequirementsSupport() {}

  /**
   * The project's requirements: {@code requirementsDir} (under the path policy), else its folder.
   */
  static FreezeStore store(AiflowProperties properties, VariableScope scope) {
    return store(
        properties,
        EngineVariables.string(scope, RequirementsVars.REQUIREMENTS_DIR, null),
        EngineVariables.string(scope, StepCycleVars.PROJECT_ID, "default"));
  }

  static FreezeStore store(AiflowProperties properties, String requirementsDir, String projectId) {
    if (requirementsDir != null) {
      return new FreezeStore(
          properties.pathPolicy().directory(RequirementsVars.REQUIREMENTS_DIR, requirementsDir));
    }
    return new FreezeStore(properties.projectDir(projectId == null ? "default" : projectId));
  }

  /** {@code reviewNotes}: every rejection comment so far, oldest first. */
  static List<String> reviewNotes(VariableScope scope) {
    List<String> out = new ArrayList<>();
    String json = EngineVariables.json(scope, RequirementsVars.REVIEW_NOTES);
    if (json != null) {
      try {
        JSON.readTree(json).forEach(n -> out.add(n.asText()));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return out;
  }

  /** The first five findings, for a one-line variable. */
  static String summary(List<RequirementsFormatException.Finding> findings) {
    return findings.stream().limit(5).map(Object::toString).collect(Collectors.joining("; "))
        + (findings.size() > 5 ? "; ..." : "");
  }
}
