package dev.aiflow.support;

import java.util.List;
import java.util.Map;
import org.assertj.core.api.Condition;
import org.camunda.community.process_test_coverage.spring_test.common.ProcessEngineCoverageProperties;

/** The coverage rule of the process tests: at least 90% of one model, the others excluded. */
public final class ProcessCoverage {

  private ProcessCoverage() {}

  public static ProcessEngineCoverageProperties atLeast90Percent(
      String model, List<String> excludedProcessKeys) {
    return new ProcessEngineCoverageProperties(
        false,
        true,
        excludedProcessKeys,
        List.of(new Condition<>(c -> c >= 0.9, "at least 90%% of " + model)),
        Map.of(),
        List.of(),
        "target/process-test-coverage");
  }
}
