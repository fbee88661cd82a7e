package dev.aiflow.worker;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * How {@link SupervisedProcess} starts a command: in a {@link Sandbox} or not, with the JVM's
 * environment or a clean, allow-listed one, and recorded in {@link AgentRecords} or not. Every
 * launch marks the command's environment with {@value #MARK_VARIABLE} (a fresh value per run), so
 * the supervisor finds every process the command started, even one that left its session.
 * Immutable.
 */
public final class Launch {

  /** The environment variable that marks every process of one supervised run. */
  public static final String MARK_VARIABLE = "AIFLOW_SUPERVISOR_MARK";

  private static final Launch DIRECT = new Launch(Sandbox.none(), true, List.of(), null, Map.of());

  private final Sandbox sandbox;
  private final boolean network;
  private final List<Path> hidden;
  private final List<String> environmentAllowed;
  private final Map<String, String> environmentFixed;
  private final AgentRecords records;
  private final String label;
  private final List<Path> readable;

  private Launch(
      Sandbox sandbox,
      boolean network,
      List<Path> hidden,
      List<String> environmentAllowed,
      Map<String, String> environmentFixed) {
    this(sandbox, network, hidden, environmentAllowed, environmentFixed, null, null);
  }

  private Launch(
      Sandbox sandbox,
      boolean network,
      List<Path> hidden,
      List<String> environmentAllowed,
      Map<String, String> environmentFixed,
      AgentRecords records,
      String label) {
    this(sandbox, network, hidden, environmentAllowed, environmentFixed, records, label, List.of());
  }

  private Launch(
      Sandbox sandbox,
      boolean network,
      List<Path> hidden,
      List<String> environmentAllowed,
      Map<String, String> environmentFixed,
      AgentRecords records,
      String label,
      List<Path> readable) {
    this.readable = List.copyOf(readable);
    this.sandbox = sandbox;
    this.network = network;
    this.hidden = List.copyOf(hidden);
    this.environmentAllowed = environmentAllowed == null ? null : List.copyOf(environmentAllowed);
    this.environmentFixed = Map.copyOf(environmentFixed);
    this.records = records;
    this.label = label;
  }

  /** On the host, with the JVM's environment, unrecorded: how commands ran before sandboxes. */
  public static Launch direct() {
    return DIRECT;
  }

  /**
   * In {@code sandbox} (a no-op for {@link Sandbox#none()}).
   *
   * @param network whether the command keeps the network (only a sandbox can take it away)
   * @param hidden folders the command must not see
   */
  public Launch inSandbox(Sandbox value, boolean network, List<Path> hidden) {
    return new Launch(
        value, network, hidden, environmentAllowed, environmentFixed, records, label, readable);
  }

  /**
   * With {@code folders} kept visible, read-only, inside the sandbox even where a hidden folder
   * covers them (see {@link Sandbox#wrap(List, Path, boolean, List, List)}).
   */
  public Launch readable(List<Path> folders) {
    return new Launch(
        sandbox, network, hidden, environmentAllowed, environmentFixed, records, label, folders);
  }

  /**
   * With a clean environment: only the variables named in {@code allowed} are taken from the JVM's
   * environment, then {@code fixed} is added (e.g. a private HOME). No credential the server holds
   * reaches the command unless it is allowed by name.
   */
  public Launch cleanEnvironment(List<String> allowed, Map<String, String> fixed) {
    return new Launch(sandbox, network, hidden, allowed, fixed, records, label, readable);
  }

  /** Recorded in {@code value} while it runs, so a restarted server can stop what is left. */
  public Launch recordedIn(AgentRecords value, String what) {
    return new Launch(
        sandbox, network, hidden, environmentAllowed, environmentFixed, value, what, readable);
  }

  public boolean sandboxed() {
    return sandbox.isolated();
  }

  /** {@code bwrap} or {@code none}. */
  public String sandboxName() {
    return sandbox.name();
  }

  /** Whether the command has the network: without a sandbox it always has. */
  public boolean network() {
    return network || !sandbox.isolated();
  }

  /** Whether the JVM's environment is withheld (all but the allowed names). */
  public boolean cleanEnvironment() {
    return environmentAllowed != null;
  }

  AgentRecords records() {
    return records;
  }

  String label() {
    return label;
  }

  /** The command line to start: sandboxed when asked, leading its own session when possible. */
  List<String> argv(List<String> resolved, Path workDir) {
    return ProcessTree.isolated(sandbox.wrap(resolved, workDir, network, hidden, readable));
  }

  /**
   * Fills a ProcessBuilder's environment: clears it for a clean launch (keeping the allowed names),
   * adds {@code extra} and the run's mark.
   */
  void environment(Map<String, String> target, Map<String, String> extra, String mark) {
    if (environmentAllowed != null) {
      Map<String, String> kept = new LinkedHashMap<>();
      for (String name : environmentAllowed) {
        String value = target.get(name);
        if (value != null) {
          kept.put(name, value);
        }
      }
      target.clear();
      target.putAll(kept);
      target.putAll(environmentFixed);
    }
    target.putAll(extra);
    target.put(MARK_VARIABLE, mark);
  }

  /** Names of the variables a clean launch passes through (for records and docs). */
  public List<String> allowedEnvironment() {
    return environmentAllowed == null ? List.of() : new ArrayList<>(environmentAllowed);
  }
}
