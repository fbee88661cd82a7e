package dev.aiflow.engine.stepcycle;

import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.JavaDelegate;
import org.springframework.stereotype.Component;

/** {@code Task_RecordGuardBlock}: outcome {@code blocked}, recorded like a rejection. */
@Component
public class RecordGuardBlockDelegate implements JavaDelegate {

  private final CycleFinisher finisher;

  public RecordGuardBlockDelegate(CycleFinisher finisher) {
    this.finisher = finisher;
  }

  @Override
  public void execute(DelegateExecution ex) {
    finisher.finish(ex, "blocked", "rejected");
  }
}
