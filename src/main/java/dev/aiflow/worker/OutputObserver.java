package dev.aiflow.worker;

/**
 * Sees each line the supervised process prints on stdout, as it arrives, and may ask the supervisor
 * to stop the whole process tree with an outcome: how budgets are enforced from the stream by the
 * kernel rather than trusted to the shim.
 */
@FunctionalInterface
public interface OutputObserver {

  OutputObserver NONE = line -> null;

  /**
   * One complete stdout line, without its line break, in order, on the thread that reads stdout.
   *
   * @return a stop request, or null to let the run go on
   */
  Stop onStdoutLine(String line);

  /** Stop the run now with this outcome. */
  record Stop(Outcome outcome, String detail) {}
}
