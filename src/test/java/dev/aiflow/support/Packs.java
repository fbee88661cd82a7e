package dev.aiflow.support;

/** StepPacks and intakes that steer the mock shim through each path. */
public final class Packs {

  private Packs() {}

  /** A pack whose work is checked by a real command the mock shim runs. */
  public static String stepPack(String taskId, String scenario, int runtimeSec, int silenceSec) {
    return """
        {
          "schema": "aiflow.step_pack.v1", "run_id": "RUN-%1$s", "task_id": "%1$s", "step_id": "S1",
          "title": "Finish %1$s", "objective": "src/%1$s.txt says the work is done",
          "instructions": ["mock-scenario: %2$s", "Change only src/%1$s.txt."],
          "tier": "tier2",
          "allowed_paths": ["src/%1$s.txt"],
          "acceptance_criteria": [{"id": "AC-1", "description": "the status line says done",
                                   "verification": "grep -q 'status: done' src/%1$s.txt"}],
          "required_commands": ["grep -q 'status: done' src/%1$s.txt"],
          "evidence_dir": ".artifacts/RUN-%1$s/%1$s/S1",
          "limits": {"max_runtime_sec": %3$d, "max_silence_sec": %4$d, "max_memory_mb": 512},
          "worker": {"backend": "mock"}
        }
        """
        .formatted(taskId, scenario, runtimeSec, silenceSec);
  }

  public static String stepPack(String taskId, String scenario) {
    return stepPack(taskId, scenario, 60, 20);
  }

  /** A high-risk migration: routed to tier3. */
  public static String tier3Intake(String taskId) {
    return """
        {
          "task_title": "Migrate %1$s", "target": "src/%1$s.txt", "execution_route": "migration",
          "risk": "high", "steps": ["Migrate", "Verify"], "allowed_paths": ["src/%1$s.txt"],
          "out_of_scope": ["everything else"], "risks": ["data loss"], "rollback": "git revert",
          "acceptance_criteria": [{"id": "AC-1", "description": "the status line says done",
                                   "verification": "grep -q 'status: done' src/%1$s.txt"}]
        }
        """
        .formatted(taskId);
  }

  /** Not ready: no target, no route, no criteria. */
  public static String rejectedIntake() {
    return "{\"task_title\": \"Make it better\", \"acceptance_criteria\": []}";
  }
}
