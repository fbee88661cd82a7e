package dev.aiflow.bench;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.camunda.bpm.engine.delegate.ExecutionListener;
import org.camunda.bpm.engine.impl.bpmn.parser.AbstractBpmnParseListener;
import org.camunda.bpm.engine.impl.bpmn.parser.BpmnParseListener;
import org.camunda.bpm.engine.impl.cfg.AbstractProcessEnginePlugin;
import org.camunda.bpm.engine.impl.cfg.ProcessEngineConfigurationImpl;
import org.camunda.bpm.engine.impl.cfg.TransactionState;
import org.camunda.bpm.engine.impl.context.Context;
import org.camunda.bpm.engine.impl.persistence.entity.ProcessDefinitionEntity;
import org.camunda.bpm.engine.impl.util.xml.Element;

/**
 * The one completion signal both sides of an engine benchmark wait for: a process instance's end,
 * once its transaction has committed. A parse listener puts an end listener on every process
 * definition (aiflow's models and their twins alike), so neither side polls and both are woken the
 * same way, the moment their instance is done.
 */
public final class EndSignal extends AbstractProcessEnginePlugin {

  private final ConcurrentHashMap<String, CompletableFuture<Void>> ends = new ConcurrentHashMap<>();

  private CompletableFuture<Void> of(String processInstanceId) {
    return ends.computeIfAbsent(processInstanceId, id -> new CompletableFuture<>());
  }

  /** Waits until the instance has ended and its end is committed. */
  public void await(String processInstanceId, Duration timeout)
      throws InterruptedException, TimeoutException {
    try {
      of(processInstanceId).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      throw new IllegalStateException(e.getCause());
    } finally {
      ends.remove(processInstanceId);
    }
  }

  @Override
  public void preInit(ProcessEngineConfigurationImpl config) {
    ExecutionListener onEnd =
        execution -> {
          if (execution.getSuperExecution() != null) {
            return; // a called instance: its caller's end is what a benchmark waits for
          }
          String id = execution.getProcessInstanceId();
          Context.getCommandContext()
              .getTransactionContext()
              .addTransactionListener(TransactionState.COMMITTED, ctx -> of(id).complete(null));
        };
    BpmnParseListener listener =
        new AbstractBpmnParseListener() {
          @Override
          public void parseProcess(Element process, ProcessDefinitionEntity definition) {
            definition.addListener(ExecutionListener.EVENTNAME_END, onEnd);
          }
        };
    if (config.getCustomPostBPMNParseListeners() == null) {
      config.setCustomPostBPMNParseListeners(new java.util.ArrayList<>());
    }
    config.getCustomPostBPMNParseListeners().add(listener);
  }
}
