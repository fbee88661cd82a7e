package dev.aiflow.engine.stepcycle;

import dev.aiflow.contract.CompiledContract;
import dev.aiflow.contract.ContractCompiler;
import dev.aiflow.engine.ChainAnchors;
import dev.aiflow.logger.ChainEvent;
import dev.aiflow.protocol.StepPack;
import java.nio.file.Path;
import java.util.Map;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.JavaDelegate;
import org.springframework.stereotype.Component;

/** {@code Task_CompileContract}: tier3 only, the master contract, written and logged. */
@Component
public class CompileContractDelegate implements JavaDelegate {

  private final StepCycleSupport support;
  private final ContractCompiler compiler = ContractCompiler.withBundledTemplate();

  public CompileContractDelegate(StepCycleSupport support) {
    this.support = support;
  }

  @Override
  public void execute(DelegateExecution ex) throws Exception {
    StepPack pack = support.stepPack(ex);
    String taskId = (String) ex.getVariable(StepCycleVars.TASK_ID);
    String runId = (String) ex.getVariable(StepCycleVars.RUN_ID);
    CompiledContract contract = compiler.compile(support.intake(ex, pack), runId, taskId);
    Path file = contract.writeTo(support.contractDir(ex, taskId, runId));
    ChainEvent event =
        support
            .logger(ex)
            .logTaskEvent(
                taskId,
                "contract_compiled",
                Map.of(
                    "contract_ref", file.toString(),
                    "conformant", contract.conformant(),
                    "run_id", runId,
                    "process_instance_id", ex.getProcessInstanceId()),
                "contract:" + ex.getProcessInstanceId());
    ex.setVariable(StepCycleVars.CONTRACT_REF, file.toString());
    ex.setVariable(StepCycleVars.CONTRACT_CONFORMANT, contract.conformant());
    ChainAnchors.anchor(ex, event);
  }
}
