package dev.aiflow.campaign;

/** A campaign was refused because a running campaign owns its queue ({@link QueueOwner}). */
public class QueueInUseException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  private final String campaignId;
  private final String runningCampaignId;

  public QueueInUseException(String campaignId, String runningCampaignId, String queuePath) {
    super("the queue " + queuePath + " is owned by running campaign " + runningCampaignId);
    this.campaignId = campaignId;
    this.runningCampaignId = runningCampaignId;
  }

  /** The refused campaign (its instance ended at once as {@code queue_in_use}). */
  public String campaignId() {
    return campaignId;
  }

  public String runningCampaignId() {
    return runningCampaignId;
  }
}
