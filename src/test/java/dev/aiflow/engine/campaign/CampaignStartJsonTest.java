package dev.aiflow.engine.campaign;

import static org.assertj.core.api.Assertions.assertThat;

import dev.aiflow.support.EngineTestBase;
import java.util.Map;
import org.camunda.bpm.engine.ProcessEngine;
import org.camunda.bpm.engine.RepositoryService;
import org.camunda.bpm.engine.RuntimeService;
import org.camunda.bpm.engine.impl.cfg.ProcessEngineConfigurationImpl;
import org.camunda.bpm.engine.impl.persistence.entity.ExecutionEntity;
import org.camunda.bpm.model.bpmn.Bpmn;
import org.camunda.spin.plugin.variable.SpinValues;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;

/**
 * The Json variables a campaign is started with are read once per change, not once per step: a step
 * that finds the variable unchanged gets the text it read before, and a change committed by anyone
 * (an operator in Cockpit, the REST API) is read again.
 */
@SpringBootTest(
    webEnvironment = SpringBootTest.WebEnvironment.NONE,
    properties = {
      EngineTestBase.OWN_DATABASE,
      EngineTestBase.OWN_DATA_DIR,
      EngineTestBase.MOCK_SHIM,
      EngineTestBase.OWN_ENGINE_NAME,
      EngineTestBase.TEMP_ROOT
    })
class CampaignStartJsonTest extends EngineTestBase {

  @Autowired CampaignSupport support;
  @Autowired ProcessEngine engine;
  @Autowired RepositoryService repository;
  @Autowired RuntimeService runtime;

  @Test
  void anUnchangedStartVariableIsReadOnceAndAChangedOneAgain() {
    repository
        .createDeployment()
        .addModelInstance(
            "startJsonProbe.bpmn",
            Bpmn.createExecutableProcess("startJsonProbe")
                .camundaHistoryTimeToLive(1)
                .startEvent()
                .userTask("Task_Wait")
                .endEvent()
                .done())
        .deploy();
    String pi =
        runtime
            .startProcessInstanceByKey(
                "startJsonProbe",
                Map.of(
                    CampaignVars.STEP_PACK_MAP,
                    SpinValues.jsonValue("{\"K-1\": {\"v\": 1}}").create(),
                    CampaignVars.WORKER_BACKEND_MAP,
                    SpinValues.jsonValue("{}").create()))
            .getId();

    String first = read(pi, CampaignVars.STEP_PACK_MAP);
    assertThat(first).isEqualTo("{\"K-1\": {\"v\": 1}}");
    // another step, another transaction: the same text, not loaded again
    assertThat(read(pi, CampaignVars.STEP_PACK_MAP)).isSameAs(first);
    assertThat(read(pi, CampaignVars.WORKER_BACKEND_MAP)).isEqualTo("{}");

    // an operator changes the map (its own transaction): the next step reads the new one
    runtime.setVariable(
        pi, CampaignVars.STEP_PACK_MAP, SpinValues.jsonValue("{\"K-1\": {\"v\": 2}}").create());
    assertThat(read(pi, CampaignVars.STEP_PACK_MAP)).isEqualTo("{\"K-1\": {\"v\": 2}}");
    // changed back to the very text it had: still read again, not taken for the first version
    runtime.setVariable(
        pi, CampaignVars.STEP_PACK_MAP, SpinValues.jsonValue("{\"K-1\": {\"v\": 1}}").create());
    String again = read(pi, CampaignVars.STEP_PACK_MAP);
    assertThat(again).isEqualTo(first).isNotSameAs(first);
    // removed and set anew (a variable of another id, and another type)
    runtime.removeVariable(pi, CampaignVars.STEP_PACK_MAP);
    runtime.setVariable(pi, CampaignVars.STEP_PACK_MAP, "{\"K-1\": {\"v\": 3}}");
    assertThat(read(pi, CampaignVars.STEP_PACK_MAP)).isEqualTo("{\"K-1\": {\"v\": 3}}");
    // set and read again in one transaction (a step that would change it): the new text
    String sameTransaction =
        ((ProcessEngineConfigurationImpl) engine.getProcessEngineConfiguration())
            .getCommandExecutorTxRequired()
            .execute(
                ctx -> {
                  ExecutionEntity ex = ctx.getExecutionManager().findExecutionById(pi);
                  support.startJson(ex, CampaignVars.STEP_PACK_MAP);
                  ex.setVariable(
                      CampaignVars.STEP_PACK_MAP,
                      SpinValues.jsonValue("{\"K-1\": {\"v\": 4}}").create());
                  return support.startJson(ex, CampaignVars.STEP_PACK_MAP);
                });
    assertThat(sameTransaction).isEqualTo("{\"K-1\": {\"v\": 4}}");
    runtime.deleteProcessInstance(pi, "done");
  }

  /** What a campaign step reads, in a transaction of its own, from the instance's execution. */
  private String read(String pi, String name) {
    return ((ProcessEngineConfigurationImpl) engine.getProcessEngineConfiguration())
        .getCommandExecutorTxRequired()
        .execute(
            ctx -> {
              ExecutionEntity ex = ctx.getExecutionManager().findExecutionById(pi);
              return support.startJson(ex, name);
            });
  }
}
