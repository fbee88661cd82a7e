package dev.aiflow.engine.cockpit;

import java.util.Set;
import org.camunda.bpm.cockpit.plugin.spi.impl.AbstractCockpitPlugin;

/**
 * aiflow's Cockpit plugin (Camunda 7's own plugin mechanism, registered in {@code
 * META-INF/services/org.camunda.bpm.cockpit.plugin.spi.CockpitPlugin}): its REST resources under
 * {@code /camunda/api/cockpit/plugin/aiflow/<engine>/...} and its frontend module {@code
 * plugin-webapp/aiflow/app/plugin.js}, served as {@code
 * /camunda/api/cockpit/plugin/aiflow/static/app/plugin.js}. See docs/operator-guide.md.
 */
public class AiflowCockpitPlugin extends AbstractCockpitPlugin {

  public static final String ID = "aiflow";

  @Override
  public String getId() {
    return ID;
  }

  @Override
  public Set<Class<?>> getResourceClasses() {
    return Set.of(AiflowPluginRootResource.class);
  }
}
