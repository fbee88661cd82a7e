package dev.aiflow.engine.cockpit;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.aiflow.engine.requirements.ApprovalReader;
import dev.aiflow.files.PathRefusedException;
import dev.aiflow.negotiation.ApprovalView;
import dev.aiflow.negotiation.FreezeException;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.Response.Status;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;
import org.camunda.bpm.cockpit.plugin.resource.AbstractCockpitPluginResource;
import org.camunda.bpm.engine.AuthorizationException;
import org.camunda.bpm.engine.authorization.Permission;
import org.camunda.bpm.engine.authorization.Permissions;
import org.camunda.bpm.engine.authorization.ProcessDefinitionPermissions;
import org.camunda.bpm.engine.authorization.Resource;
import org.camunda.bpm.engine.authorization.Resources;
import org.camunda.bpm.engine.impl.identity.Authentication;
import org.camunda.bpm.engine.rest.exception.RestException;

/**
 * The plugin's API for one engine, {@code /camunda/api/cockpit/plugin/aiflow/<engine>/...}, all
 * read-only (GET). It runs as the webapp session's user, whom the webapps make the engine's
 * authenticated user for the request, and checks that user's Camunda authorizations itself (the
 * webapps only check that someone is signed in to the engine):
 *
 * <ul>
 *   <li>every route needs the Cockpit application ({@code ACCESS} on application {@code cockpit});
 *   <li>{@code campaigns} lists what history shows the user: campaigns they may read ({@code
 *       READ_HISTORY} on process definition {@code campaign}, or READ on one historic instance); an
 *       unreadable campaign is, to them, one that does not exist (404);
 *   <li>{@code audit/<id>} needs {@code READ_HISTORY} on process definition {@code stepCycle}, as
 *       the REST API's audit does, and an instance history shows them;
 *   <li>{@code approval/<taskId>} (the Tasklist approval form) needs the Tasklist application
 *       ({@code ACCESS} on application {@code tasklist}) and the task itself readable by the user,
 *       as Tasklist shows it to them (a candidate approver may; anybody else gets 404).
 * </ul>
 */
public class AiflowPluginResource extends AbstractCockpitPluginResource {

  private static final ObjectMapper JSON =
      new ObjectMapper().disable(SerializationFeature.FAIL_ON_EMPTY_BEANS);

  private final CockpitQueries queries;
  private final ApprovalReader approvals;

  AiflowPluginResource(String engineName, CockpitQueries queries, ApprovalReader approvals) {
    super(engineName);
    this.queries = queries;
    this.approvals = approvals;
  }

  @GET
  @Path("campaigns")
  @Produces(MediaType.APPLICATION_JSON)
  public Response campaigns(@QueryParam("max") @DefaultValue("200") int max) {
    requireCockpit();
    if (max < 1 || max > CockpitQueries.MAX_CAMPAIGNS) {
      throw new RestException(Status.BAD_REQUEST, "max must be 1.." + CockpitQueries.MAX_CAMPAIGNS);
    }
    return json(guarded(() -> queries.campaigns(max)));
  }

  @GET
  @Path("campaigns/{id}")
  @Produces(MediaType.APPLICATION_JSON)
  public Response campaign(@PathParam("id") String id) {
    requireCockpit();
    return json(
        guarded(() -> queries.campaign(id))
            .orElseThrow(() -> notFound("no campaign '" + id + "' that you may read")));
  }

  /** The campaign's own trend chart; no other file can be named. */
  @GET
  @Path("campaigns/{id}/summary.svg")
  @Produces("image/svg+xml")
  public Response chart(@PathParam("id") String id) {
    requireCockpit();
    byte[] svg =
        guarded(() -> queries.chart(id))
            .orElseThrow(() -> notFound("campaign '" + id + "' has no trend chart you may read"));
    return Response.ok(svg, "image/svg+xml")
        // shown as an image; opened on its own it may run nothing and load nothing
        .header("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'")
        .header("X-Content-Type-Options", "nosniff")
        .header("Cache-Control", "no-store")
        .build();
  }

  @GET
  @Path("audit/{processInstanceId}")
  @Produces(MediaType.APPLICATION_JSON)
  public Response audit(@PathParam("processInstanceId") String processInstanceId) {
    requireCockpit();
    require(
        Resources.PROCESS_DEFINITION,
        CockpitQueries.STEP_CYCLE_KEY,
        ProcessDefinitionPermissions.READ_HISTORY,
        "reading the audit needs READ_HISTORY on process definition stepCycle");
    return json(
        guarded(() -> queries.audit(processInstanceId))
            .orElseThrow(
                () -> notFound("no process instance '" + processInstanceId + "' you may read")));
  }

  /**
   * What the "Approve requirements" form in Tasklist shows
   * (processes/forms/approve-requirements.html): the draft's text, its diff against the last frozen
   * version, the plan and the hash. Needs the Tasklist application, and the task must be an open
   * approval the user may read (as Tasklist shows it to them); otherwise it does not exist for them
   * (404).
   */
  @GET
  @Path("approval/{taskId}")
  @Produces(MediaType.APPLICATION_JSON)
  public Response approval(@PathParam("taskId") String taskId) {
    requireEngine();
    require(
        Resources.APPLICATION,
        "tasklist",
        Permissions.ACCESS,
        "the approval form needs access to the Tasklist application");
    ApprovalReader.Approval a;
    try {
      a =
          guarded(() -> approvals.forTask(taskId))
              .orElseThrow(() -> notFound("no open approval task '" + taskId + "' you may read"));
    } catch (FreezeException e) {
      throw notFound("the draft of this approval is gone (" + e.code() + ")");
    } catch (PathRefusedException e) {
      throw new RestException(Status.CONFLICT, e.getMessage());
    }
    ApprovalView v = a.view();
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("taskId", a.taskId());
    out.put("processInstanceId", a.processInstanceId());
    out.put("projectId", a.projectId());
    out.put("title", v.title());
    out.put("sha256", v.sha256());
    out.put("expectedSha256", v.expectedSha256());
    out.put("unchanged", v.unchanged());
    out.put("previousVersion", v.previousVersion());
    out.put("text", v.text());
    out.put(
        "diff",
        v.diff().stream()
            .map(l -> Map.of("op", String.valueOf(l.op()), "text", l.text()))
            .toList());
    out.put("boundary", v.boundary());
    out.put("plan", v.plan());
    out.put("findings", v.findings());
    return json(out);
  }

  // ------------------------------------------------------------------ checks

  private void requireEngine() {
    if (!engineName.equals(queries.engineName())) {
      throw notFound("aiflow runs on engine '" + queries.engineName() + "' only");
    }
  }

  private void requireCockpit() {
    requireEngine();
    require(
        Resources.APPLICATION,
        "cockpit",
        Permissions.ACCESS,
        "the aiflow views need access to the Cockpit application");
  }

  private void require(Resource resource, String id, Permission permission, String why) {
    if (!isAuthorizationEnabled()) {
      return;
    }
    Authentication who = getCurrentAuthentication();
    if (who == null || who.getUserId() == null) {
      throw new RestException(Status.UNAUTHORIZED, "sign in to Cockpit first");
    }
    boolean granted =
        getProcessEngine()
            .getAuthorizationService()
            .isUserAuthorized(who.getUserId(), who.getGroupIds(), permission, resource, id);
    if (!granted) {
      throw new RestException(Status.FORBIDDEN, why + " (docs/security.md)");
    }
  }

  /** A refusal the engine raised inside a query is a 403, never a 500. */
  private static <T> T guarded(Supplier<T> query) {
    try {
      return query.get();
    } catch (AuthorizationException e) {
      throw new RestException(Status.FORBIDDEN, "not authorized: " + e.getMessage());
    }
  }

  private static RestException notFound(String message) {
    return new RestException(Status.NOT_FOUND, message);
  }

  private static Response json(Object body) {
    try {
      return Response.ok(JSON.writeValueAsString(body), MediaType.APPLICATION_JSON)
          .header("Cache-Control", "no-store")
          .build();
    } catch (JsonProcessingException e) {
      throw new RestException(Status.INTERNAL_SERVER_ERROR, "the answer could not be written");
    }
  }
}
