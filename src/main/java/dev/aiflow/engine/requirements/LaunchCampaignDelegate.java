package dev.aiflow.engine.requirements;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.aiflow.config.AiflowProperties;
import dev.aiflow.engine.EngineVariables;
import dev.aiflow.engine.campaign.CampaignService;
import dev.aiflow.engine.campaign.CampaignVars;
import dev.aiflow.engine.stepcycle.StepCycleVars;
import java.util.HashMap;
import java.util.Map;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.JavaDelegate;
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
    Map<String, Object> vars = new HashMap<>();
    String json = EngineVariables.json(ex, RequirementsVars.CAMPAIGN_VARIABLES);
    if (json != null && !json.isBlank()) {
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
    vars.put(
        CampaignVars.PROJECT_ID, EngineVariables.string(ex, StepCycleVars.PROJECT_ID, "default"));
    vars.put(CampaignVars.REQUIRE_FREEZE, true);
    vars.put(
        CampaignVars.REQUIREMENTS_DIR,
        RequirementsSupport.store(properties, ex).projectDir().toString());
    String id =
        ex.getProcessEngineServices()
            .getRuntimeService()
            .startProcessInstanceByKey(CampaignService.PROCESS_KEY, vars)
            .getId();
    ex.setVariable(RequirementsVars.LAUNCHED_CAMPAIGN_ID, id);
  }
}
