package dev.aiflow.engine.requirements;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.aiflow.config.AiflowProperties;
import dev.aiflow.engine.EngineVariables;
import dev.aiflow.engine.campaign.CampaignService;
import dev.aiflow.engine.campaign.CampaignVars;
import dev.aiflow.engine.stepcycle.StepCycleVars;
import dev.aiflow.negotiation.LaunchSeal;
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
 * campaignVariables}, the project, and the freeze required.
 */
@Component("launchCampaignDelegate")
class LaunchCampaignDelegate implements JavaDelegate {

  private static final ObjectMapper JSON = new ObjectMapper();

  private final AiflowProperties properties;

  LaunchCampaignDelegate(AiflowProperties properties) {
    this.properties = properties;
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
    Map<String, Object> vars = new HashMap<>();
    if (json != null) {
      JsonNode n = JSON.readTree(json);
      n.fields()
          .forEachRemaining(
              e ->
                  vars.put(
                      e.getKey(),
                      e.getValue().isContainerNode()
                          ? e.getValue().toString()
                          : JSON.convertValue(e.getValue(), Object.class)));
    }
    vars.put(CampaignVars.PROJECT_ID, projectId);
    vars.put(CampaignVars.REQUIRE_FREEZE, true);
    vars.put(
        CampaignVars.REQUIREMENTS_DIR,
        RequirementsSupport.store(properties, ex).projectDir().toString());
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
          ex.getProcessEngineServices()
              .getRuntimeService()
              .startProcessInstanceByKey(CampaignService.PROCESS_KEY, vars)
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
