package dev.aiflow.support;

import dev.aiflow.engine.stepcycle.StepCycleService;
import java.time.Duration;
import org.camunda.bpm.engine.runtime.ProcessInstance;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.ActiveProfiles;

/**
 * The engine with the real models, the in-process dispatch worker, and the real mock shim as the
 * agent; an in-memory database and a data directory of its own per Spring context. No web server. A
 * subclass that needs other settings redeclares {@code @SpringBootTest} with these constants and
 * its own.
 */
@SpringBootTest(
    webEnvironment = SpringBootTest.WebEnvironment.NONE,
    properties = {
      EngineTestBase.OWN_DATABASE,
      EngineTestBase.OWN_DATA_DIR,
      EngineTestBase.MOCK_SHIM,
      EngineTestBase.FAST_WORKER,
      EngineTestBase.SHORT_GRACE,
      EngineTestBase.OWN_ENGINE_NAME,
      EngineTestBase.TEMP_ROOT
    })
@ActiveProfiles("engine")
public abstract class EngineTestBase {

  public static final String OWN_DATABASE =
      "spring.datasource.url=jdbc:h2:mem:engine-${random.uuid};DB_CLOSE_DELAY=-1";
  public static final String OWN_DATA_DIR =
      "aiflow.data-dir=target/test-data/engine-${random.uuid}";
  public static final String MOCK_SHIM = "aiflow.worker.shim=examples/orchestrator/mock-shim";
  public static final String FAST_WORKER = "aiflow.worker.poll-interval=100ms";
  public static final String SHORT_GRACE = "aiflow.worker.grace=300ms";

  /** The tests' workspaces and queues live in JUnit's temporary folders. */
  public static final String TEMP_ROOT = "aiflow.allowed-roots=${java.io.tmpdir}";

  /**
   * Camunda keeps engines in a static registry by name; cached test contexts in one JVM must not
   * share the name "default", which the REST API of a web context looks up.
   */
  public static final String OWN_ENGINE_NAME =
      "camunda.bpm.process-engine-name=engine${random.int[1000000,9999999]}";

  @Autowired protected StepCycleService cycles;

  /** A started instance and how it ended. */
  protected record Ran(ProcessInstance instance, StepCycleService.CycleResult result) {}

  protected Ran runCycle(StepCycleService.CycleRequest request) throws InterruptedException {
    return runCycle(request, StepCycleService.CycleGuards.NONE);
  }

  protected Ran runCycle(StepCycleService.CycleRequest request, StepCycleService.CycleGuards guards)
      throws InterruptedException {
    ProcessInstance pi = cycles.startInstance(request, guards);
    return new Ran(pi, cycles.await(pi.getId(), Duration.ofSeconds(90)));
  }
}
