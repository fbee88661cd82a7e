package dev.aiflow.agent;

import java.util.List;
import java.util.function.Consumer;

/**
 * One agent CLI driven in its documented headless mode (docs/backends.md): how to start it, and how
 * to read its event stream into progress lines and an {@link AgentRun}.
 */
interface BackendAdapter {

  /** The command line, and the prompt to write on its stdin (null: stdin stays empty). */
  record Invocation(List<String> argv, String stdin) {
    public Invocation {
      argv = List.copyOf(argv);
    }
  }

  String name();

  Invocation invocation(ShimRequest request, AgentSettings settings);

  /**
   * One line the CLI printed on stdout.
   *
   * @param progress receives one short line per event worth showing (a heartbeat for the worker)
   */
  void onLine(String line, AgentRun run, Consumer<String> progress);

  /** The CLI exited: classify a failure the stream did not already name. */
  void onExit(int exitCode, String stderrTail, AgentRun run);

  /**
   * Whether the CLI reports the thread's usage since it began, resumed runs included, rather than
   * this run's: the shim then subtracts what the thread had used before (docs/backends.md).
   */
  default boolean cumulativeAcrossResume() {
    return false;
  }
}
