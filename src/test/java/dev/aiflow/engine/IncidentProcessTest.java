package dev.aiflow.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.camunda.bpm.engine.test.assertions.bpmn.BpmnAwareTests.assertThat;

import dev.aiflow.engine.stepcycle.StepCycleService;
import dev.aiflow.support.EngineTestBase;
import dev.aiflow.support.Packs;
import java.nio.file.Path;
import org.camunda.bpm.engine.ProcessEngine;
import org.camunda.bpm.engine.externaltask.ExternalTask;
import org.camunda.bpm.engine.runtime.Incident;
import org.camunda.bpm.engine.test.assertions.bpmn.BpmnAwareTests;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;

/** A shim that cannot start is retried, then becomes an incident on Task_DispatchStep. */
@SpringBootTest(
    webEnvironment = SpringBootTest.WebEnvironment.NONE,
    properties = {
      EngineTestBase.OWN_DATABASE,
      EngineTestBase.OWN_DATA_DIR,
      EngineTestBase.FAST_WORKER,
      EngineTestBase.OWN_ENGINE_NAME,
      EngineTestBase.TEMP_ROOT,
      "aiflow.worker.shim=/nonexistent/gxd-subagent-shim",
      "aiflow.worker.retries=2",
      "aiflow.worker.retry-backoff=0s"
    })
class IncidentProcessTest extends EngineTestBase {

  @Autowired ProcessEngine engine;
  @TempDir Path workspace;

  @Test
  void shimMissingBecomesAnIncidentAfterTheRetries() throws Exception {
    Ran ran =
        runCycle(
            new StepCycleService.CycleRequest(
                "incidents",
                "RUN-I1",
                Packs.stepPack("I1", "pass"),
                null,
                1,
                null,
                workspace.toString(),
                true));
    assertThat(ran.result().outcome()).isEqualTo("incident");
    assertThat(ran.result().incident())
        .startsWith("Task_DispatchStep: the agent could not be started");

    BpmnAwareTests.init(engine);
    assertThat(ran.instance()).isActive().isWaitingAt("Task_DispatchStep");
    Incident incident =
        engine
            .getRuntimeService()
            .createIncidentQuery()
            .processInstanceId(ran.instance().getId())
            .singleResult();
    assertThat(incident.getIncidentType()).isEqualTo(Incident.EXTERNAL_TASK_HANDLER_TYPE);
    ExternalTask task =
        engine
            .getExternalTaskService()
            .createExternalTaskQuery()
            .processInstanceId(ran.instance().getId())
            .singleResult();
    assertThat(task.getRetries()).isZero();
    assertThat(engine.getExternalTaskService().getExternalTaskErrorDetails(task.getId()))
        .contains("/nonexistent/gxd-subagent-shim");
    assertThat(
            engine
                .getHistoryService()
                .createHistoricExternalTaskLogQuery()
                .processInstanceId(ran.instance().getId())
                .failureLog()
                .count())
        .isEqualTo(2);
  }

  @Test
  void aMissingWorkspaceIsRefusedAtIntakeBeforeAnAgentIsDispatched() throws Exception {
    Ran ran =
        runCycle(
            new StepCycleService.CycleRequest(
                "incidents",
                "RUN-I2",
                Packs.stepPack("I2", "pass"),
                null,
                1,
                null,
                workspace.resolve("missing").toString(),
                true));
    assertThat(ran.result().outcome()).isEqualTo("rejected");
    assertThat(
            engine
                .getHistoryService()
                .createHistoricVariableInstanceQuery()
                .processInstanceId(ran.instance().getId())
                .variableName("intakeFindings")
                .singleResult()
                .getValue()
                .toString())
        .contains("WORKSPACE_REFUSED")
        .contains("does not exist");
    assertThat(
            engine
                .getHistoryService()
                .createHistoricExternalTaskLogQuery()
                .processInstanceId(ran.instance().getId())
                .count())
        .as("no agent was dispatched")
        .isZero();
  }
}
