package dev.aiflow.demo;

import dev.aiflow.config.AiflowProperties;
import dev.aiflow.engine.campaign.CampaignService;
import dev.aiflow.engine.cockpit.CockpitLinks;
import dev.aiflow.logger.WorkflowLogger;
import dev.aiflow.worker.ShimRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

/**
 * The server's first start on a fresh data directory runs the demo campaign, so whoever opens
 * Cockpit first finds a real campaign: its finished cycles, and one task (DEMO-3) whose rework ran
 * out waiting for a person in Tasklist, the campaign a running instance until then. Off with {@code
 * aiflow.demo.on-start=false} (env {@code AIFLOW_DEMO_ON_START=false}); it never runs twice on the
 * same data directory.
 */
@Component
@ConditionalOnWebApplication
public class DemoOnStart {

  private static final Logger LOG = LoggerFactory.getLogger(DemoOnStart.class);

  private final AiflowProperties properties;
  private final CampaignService campaigns;
  private final ShimRegistry shims;

  public DemoOnStart(AiflowProperties properties, CampaignService campaigns, ShimRegistry shims) {
    this.properties = properties;
    this.campaigns = campaigns;
    this.shims = shims;
    // a demo of an earlier start may still have cycles to run, or a decision waiting
    if (Files.isRegularFile(DemoAssets.settings(properties.dataDir()))) {
      shims.register(DemoAssets.SHIM_NAME, DemoAssets.shim(properties.dataDir()));
    }
  }

  @EventListener(ApplicationReadyEvent.class)
  public void runDemo() {
    if (!properties.demo().onStart()) {
      return;
    }
    Path data = properties.dataDir();
    if (WorkflowLogger.exists(properties.workflowRoot(), "demo")
        || Files.exists(DemoAssets.root(data).resolve("demo"))) {
      return; // not a fresh data directory: the demo ran before
    }
    try {
      DemoAssets demo = DemoAssets.extract(data, "demo");
      shims.register(DemoAssets.SHIM_NAME, DemoAssets.shim(data));
      String id = campaigns.start(demo.campaign("demo"), "demo");
      LOG.info(
          "First start on a fresh data directory: the demo campaign {} runs now over {}. Watch it"
              + " in Cockpit: {}; one of its tasks will wait for your decision in Tasklist (turn"
              + " the demo off with AIFLOW_DEMO_ON_START=false)",
          id,
          demo.queue(),
          CockpitLinks.campaign(id));
    } catch (RuntimeException e) {
      // the server is useful without its demo
      LOG.warn("the demo campaign could not start: {}", e.getMessage());
    }
  }
}
