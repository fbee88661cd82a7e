package dev.aiflow.engine;

/**
 * Variables every aiflow process shares by name, so the modules need not know each other: a
 * campaign passes them to the step cycles it calls, and the audit reads them in every instance.
 */
public final class SharedVars {

  /** The workflow log's project. */
  public static final String PROJECT_ID = "projectId";

  /** The run (a cycle's business key). */
  public static final String RUN_ID = "runId";

  /** The campaign a step cycle runs for. */
  public static final String CAMPAIGN_ID = "campaignId";

  /** The rework round of a step cycle (0 for the first dispatch). */
  public static final String REWORK_ROUND = "reworkRound";

  /**
   * The last chain event the instance appended, as {@code <seq>:<event hash>}, written after every
   * step that appends (so every value it took is an anchor in history; docs/chain-format.md,
   * "Anchors"). Written only through {@link ChainAnchors#anchor}.
   */
  public static final String CHAIN_ANCHOR = "chainAnchor";

  /** Who started the instance ({@code camunda:initiator}). */
  public static final String STARTED_BY = "startedBy";

  /** The process key of campaigns. */
  public static final String CAMPAIGN_PROCESS = "campaign";

  /** The process key of step cycles. */
  public static final String STEP_CYCLE_PROCESS = "stepCycle";

  /** The process key of requirement freezes. */
  public static final String REQUIREMENTS_PROCESS = "requirementsFreeze";

  private SharedVars() {}
}
