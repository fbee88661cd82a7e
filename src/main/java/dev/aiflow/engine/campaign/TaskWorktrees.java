package dev.aiflow.engine.campaign;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.aiflow.campaign.CampaignInputException;
import dev.aiflow.campaign.CampaignSpec;
import dev.aiflow.config.AiflowProperties;
import dev.aiflow.config.KernelSettings;
import dev.aiflow.engine.EngineVariables;
import dev.aiflow.gitwork.GitIsolation;
import dev.aiflow.ids.Ids;
import dev.aiflow.logger.ChainEvent;
import dev.aiflow.logger.WorkflowLogger;
import dev.aiflow.observe.KernelObservation;
import dev.aiflow.observe.KernelRun;
import dev.aiflow.observe.KernelVerifier;
import dev.aiflow.protocol.StepPack;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.camunda.bpm.engine.delegate.VariableScope;
import org.springframework.stereotype.Component;

/**
 * The campaign's side of git isolation (docs/triage.md, "Isolation in git"): whether a campaign
 * isolates its tasks, where their worktrees live ({@code <data-dir>/worktrees/<project>/<campaign
 * id>/<task>}), the campaign branch, and the kernel's re-verification of a merged tree.
 */
@Component
public class TaskWorktrees {

  /** The chain events an integration appends to the task. */
  static final String ACCEPTED = "integration_accepted";

  static final String CONFLICT = "integration_conflict";
  static final String VERIFY_FAILED = "integration_verify_failed";

  private static final ObjectMapper JSON = new ObjectMapper();

  private final AiflowProperties properties;
  private volatile KernelVerifier verifier;

  TaskWorktrees(AiflowProperties properties) {
    this.properties = properties;
  }

  /** The isolation this campaign uses, or empty: the lanes share the workspace. */
  Optional<GitIsolation> isolation(VariableScope v, CampaignSpec spec, String campaignId) {
    String mode =
        EngineVariables.string(v, CampaignVars.GIT_ISOLATION, "auto")
            .strip()
            .toLowerCase(Locale.ROOT);
    if (mode.equals("off")) {
      return Optional.empty();
    }
    if (!mode.equals("auto")) {
      throw new CampaignInputException(CampaignVars.GIT_ISOLATION, "must be auto or off");
    }
    if (!properties.workspacesHere()) {
      // worktrees are made and integrated here; the agents' workspaces are on the remote workers
      return Optional.empty();
    }
    Path ws =
        spec.workspace() != null
            ? spec.workspace()
            : properties.projectDir(spec.projectId()).resolve("workspace");
    return GitIsolation.open(ws, root(spec.projectId(), campaignId), null);
  }

  /** Where one campaign's worktrees live: in the data directory, never in the workspace. */
  Path root(String projectId, String campaignId) {
    return properties
        .dataDir()
        .resolve("worktrees")
        .resolve(Ids.require("project id", projectId))
        .resolve(Ids.require("campaign id", campaignId))
        .toAbsolutePath()
        .normalize();
  }

  /** The campaign's worktree folder, once no worktree is left in it (a kept one keeps it). */
  void removeEmptyRoot(String projectId, String campaignId) {
    Path root = root(projectId, campaignId);
    try {
      if (java.nio.file.Files.isDirectory(root, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
        try (var entries = java.nio.file.Files.list(root)) {
          if (entries.findAny().isEmpty()) {
            java.nio.file.Files.delete(root);
          }
        }
      }
    } catch (java.io.IOException e) {
      // an empty folder left in aiflow's own data directory: harmless
    }
  }

  static String campaignBranch(VariableScope v, String campaignId) {
    String b = EngineVariables.string(v, CampaignVars.CAMPAIGN_BRANCH, null);
    return b == null || b.isBlank() ? GitIsolation.defaultCampaignBranch(campaignId) : b.strip();
  }

  static GitIsolation.Mode mode(VariableScope v) {
    try {
      return GitIsolation.Mode.parse(
          EngineVariables.string(v, CampaignVars.INTEGRATION_MODE, null));
    } catch (IllegalArgumentException e) {
      throw new CampaignInputException(CampaignVars.INTEGRATION_MODE, e.getMessage());
    }
  }

  /**
   * The kernel re-runs the pack's required commands and verifications on a checkout of the merged
   * tree, the way it did in the task's worktree (same sandbox, limits and environment).
   */
  GitIsolation.ReVerifier reVerifier(StepPack pack, String runId, String backend) {
    return checkout -> {
      String id = runId + ".reverify";
      StepPack spec =
          pack.withRunId(id.length() <= 120 ? id : "reverify-" + Math.abs(runId.hashCode()));
      KernelVerifier kv = verifier();
      try {
        kv.before(spec, checkout);
        KernelObservation o = kv.verify(spec, checkout, backend, null);
        for (KernelRun r : o.runs()) {
          if (!r.passed()) {
            return Optional.of(r.describe());
          }
        }
        return Optional.empty();
      } finally {
        kv.discard(spec);
      }
    };
  }

  private KernelVerifier verifier() {
    KernelVerifier v = verifier;
    if (v == null) {
      synchronized (this) {
        if (verifier == null) {
          verifier =
              KernelSettings.verifier(
                  properties,
                  KernelSettings.policy(properties, KernelSettings.sandbox(properties)));
        }
        v = verifier;
      }
    }
    return v;
  }

  /**
   * What the last integration of the task refused, when the last one was refused: the sentence the
   * next run's pack carries, so the agent reworks with the conflict named.
   */
  static Optional<String> lastRefusal(WorkflowLogger log, String taskKey) {
    if (!log.taskIds().contains(taskKey)) {
      return Optional.empty();
    }
    List<ChainEvent> events = log.taskEvents(taskKey);
    for (int i = events.size() - 1; i >= 0; i--) {
      ChainEvent e = events.get(i);
      if (e.eventType().equals(ACCEPTED)) {
        return Optional.empty();
      }
      if (e.eventType().equals(CONFLICT) || e.eventType().equals(VERIFY_FAILED)) {
        try {
          JsonNode n = JSON.readTree(e.json());
          JsonNode finding =
              n.has("finding") ? n.get("finding") : n.path("payload").path("finding");
          return Optional.of(finding.asText(e.eventType()));
        } catch (java.io.IOException ex) {
          return Optional.of(e.eventType());
        }
      }
    }
    return Optional.empty();
  }

  /**
   * The integration event this run already appended, if any: a retried integration job (its
   * transaction rolled back after the chain append, which stays) takes its result from there
   * instead of integrating again.
   */
  static Optional<ChainEvent> integrationOf(WorkflowLogger log, String taskKey, String runId) {
    if (!log.taskIds().contains(taskKey)) {
      return Optional.empty();
    }
    for (ChainEvent e : log.taskEvents(taskKey)) {
      if (e.eventType().startsWith("integration_")) {
        try {
          JsonNode n = JSON.readTree(e.json());
          JsonNode run = n.findValue("run_id");
          if (run != null && run.asText().equals(runId)) {
            return Optional.of(e);
          }
        } catch (java.io.IOException ex) {
          // not this run's
        }
      }
    }
    return Optional.empty();
  }

  /** The pack with one more instruction first: the refusal the agent must now work around. */
  static StepPack withRework(StepPack p, String refusal) {
    List<String> instructions = new ArrayList<>();
    instructions.add(
        "Rework after integration: "
            + refusal
            + ". This run starts from the campaign branch's current head, which holds the other"
            + " tasks' accepted changes: keep them and make your change on top.");
    instructions.addAll(p.instructions());
    return new StepPack(
        p.schema(),
        p.runId(),
        p.taskId(),
        p.stepId(),
        p.title(),
        p.objective(),
        instructions,
        p.tier(),
        p.contractRef(),
        p.allowedPaths(),
        p.acceptanceCriteria(),
        p.requiredCommands(),
        p.evidenceDir(),
        p.limits(),
        p.worker());
  }
}
