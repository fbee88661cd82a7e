package dev.aiflow.api;

import dev.aiflow.config.AiflowProperties;
import dev.aiflow.engine.security.ApiAccess;
import dev.aiflow.logger.LogRefusedException;
import dev.aiflow.logger.WorkflowLogger;
import dev.aiflow.transparency.CheckpointException;
import dev.aiflow.transparency.Transparency;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.net.URI;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * A project's transparency log: its verifier key, its latest signed checkpoint, and inclusion and
 * consistency proofs, all in their text formats (docs/chain-format.md) so that any C2SP tool reads
 * them. Read-only: checkpoints are signed by the engine and the CLI, never on request.
 */
@RestController
@RequestMapping("/api/projects")
@Tag(name = "transparency", description = "Signed checkpoints of a project chain, and proofs")
public class TransparencyController {

  private final Transparency transparency;
  private final AiflowProperties properties;
  private final ApiAccess access;

  public TransparencyController(
      Transparency transparency, AiflowProperties properties, ApiAccess access) {
    this.transparency = transparency;
    this.properties = properties;
    this.access = access;
  }

  @GetMapping(
      value = "/{projectId}/transparency/verifier-key",
      produces = MediaType.TEXT_PLAIN_VALUE)
  @Operation(
      summary =
          "The log's verifier key, <origin>+<key id>+<base64(0x01 || Ed25519 public key)>: what"
              + " auditors check checkpoints and bundles with")
  public String verifierKey(@PathVariable String projectId) {
    requireProject(projectId);
    return transparency.verifierKey(projectId) + "\n";
  }

  @GetMapping(value = "/{projectId}/transparency/checkpoint", produces = MediaType.TEXT_PLAIN_VALUE)
  @Operation(summary = "The latest signed checkpoint (C2SP tlog-checkpoint, signed note)")
  public String checkpoint(@PathVariable String projectId) {
    requireProject(projectId);
    return transparency
        .latest(projectId)
        .orElseThrow(
            () ->
                new LogRefusedException(
                    "NO_CHECKPOINT", "no checkpoint was signed for '" + projectId + "' yet"))
        .note();
  }

  @GetMapping(value = "/{projectId}/transparency/inclusion", produces = MediaType.TEXT_PLAIN_VALUE)
  @Operation(
      summary =
          "The inclusion proof of event seq against the latest checkpoint (C2SP tlog-proof; index"
              + " = seq - 1)")
  public String inclusion(@PathVariable String projectId, @RequestParam long seq) {
    requireProject(projectId);
    return transparency.inclusionProof(projectId, seq).format();
  }

  @GetMapping(
      value = "/{projectId}/transparency/consistency",
      produces = MediaType.TEXT_PLAIN_VALUE)
  @Operation(
      summary =
          "The consistency proof from the tree of 'from' events to the signed checkpoint of 'to'"
              + " events (default: the latest)")
  public String consistency(
      @PathVariable String projectId,
      @RequestParam long from,
      @RequestParam(required = false, defaultValue = "0") long to) {
    requireProject(projectId);
    return transparency.consistencyProof(projectId, from, to).format();
  }

  /** The chain on disk no longer matches what was signed: say so, never serve a wrong proof. */
  @ExceptionHandler(CheckpointException.class)
  ProblemDetail inconsistent(CheckpointException e) {
    ProblemDetail p = ProblemDetail.forStatusAndDetail(HttpStatus.CONFLICT, e.getMessage());
    p.setType(
        URI.create("https://aiflow.dev/problems/" + e.code().toLowerCase().replace('_', '-')));
    p.setTitle(e.code());
    return p;
  }

  /** Nothing signed yet, or no checkpoint of that size: not found; other refusals: 400. */
  @ExceptionHandler(LogRefusedException.class)
  ProblemDetail refused(LogRefusedException e) {
    HttpStatus status =
        switch (e.code()) {
          case "NO_CHECKPOINT", "NO_SUCH_CHECKPOINT", "NOT_INITIALISED" -> HttpStatus.NOT_FOUND;
          default -> HttpStatus.BAD_REQUEST;
        };
    ProblemDetail p = ProblemDetail.forStatusAndDetail(status, e.getMessage());
    p.setType(
        URI.create("https://aiflow.dev/problems/" + e.code().toLowerCase().replace('_', '-')));
    p.setTitle(e.code());
    return p;
  }

  private void requireProject(String projectId) {
    // the same grant as reading the chain itself (docs/security.md)
    access.require(ApiAccess.Action.READ_AUDIT);
    CampaignController.safe(projectId);
    if (!WorkflowLogger.exists(properties.workflowRoot(), projectId)) {
      throw new ProblemHandler.NotFound("no workflow log for project '" + projectId + "'");
    }
  }
}
