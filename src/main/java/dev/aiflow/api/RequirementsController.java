package dev.aiflow.api;

import com.fasterxml.jackson.databind.JsonNode;
import dev.aiflow.engine.cockpit.CockpitLinks;
import dev.aiflow.engine.requirements.RequirementsService;
import dev.aiflow.engine.security.ApiAccess;
import dev.aiflow.negotiation.FreezeStatus;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.net.URI;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/** A project's requirements: start the freeze workflow, read the freeze (docs/requirements.md). */
@RestController
@RequestMapping("/api/projects/{projectId}/requirements")
@Tag(name = "requirements", description = "Dialogue, approval in Tasklist, frozen requirements")
public class RequirementsController {

  /** The longest dialogue accepted: 256 KiB of text. */
  static final int MAX_DIALOGUE_CHARS = 256 * 1024;

  private final RequirementsService requirements;
  private final ApiAccess access;

  public RequirementsController(RequirementsService requirements, ApiAccess access) {
    this.requirements = requirements;
    this.access = access;
  }

  /** {@code POST /api/projects/{id}/requirements}. */
  @Schema(description = "Start the requirements freeze workflow")
  public record FreezeRequestBody(
      @Schema(
              description = "The conversation the brief is drafted from",
              requiredMode = Schema.RequiredMode.REQUIRED)
          String dialogue,
      @Schema(
              defaultValue = "heuristic",
              allowableValues = {"heuristic", "command"})
          String controllerBackend,
      @Schema(description = "A label for the model, recorded in controller_profile.json")
          String controllerModel,
      @Schema(description = "With command: a name from aiflow.controller.commands")
          String controllerCommand,
      @Schema(
              description =
                  "Campaign variables (as for POST /engine-rest/process-definition/key/campaign/start,"
                      + " plain JSON values) to start a campaign once the freeze is approved",
              implementation = Object.class)
          JsonNode campaign) {}

  /** What a freeze start returns. */
  public record Started(String processInstanceId, Map<String, String> links) {}

  /** A project's freeze. */
  public record FreezeResource(
      String projectId,
      boolean approved,
      Integer version,
      String sha256,
      String approver,
      Instant approvedAt,
      String code,
      String message,
      List<String> pendingApprovalTaskIds) {}

  @PostMapping
  @Operation(
      summary = "Draft requirements from dialogue and wait for approval in Tasklist",
      description =
          "Starts requirements-freeze.bpmn. The draft is written to"
              + " <data-dir>/projects/<id>/input/requirements.draft.md, then a member of the"
              + " 'approvers' group approves or rejects it in Tasklist.")
  public ResponseEntity<Started> start(
      @PathVariable String projectId, @RequestBody FreezeRequestBody body) {
    access.require(ApiAccess.Action.DRAFT_REQUIREMENTS);
    CampaignController.safe(projectId);
    if (body.dialogue() == null || body.dialogue().isBlank()) {
      throw new ProblemHandler.BadRequest("dialogue", "required: the conversation to draft from");
    }
    if (body.dialogue().length() > MAX_DIALOGUE_CHARS) {
      throw new ProblemHandler.BadRequest(
          "dialogue", "longer than " + MAX_DIALOGUE_CHARS + " characters");
    }
    if (body.controllerModel() != null && body.controllerModel().length() > 200) {
      throw new ProblemHandler.BadRequest("controllerModel", "longer than 200 characters");
    }
    String backend = body.controllerBackend() == null ? "heuristic" : body.controllerBackend();
    if (!backend.equals("heuristic") && !backend.equals("command")) {
      throw new ProblemHandler.BadRequest(
          "controllerBackend", "heuristic or command, not " + backend);
    }
    if (backend.equals("command") && body.controllerCommand() == null) {
      throw new ProblemHandler.BadRequest(
          "controllerCommand", "the command backend needs a command name");
    }
    if (body.campaign() != null && !body.campaign().isObject()) {
      throw new ProblemHandler.BadRequest("campaign", "an object of campaign variables");
    }
    String id =
        requirements.start(
            new RequirementsService.FreezeRequest(
                projectId,
                body.dialogue(),
                backend,
                body.controllerModel(),
                body.controllerCommand(),
                body.campaign() == null ? null : body.campaign().toString()));
    return ResponseEntity.created(URI.create("/api/projects/" + projectId + "/requirements"))
        .body(
            new Started(
                id,
                Map.of(
                    "status",
                    "/api/projects/" + projectId + "/requirements",
                    "tasklist",
                    CockpitLinks.TASKLIST,
                    "cockpit",
                    CockpitLinks.audit(id))));
  }

  @GetMapping
  @Operation(summary = "Whether the project may execute, and the approvals waiting")
  public FreezeResource get(@PathVariable String projectId) {
    access.require(ApiAccess.Action.READ_REQUIREMENTS);
    CampaignController.safe(projectId);
    RequirementsService.FreezeView v = requirements.view(projectId);
    FreezeStatus s = v.status();
    return new FreezeResource(
        projectId,
        s.approved(),
        s.approved() ? s.meta().version() : null,
        s.approved() ? s.meta().sha256() : null,
        s.approved() ? s.meta().approver() : null,
        s.approved() ? s.meta().approvedAt() : null,
        s.code(),
        s.message(),
        v.pendingApprovalTaskIds());
  }
}
