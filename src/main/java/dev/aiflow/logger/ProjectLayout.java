package dev.aiflow.logger;

import java.nio.file.Path;

/** Where a project's files live under the root directory (see docs/chain-format.md). */
final class ProjectLayout {

  static final String MANIFEST_DIR = "manifest";
  static final String PROJECT_MANIFEST = "manifest/project_manifest.json";
  static final String SCHEMA_VERSION = "manifest/schema_version.json";
  static final String EVENTS = "events.jsonl";
  static final String TASKS = "tasks";
  static final String LOCK = ".lock";

  final Path dir;

  ProjectLayout(Path root, String projectId) {
    this.dir = root.resolve(checkId("project id", projectId)).toAbsolutePath().normalize();
  }

  static String checkId(String what, String id) {
    // ids become directory names: the one grammar of dev.aiflow.ids.Ids
    if (!dev.aiflow.ids.Ids.isValid(id)) {
      throw new LogRefusedException(
          "INVALID_ID",
          what
              + " '"
              + id
              + "' is not valid: use 1-128 characters from A-Z a-z 0-9 . _ -, starting with a"
              + " letter or digit, without '..'");
    }
    return id;
  }

  /**
   * Why a relative path may not name a file of a project or an archive, or null when it may: 1 to
   * 16 parts separated by '/', each an id (1-128 characters from A-Z a-z 0-9 . _ -, starting with a
   * letter or digit, without '..'), 1024 characters at most. This keeps out traversal, control
   * characters and newlines, and look-alike letters from other scripts.
   */
  static String unportablePath(String path) {
    if (path == null || path.isEmpty() || path.length() > 1024) {
      return "is empty or longer than 1024 characters";
    }
    String[] parts = path.split("/", -1);
    if (parts.length > 16) {
      return "has more than 16 parts";
    }
    for (String part : parts) {
      if (!dev.aiflow.ids.Ids.isValid(part)) {
        return "is not a portable file name (each '/'-separated part: "
            + dev.aiflow.ids.Ids.RULE
            + ")";
      }
    }
    return null;
  }

  Path manifest() {
    return dir.resolve(PROJECT_MANIFEST);
  }

  Path schemaVersion() {
    return dir.resolve(SCHEMA_VERSION);
  }

  Path events() {
    return dir.resolve(EVENTS);
  }

  Path lockFile() {
    return dir.resolve(LOCK);
  }

  Path taskDir(String taskId) {
    return dir.resolve(TASKS).resolve(checkId("task id", taskId));
  }

  Path taskEvents(String taskId) {
    return taskDir(taskId).resolve(EVENTS);
  }

  Path taskLog(String taskId) {
    return taskDir(taskId).resolve("task_log.md");
  }

  Path taskArtifacts(String taskId) {
    return taskDir(taskId).resolve("artifacts");
  }

  /** The path of a task's chain relative to the project directory, as reports name it. */
  static String taskEventsName(String taskId) {
    return TASKS + "/" + taskId + "/" + EVENTS;
  }
}
