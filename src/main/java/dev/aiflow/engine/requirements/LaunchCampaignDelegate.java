package dev.aiflow.engine.requirements;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.aiflow.campaign.CampaignInputException;
import dev.aiflow.campaign.CampaignSpec;
import dev.aiflow.campaign.RunIds;
import dev.aiflow.config.AiflowProperties;
import dev.aiflow.engine.EngineVariables;
import dev.aiflow.engine.campaign.CampaignService;
import dev.aiflow.engine.campaign.CampaignSupport;
import dev.aiflow.engine.campaign.CampaignVars;
import dev.aiflow.engine.stepcycle.StepCycleVars;
import dev.aiflow.negotiation.LaunchSeal;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.camunda.bpm.engine.IdentityService;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.JavaDelegate;
import org.camunda.bpm.engine.impl.identity.Authentication;
import org.springframework.stereotype.Component;

/**
 * {@code Task_LaunchCampaign} (asynchronous): starts {@code campaign} with {@code
 * campaignVariables}, the project, and the freeze required, through the one way to start a
 * campaign: the variables are read into a {@link CampaignSpec} ({@link CampaignSupport#specOf}) and
 * started by {@link CampaignService#startInstance}, so a launched campaign gets the same defaults
 * and checks as one started over REST or the CLI. A request the spec refuses, or a queue another
 * campaign owns, is an incident: nothing starts.
 */
@Component("launchCampaignDelegate")
class LaunchCampaignDelegate implements JavaDelegate {

  private static final ObjectMapper JSON = new ObjectMapper();

  private final AiflowProperties properties;
  private final CampaignSupport campaignSupport;
  private final CampaignService campaigns;

  LaunchCampaignDelegate(
      AiflowProperties properties, CampaignSupport campaignSupport, CampaignService campaigns) {
    this.properties = properties;
    this.campaignSupport = campaignSupport;
    this.campaigns = campaigns;
  }

  @Override
  public void execute(DelegateExecution ex) throws Exception {
    String projectId = EngineVariables.string(ex, StepCycleVars.PROJECT_ID, "default");
    String drafter = EngineVariables.string(ex, RequirementsVars.STARTED_BY, null);
    String json =
        LaunchRequest.canonical(EngineVariables.json(ex, RequirementsVars.CAMPAIGN_VARIABLES));
    boolean start = EngineVariables.bool(ex, RequirementsVars.START_CAMPAIGN, false);
    if (!LaunchSeal.forDataDir(properties.dataDir())
        .matches(
            EngineVariables.string(ex, RequirementsVars.LAUNCH_SEAL, null),
            projectId,
            drafter,
            start,
            json)) {
      // an incident an operator sees in Cockpit: nothing is started
      throw new IllegalStateException(
          "not launched: the campaign request differs from the one sealed when the draft was"
              + " started (project, drafter, startCampaign or campaignVariables changed since;"
              + " docs/requirements.md, \"Launching a campaign\")");
    }
    Map<String, Object> requested = new HashMap<>();
    if (json != null) {
      JsonNode n = JSON.readTree(json);
      n.fields()
          .forEachRemaining(
              e ->
                  requested.put(
                      e.getKey(),
                      e.getValue().isContainerNode()
                          ? e.getValue().toString()
                          : JSON.convertValue(e.getValue(), Object.class)));
    }
    requested.put(CampaignVars.PROJECT_ID, projectId);
    requested.put(CampaignVars.REQUIRE_FREEZE, true);
    requested.put(
        CampaignVars.REQUIREMENTS_DIR,
        RequirementsSupport.store(properties, ex).projectDir().toString());
    // one way to start a campaign: the request becomes a CampaignSpec (its defaults, its checks)
    // and the spec the variables, as for a start over REST or the CLI; what the spec does not
    // hold (breakerThreshold, snapshot paths) goes along as it was requested
    CampaignSpec spec;
    try {
      spec = campaignSupport.specOf(requested);
    } catch (CampaignInputException e) {
      throw new IllegalStateException(
          "not launched: campaignVariables." + e.field() + ": " + e.getMessage());
    }
    Map<String, Object> extra = new HashMap<>(requested);
    extra.keySet().removeAll(CampaignService.variables(spec).keySet());
    // the campaign is the drafter's: started as them, so the engine checks that they may start
    // one (CREATE_INSTANCE on campaign) and records them as its starter, not the approver
    IdentityService identity = ex.getProcessEngineServices().getIdentityService();
    Authentication before = identity.getCurrentAuthentication();
    if (drafter != null) {
      List<String> groups =
          identity.createGroupQuery().groupMember(drafter).list().stream()
              .map(g -> g.getId())
              .toList();
      identity.setAuthentication(drafter, groups);
    }
    try {
      String id =
          campaigns
              .startInstance(
                  spec, RunIds.of("campaign", Instant.now(), projectId + System.nanoTime()), extra)
              .getId();
      ex.setVariable(RequirementsVars.LAUNCHED_CAMPAIGN_ID, id);
    } finally {
      if (before != null) {
        identity.setAuthentication(before);
      } else {
        identity.clearAuthentication();
      }
    }
  }
}
