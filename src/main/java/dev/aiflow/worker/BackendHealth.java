package dev.aiflow.worker;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Preflight for dispatches: the shim executable and each backend's runtime binaries must be present
 * and executable. Every problem is reported, not just the first.
 */
public final class BackendHealth {

  /** The binaries each known backend needs besides the shim. */
  public static final Map<String, List<String>> DEFAULT_RUNTIMES =
      Map.of(
          "codex", List.of("codex"),
          "claude", List.of("claude"),
          "gemini", List.of("gemini"),
          "opencode", List.of("opencode"),
          "mock", List.of("bash"));

  /**
   * One problem.
   *
   * @param code {@code SHIM_MISSING}, {@code SHIM_NOT_EXECUTABLE}, {@code RUNTIME_MISSING} or
   *     {@code UNKNOWN_BACKEND}
   */
  public record Problem(String backend, String code, String message) {

    @Override
    public String toString() {
      return code + (backend == null ? "" : " [" + backend + "]") + ": " + message;
    }
  }

  private final Map<String, List<String>> runtimes;

  public BackendHealth(Map<String, List<String>> runtimes) {
    this.runtimes = Map.copyOf(runtimes);
  }

  public static BackendHealth withDefaults() {
    return new BackendHealth(DEFAULT_RUNTIMES);
  }

  public List<Problem> check(String shim, Collection<String> backends) {
    List<Problem> problems = new ArrayList<>();
    if (ProcessTree.findExecutable(shim).isEmpty()) {
      boolean exists = shim.contains("/") && Files.exists(Path.of(shim));
      problems.add(
          exists
              ? new Problem(null, "SHIM_NOT_EXECUTABLE", shim + " exists but is not executable")
              : new Problem(
                  null,
                  "SHIM_MISSING",
                  "the shim '"
                      + shim
                      + "' was not found"
                      + (shim.contains("/") ? "" : " on PATH")));
    }
    for (String backend : new TreeSet<>(backends)) {
      List<String> binaries = runtimes.get(backend);
      if (binaries == null) {
        problems.add(
            new Problem(
                backend,
                "UNKNOWN_BACKEND",
                "no runtime binaries are known for backend '"
                    + backend
                    + "' (configure aiflow.worker.backend-runtimes."
                    + backend
                    + ")"));
        continue;
      }
      for (String binary : binaries) {
        if (ProcessTree.findExecutable(binary).isEmpty()) {
          problems.add(
              new Problem(
                  backend,
                  "RUNTIME_MISSING",
                  "backend '" + backend + "' needs '" + binary + "', which is not on PATH"));
        }
      }
    }
    return problems;
  }
}
