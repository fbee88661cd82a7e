package dev.aiflow.negotiation;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.aiflow.files.AtomicFile;
import java.nio.file.Path;
import java.time.Instant;

/**
 * {@code input/controller_profile.json}: which controller drafted the requirements (backend, model
 * label, command), so an auditor knows whether a person, rules or a model wrote the draft.
 */
public record ControllerProfile(
    String backend, String model, String command, String draftSha256, Instant draftedAt) {

  public void write(Path inputDir) {
    ObjectNode n = new ObjectMapper().createObjectNode();
    n.put("schema", "aiflow.controller_profile.v1");
    n.put("controller_backend", backend);
    if (model != null) {
      n.put("controller_model", model);
    }
    if (command != null) {
      n.put("controller_command", redacted(command));
    }
    n.put("draft_sha256", draftSha256);
    n.put("drafted_at", draftedAt.toString());
    AtomicFile.write(inputDir.resolve(FreezeStore.PROFILE), Snapshots.bytes(n));
  }

  /** The command with the values of secret-looking options blanked: the profile is not a vault. */
  static String redacted(String command) {
    return command
        .replaceAll("(?i)(--?[\\w-]*(?:key|token|secret|password)[\\w-]*[= ])\\S+", "$1***")
        .replaceAll("(?i)\\b([A-Z0-9_]*(?:KEY|TOKEN|SECRET|PASSWORD)[A-Z0-9_]*=)\\S+", "$1***");
  }
}
