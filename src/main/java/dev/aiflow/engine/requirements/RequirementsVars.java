package dev.aiflow.engine.requirements;

import dev.aiflow.engine.campaign.CampaignVars;
import dev.aiflow.engine.stepcycle.StepCycleVars;

/** The variable contract of {@code requirements-freeze.bpmn} (docs/requirements.md). */
public final class RequirementsVars {

  // inputs
  public static final String PROJECT_ID = StepCycleVars.PROJECT_ID;
  public static final String DIALOGUE = "dialogue";
  public static final String DIALOGUE_PATH = "dialoguePath";
  public static final String CONTROLLER_BACKEND = "controllerBackend";
  public static final String CONTROLLER_MODEL = "controllerModel";
  public static final String CONTROLLER_COMMAND = "controllerCommand";
  public static final String REQUIREMENTS_DIR = CampaignVars.REQUIREMENTS_DIR;
  public static final String START_CAMPAIGN = "startCampaign";

  /**
   * The HMAC over project, drafter, {@code startCampaign} and {@code campaignVariables}, written by
   * {@code RequirementsService} at the start and checked before the launch ({@code LaunchSeal}).
   */
  public static final String LAUNCH_SEAL = "launchSeal";

  /** Who started the draft ({@code camunda:initiator}); the campaign is launched as them. */
  public static final String STARTED_BY = "startedBy";

  public static final String CAMPAIGN_VARIABLES = "campaignVariables";

  // the draft and its review
  public static final String DRAFT_ROUND = "draftRound";
  public static final String DRAFT_PATH = "draftPath";
  public static final String DRAFT_SHA256 = "draftSha256";
  public static final String DRAFT_FINDINGS = "draftFindings";
  public static final String DRAFT_FINDINGS_SUMMARY = "draftFindingsSummary";
  public static final String APPROVED = "approved";
  public static final String APPROVAL_COMMENT = "approvalComment";
  public static final String APPROVER = "approver";
  public static final String REVIEW_NOTES = "reviewNotes";
  public static final String FREEZE_REFUSAL = "freezeRefusal";

  /**
   * Set by the model ({@code camunda:errorMessageVariable}) when the draft's inputs are unusable.
   */
  public static final String INPUT_PROBLEM = "inputProblem";

  // outcome
  public static final String REQUIREMENTS_VERSION = "requirementsVersion";
  public static final String REQUIREMENTS_SHA256 = StepCycleVars.REQUIREMENTS_SHA256;
  public static final String FROZEN_PATH = "frozenPath";
  public static final String LAUNCHED_CAMPAIGN_ID = "launchedCampaignId";

  public static final String APPROVERS_GROUP = "approvers";

  private RequirementsVars() {}
}
