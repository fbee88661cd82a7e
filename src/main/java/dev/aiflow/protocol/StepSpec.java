package dev.aiflow.protocol;

import java.util.List;

/** What a step or rework asks for: what the QA gate judges a {@link StepResult} against. */
public interface StepSpec {

  String runId();

  String taskId();

  String stepId();

  String objective();

  List<String> instructions();

  List<String> allowedPaths();

  List<AcceptanceCriterion> acceptanceCriteria();

  List<String> requiredCommands();

  String evidenceDir();

  Limits limits();

  Worker worker();
}
