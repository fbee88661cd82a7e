package dev.aiflow.engine.cockpit;

import dev.aiflow.engine.requirements.ApprovalReader;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import org.camunda.bpm.cockpit.plugin.resource.AbstractCockpitPluginRootResource;
import org.springframework.web.context.WebApplicationContext;
import org.springframework.web.context.support.WebApplicationContextUtils;

/**
 * The plugin's root: {@code /camunda/api/cockpit/plugin/aiflow}. The webapps' security filter lets
 * {@code .../aiflow/static/**} through and requires a session signed in to the engine for {@code
 * .../aiflow/<engine>/**}; what that user may see is then checked per request ({@link
 * AiflowPluginResource}).
 */
@Path("plugin/" + AiflowCockpitPlugin.ID)
public class AiflowPluginRootResource extends AbstractCockpitPluginRootResource {

  public AiflowPluginRootResource() {
    super(AiflowCockpitPlugin.ID);
  }

  @Path("{engine}")
  public AiflowPluginResource engine(@PathParam("engine") String engineName) {
    // Jersey makes this resource, not Spring: aiflow's services come from the application context
    // of the servlet context the webapps run in
    WebApplicationContext spring =
        WebApplicationContextUtils.getRequiredWebApplicationContext(servletContext);
    return subResource(
        new AiflowPluginResource(
            engineName, spring.getBean(CockpitQueries.class), spring.getBean(ApprovalReader.class)),
        engineName);
  }
}
