package dev.aiflow.engine.dispatch;

import org.camunda.bpm.engine.delegate.ExecutionListener;
import org.camunda.bpm.engine.impl.bpmn.behavior.ExternalTaskActivityBehavior;
import org.camunda.bpm.engine.impl.bpmn.parser.AbstractBpmnParseListener;
import org.camunda.bpm.engine.impl.cfg.AbstractProcessEnginePlugin;
import org.camunda.bpm.engine.impl.cfg.ProcessEngineConfigurationImpl;
import org.camunda.bpm.engine.impl.cfg.TransactionState;
import org.camunda.bpm.engine.impl.context.Context;
import org.camunda.bpm.engine.impl.pvm.process.ActivityImpl;
import org.camunda.bpm.engine.impl.pvm.process.ScopeImpl;
import org.camunda.bpm.engine.impl.util.xml.Element;
import org.springframework.stereotype.Component;

/**
 * Adds a start listener to every external-task activity that, once the transaction that created the
 * task has committed, signals the in-process worker ({@link DispatchSignal}). The models stay free
 * of technical listeners.
 */
@Component
public class DispatchWakeUpPlugin extends AbstractProcessEnginePlugin {

  private final DispatchSignal signal;

  public DispatchWakeUpPlugin(DispatchSignal signal) {
    this.signal = signal;
  }

  @Override
  public void preInit(ProcessEngineConfigurationImpl configuration) {
    if (configuration.getCustomPostBPMNParseListeners() == null) {
      configuration.setCustomPostBPMNParseListeners(new java.util.ArrayList<>());
    }
    ExecutionListener wakeUp =
        execution ->
            Context.getCommandContext()
                .getTransactionContext()
                .addTransactionListener(TransactionState.COMMITTED, ctx -> signal.signal());
    configuration
        .getCustomPostBPMNParseListeners()
        .add(
            new AbstractBpmnParseListener() {
              @Override
              public void parseServiceTask(
                  Element element, ScopeImpl scope, ActivityImpl activity) {
                if (activity.getActivityBehavior() instanceof ExternalTaskActivityBehavior) {
                  activity.addBuiltInListener(ExecutionListener.EVENTNAME_START, wakeUp);
                }
              }
            });
  }
}
