package dev.aiflow.api;

import com.fasterxml.jackson.annotation.JsonUnwrapped;
import dev.aiflow.campaign.CampaignBudget;
import dev.aiflow.campaign.CampaignInputException;
import dev.aiflow.campaign.CampaignSpec;
import dev.aiflow.campaign.CampaignView;
import dev.aiflow.campaign.QueueInUseException;
import dev.aiflow.campaign.RunIds;
import dev.aiflow.campaign.Safeguards;
import dev.aiflow.campaign.StepPackMap;
import dev.aiflow.config.AiflowProperties;
import dev.aiflow.engine.campaign.CampaignService;
import dev.aiflow.engine.cockpit.CockpitLinks;
import dev.aiflow.engine.security.ApiAccess;
import dev.aiflow.files.AtomicFile;
import dev.aiflow.files.PathPolicy;
import dev.aiflow.ids.Ids;
import dev.aiflow.scoreboard.ScoreboardStore;
import dev.aiflow.triage.QueueCodec;
import dev.aiflow.triage.QueueFormatException;
import dev.aiflow.triage.QueueStore;
import dev.aiflow.triage.TaskQueue;
import dev.aiflow.worker.BackendHealth;
import dev.aiflow.worker.ShimRegistry;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** Campaigns: start one over a queue, follow it, cancel it. */
@RestController
@RequestMapping("/api/campaigns")
@Tag(name = "campaigns", description = "Campaigns over a triage queue (processes/campaign.bpmn)")
public class CampaignController {

  private final CampaignService campaigns;
  private final AiflowProperties properties;
  private final ApiAccess access;
  private final ShimRegistry shims;
  private final BackendHealth health;

  public CampaignController(
      CampaignService campaigns,
      AiflowProperties properties,
      ApiAccess access,
      ShimRegistry shims,
      BackendHealth health) {
    this.campaigns = campaigns;
    this.properties = properties;
    this.access = access;
    this.shims = shims;
    this.health = health;
  }

  /** A campaign and where to go next. */
  public record CampaignResource(@JsonUnwrapped CampaignView campaign, Map<String, String> links) {}

  @PostMapping
  @Operation(
      summary = "Start a campaign",
      description =
          "Checks everything first (queue, packs, limits, paths) and answers 400 naming the bad"
              + " field; nothing is written for a refused request.")
  public ResponseEntity<CampaignResource> start(@RequestBody CampaignRequest request) {
    access.require(ApiAccess.Action.START_CAMPAIGN);
    CampaignRequest.Options o =
        request.options() != null
            ? request.options()
            : new CampaignRequest.Options(
                null, null, null, null, null, null, null, null, null, null, null, null, null, null,
                null, null, null, null, null);
    String projectId = request.projectId() != null ? request.projectId() : "default";
    safe(projectId);
    String key = RunIds.of("campaign", Instant.now(), projectId + System.nanoTime());
    Path inlineDir = null;
    Path queuePath;
    PathPolicy policy = properties.pathPolicy();
    if (request.queue() != null && request.queuePath() != null) {
      throw new ProblemHandler.BadRequest("queue", "give queue or queuePath, not both");
    } else if (request.queue() != null) {
      inlineDir = properties.projectDir(safe(projectId)).resolve("campaigns").resolve(key);
      queuePath = inlineDir.resolve("task_queue.json");
    } else if (request.queuePath() != null) {
      queuePath = path("queuePath", request.queuePath());
    } else {
      throw new ProblemHandler.BadRequest("queue", "required: the queue inline or a queuePath");
    }
    TaskQueue queue = null;
    if (request.queue() != null) {
      try {
        queue = QueueCodec.fromTree(request.queue(), Instant.now());
      } catch (QueueFormatException e) {
        throw new ProblemHandler.BadRequest(
            "queue" + e.pointer().replace('/', '.'), e.getMessage());
      }
    }
    StepPackMap packs = packs(request, policy);
    CampaignSpec spec;
    try {
      spec =
          CampaignSpec.builder(projectId, queuePath)
              .progressDir(
                  request.progressDir() == null ? null : path("progressDir", request.progressDir()))
              .stepPacks(packs)
              .backendMap(request.workerBackendMap())
              .workerBackend(o.workerBackend())
              .autoPlanMissing(o.autoPlanMissing())
              .maxCycles(o.maxCycles())
              .maxStagnantCycles(o.maxStagnantCycles())
              .maxReworkRounds(o.maxReworkRounds())
              .workspace(
                  request.workspace() == null ? null : path("workspace", request.workspace()))
              .workerShim(o.workerShim())
              .skipBackendHealthCheck(o.skipBackendHealthCheck())
              .safeguards(
                  new Safeguards(
                      Boolean.TRUE.equals(o.requireFreeze()),
                      Boolean.TRUE.equals(o.guardContracts()),
                      Boolean.TRUE.equals(o.autoCheckpoint()),
                      Boolean.TRUE.equals(o.rollbackOnFail()),
                      null))
              .budget(
                  new CampaignBudget(
                      o.campaignMaxTokens() == null ? 0 : o.campaignMaxTokens(),
                      o.campaignMaxCostUsd() == null ? 0 : o.campaignMaxCostUsd()))
              .maxParallelTasks(o.maxParallelTasks())
              .escalateExhaustedRework(o.escalateExhaustedRework())
              .git(
                  new dev.aiflow.campaign.GitOptions(
                      o.gitIsolation(),
                      o.integrationMode(),
                      o.campaignBranch(),
                      Boolean.TRUE.equals(o.keepFailedWorktrees())))
              .build()
              .resolvePaths(policy, queue == null, properties.workspacesHere());
      if (!properties.workspacesHere()) {
        spec.requireRunnableOnRemoteWorkers();
      }
    } catch (CampaignInputException e) {
      throw new ProblemHandler.BadRequest(e.field(), e.getMessage());
    }
    knownShimAndBackends(request, o);
    if (queue == null) {
      try {
        new QueueStore(spec.queuePath()).read();
      } catch (QueueFormatException e) {
        throw new ProblemHandler.BadRequest("queuePath", e.getMessage());
      }
    } else {
      new QueueStore(spec.queuePath()).write(queue);
    }
    String id;
    try {
      id = campaigns.start(spec, key);
    } catch (QueueInUseException e) {
      deleteQuietly(inlineDir);
      throw new ProblemHandler.Conflict(e.getMessage());
    } catch (RuntimeException e) {
      deleteQuietly(inlineDir); // a refused start leaves nothing behind
      throw e;
    }
    CampaignView view = campaigns.find(id).orElseThrow();
    return ResponseEntity.created(URI.create("/api/campaigns/" + id)).body(resource(view));
  }

  /**
   * A shim or backend the server does not know is refused now, naming the field, instead of failing
   * the campaign later at its preflight. The backends' health (binaries, credentials) is still the
   * preflight's, and only checked unless {@code skipBackendHealthCheck}.
   */
  private void knownShimAndBackends(CampaignRequest request, CampaignRequest.Options o) {
    String shim;
    try {
      shim = shims.resolve(o.workerShim());
    } catch (IllegalArgumentException e) {
      throw new ProblemHandler.BadRequest("options.workerShim", e.getMessage());
    }
    if (Boolean.TRUE.equals(o.skipBackendHealthCheck())) {
      return;
    }
    Map<String, String> named = new LinkedHashMap<>();
    if (o.workerBackend() != null) {
      named.put("options.workerBackend", o.workerBackend());
    }
    if (request.workerBackendMap() != null) {
      request.workerBackendMap().forEach((task, b) -> named.put("workerBackendMap." + task, b));
    }
    for (Map.Entry<String, String> e : named.entrySet()) {
      if (e.getValue() == null) {
        continue;
      }
      health.check(shim, List.of(e.getValue())).stream()
          .filter(p -> "UNKNOWN_BACKEND".equals(p.code()))
          .findFirst()
          .ifPresent(
              p -> {
                throw new ProblemHandler.BadRequest(e.getKey(), p.message());
              });
    }
  }

  @GetMapping
  @Operation(summary = "Campaigns, newest first")
  public List<CampaignResource> list(@RequestParam(name = "limit", defaultValue = "50") int limit) {
    // no check of its own: the engine shows the caller only the campaigns they may read
    if (limit < 1 || limit > 500) {
      throw new ProblemHandler.BadRequest("limit", "must be 1..500");
    }
    return campaigns.list(limit).stream().map(CampaignController::resource).toList();
  }

  @GetMapping("/{id}")
  @Operation(summary = "A campaign: state, cycles done, current task, queue and scoreboard")
  public CampaignResource get(@PathVariable String id) {
    // one the caller may not read is, to them, one that does not exist
    return resource(
        campaigns
            .find(id)
            .orElseThrow(() -> new ProblemHandler.NotFound("no campaign '" + id + "'")));
  }

  @GetMapping(value = "/{id}/summary", produces = "text/markdown;charset=UTF-8")
  @Operation(
      summary = "The campaign's summary.md as it stands, rendered on request",
      description =
          "The same Markdown a campaign writes to <progressDir>/summary.md when it ends, rendered"
              + " from its scoreboard and trend records now (nothing is written). 404 when the"
              + " campaign is not found or has no progress folder, 409 when its progress files"
              + " cannot be read (the message names the file, never its content).")
  public ResponseEntity<String> summary(@PathVariable String id) {
    CampaignView v =
        campaigns
            .find(id)
            .orElseThrow(() -> new ProblemHandler.NotFound("no campaign '" + id + "'"));
    if (v.progressDir() == null) {
      throw new ProblemHandler.NotFound("campaign " + id + " has no progress folder");
    }
    java.nio.file.Path dir;
    try {
      // the folder the campaign names goes through the same rules as at its start
      dir = properties.pathPolicy().existingDirectory("progressDir", v.progressDir());
    } catch (dev.aiflow.files.PathRefusedException e) {
      throw new ProblemHandler.NotFound("campaign " + id + " has no readable progress folder");
    }
    try {
      return ResponseEntity.ok(new ScoreboardStore(dir).markdown(v.queueCountsNow()));
    } catch (IllegalStateException e) {
      // the stores' messages name the file and the line, never the content
      throw new ProblemHandler.Conflict(e.getMessage());
    } catch (RuntimeException e) {
      throw new ProblemHandler.Conflict(
          "the progress files of campaign " + id + " could not be read; they are left as they are");
    }
  }

  @PostMapping("/{id}/cancel")
  @Operation(
      summary = "Cancel a campaign",
      description =
          "The running cycle finishes (an agent is not stopped halfway through a change); then the"
              + " campaign ends as cancelled. 202 when asked, 409 when it has ended already.")
  public ResponseEntity<Map<String, String>> cancel(@PathVariable String id) {
    access.require(ApiAccess.Action.CANCEL_CAMPAIGN);
    return switch (campaigns.cancel(id)) {
      case REQUESTED ->
          ResponseEntity.status(HttpStatus.ACCEPTED)
              .body(Map.of("id", id, "state", "cancelling", "self", "/api/campaigns/" + id));
      case ALREADY_ENDED -> throw new ProblemHandler.Conflict("campaign " + id + " has ended");
      case NOT_FOUND -> throw new ProblemHandler.NotFound("no campaign '" + id + "'");
    };
  }

  private StepPackMap packs(CampaignRequest request, PathPolicy policy) {
    try {
      if (request.stepPacks() != null && request.stepPackMapPath() != null) {
        throw new CampaignInputException(
            "stepPacks", "give stepPacks or stepPackMapPath, not both");
      }
      if (request.stepPackMapPath() != null) {
        return StepPackMap.load(
            path("stepPackMapPath", request.stepPackMapPath()), "stepPackMapPath", policy);
      }
      return StepPackMap.fromTree(request.stepPacks(), null, "stepPacks");
    } catch (CampaignInputException e) {
      throw new ProblemHandler.BadRequest(e.field(), e.getMessage());
    }
  }

  static CampaignResource resource(CampaignView v) {
    Map<String, String> links = new LinkedHashMap<>();
    links.put("self", "/api/campaigns/" + v.id());
    if (!v.ended()) {
      links.put("cancel", "/api/campaigns/" + v.id() + "/cancel");
    }
    links.put("cockpit", CockpitLinks.campaign(v.id()));
    if (v.projectId() != null) {
      links.put("reconcile", "/api/projects/" + v.projectId() + "/reconcile");
    }
    return new CampaignResource(v, links);
  }

  /** A path as the request gives it; one the platform cannot even represent is a 400. */
  static Path path(String field, String raw) {
    try {
      return Path.of(raw);
    } catch (java.nio.file.InvalidPathException e) {
      throw new ProblemHandler.BadRequest(field, "not a usable path");
    }
  }

  static String safe(String projectId) {
    if (!Ids.isValid(projectId)) {
      throw new ProblemHandler.BadRequest("projectId", "not a valid project id: use " + Ids.RULE);
    }
    return projectId;
  }

  private static void deleteQuietly(Path dir) {
    if (dir == null || !Files.exists(dir)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(dir)) {
      walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // best effort: the folder holds only the queue this request wrote
    }
    AtomicFile.fsyncDirectory(dir.getParent());
  }
}
