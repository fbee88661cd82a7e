package dev.aiflow.qa;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.aiflow.observe.KernelFile;
import dev.aiflow.observe.KernelObservation;
import dev.aiflow.observe.ObserveException;
import dev.aiflow.protocol.StepResult;
import dev.aiflow.protocol.StepSpec;
import dev.aiflow.protocol.WorkspacePath;
import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Everything the QA gate judges, gathered by the kernel next to the workspace right after it
 * verified: its observation, and the answers to every question the gate asks of the workspace's
 * files (where each cited path leads, the SHA-256 of each evidence file). The verification task
 * hands it to the server as the variable {@code reviewInputs}, so the server's gate, and the rework
 * step that recomputes it, run the same rules without the workspace: a worker on another machine
 * needs no shared folder (docs/architecture.md, "Remote workers").
 *
 * @param observation the kernel's observation of the step
 * @param evidence what the gate will ask of the workspace, answered there
 */
public record ReviewInputs(KernelObservation observation, Inventory evidence) {

  public static final String SCHEMA = "aiflow.review_inputs.v1";

  private static final ObjectMapper MAPPER =
      JsonMapper.builder().propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE).build();

  public ReviewInputs {
    Objects.requireNonNull(observation, "observation");
    Objects.requireNonNull(evidence, "evidence");
  }

  /**
   * Asks the workspace now, as the gate will: each path {@code result} cites, each kernel evidence
   * file, the observation's own file.
   *
   * @param named the workspace as the task named it (the server checks it is the cycle's)
   * @param workspace that folder, checked, on this machine
   */
  public static ReviewInputs gather(
      String named, Path workspace, StepResult result, KernelObservation kernel) {
    WorkspaceFiles live = WorkspaceFiles.live(workspace);
    Map<String, Checked> paths = new TreeMap<>();
    Map<String, Hashed> files = new TreeMap<>();
    Set<String> absent = new TreeSet<>();
    java.util.function.Consumer<String> hash =
        p -> {
          if (!files.containsKey(p) && !absent.contains(p)) {
            EvidenceRecord r = live.hash(p, EvidenceRecord.AGENT);
            if (r == null) {
              absent.add(p);
            } else {
              files.put(p, new Hashed(r.sha256(), r.bytes()));
            }
          }
        };
    for (String cited : StepQaReviewer.citedPaths(result)) {
      WorkspacePath p = live.check(cited);
      paths.put(cited, new Checked(p.normalised(), p.problem()));
      if (p.safe() && p.normalised().startsWith(StepQaReviewer.EVIDENCE_ROOT)) {
        hash.accept(p.normalised());
      }
    }
    for (KernelFile f : kernel.files()) {
      hash.accept(f.path());
    }
    hash.accept(kernel.file());
    String root = WorkspaceFiles.Live.real(workspace.toAbsolutePath()).toString();
    return new ReviewInputs(kernel, new Inventory(named, root, paths, files, absent));
  }

  /** The QA gate's review of {@code result}, answered from these inputs alone. */
  public QaReview review(StepSpec spec, StepResult result) {
    return new StepQaReviewer(evidence).review(spec, result, observation);
  }

  public String toJson() {
    ObjectNode root = MAPPER.createObjectNode();
    root.put("schema", SCHEMA);
    try {
      root.set("observation", MAPPER.readTree(observation.toJson()));
      root.set("evidence", MAPPER.valueToTree(evidence));
      return MAPPER.writeValueAsString(root);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write the review inputs", e);
    }
  }

  /**
   * The inputs a verification handed over.
   *
   * @throws IllegalArgumentException naming what is wrong, never quoting the text
   */
  public static ReviewInputs fromJson(String json) {
    JsonNode root;
    try {
      root = MAPPER.readTree(json);
    } catch (JsonProcessingException e) {
      // the parser's message quotes the text it choked on
      throw new IllegalArgumentException(
          "the review inputs are not JSON (at line "
              + e.getLocation().getLineNr()
              + ", column "
              + e.getLocation().getColumnNr()
              + ")");
    }
    if (root == null || !SCHEMA.equals(root.path("schema").asText(null))) {
      throw new IllegalArgumentException("the review inputs do not have the schema " + SCHEMA);
    }
    if (!root.path("observation").isObject() || !root.path("evidence").isObject()) {
      throw new IllegalArgumentException("the review inputs lack the observation or the evidence");
    }
    KernelObservation observation;
    try {
      observation = KernelObservation.fromJson(root.get("observation").toString());
    } catch (ObserveException e) {
      throw new IllegalArgumentException("the review inputs' observation: " + e.getMessage());
    }
    Inventory evidence;
    try {
      evidence = MAPPER.treeToValue(root.get("evidence"), Inventory.class);
    } catch (JsonProcessingException | IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "the review inputs' evidence does not have the expected fields");
    }
    if (evidence.workspace() == null) {
      throw new IllegalArgumentException("the review inputs' evidence names no workspace");
    }
    return new ReviewInputs(observation, evidence);
  }

  /** Where a cited path leads: its normalised form, or why it is unsafe. */
  public record Checked(String normalised, String problem) {}

  /** An evidence file as the kernel read it. */
  public record Hashed(String sha256, long bytes) {}

  /**
   * The answers the gate gets instead of the folder.
   *
   * @param named the workspace as the verification task named it
   * @param workspace the workspace's real path on the worker
   * @param paths each cited path as reported, and where it leads
   * @param files each evidence file that existed (a regular file, not a link), by its normalised
   *     path
   * @param absent the evidence paths asked about that held no regular file
   */
  public record Inventory(
      String named,
      String workspace,
      Map<String, Checked> paths,
      Map<String, Hashed> files,
      Set<String> absent)
      implements WorkspaceFiles {

    public Inventory {
      paths = paths == null ? Map.of() : Map.copyOf(paths);
      files = files == null ? Map.of() : Map.copyOf(files);
      // sorted, and a lookup that stays cheap for a result citing many missing files
      absent =
          java.util.Collections.unmodifiableSortedSet(
              absent == null ? new TreeSet<>() : new TreeSet<>(absent));
    }

    @Override
    public boolean isWorkspace(String path) {
      return Path.of(path).normalize().equals(Path.of(workspace).normalize());
    }

    @Override
    public String describe() {
      return workspace;
    }

    @Override
    public WorkspacePath check(String reported) {
      Checked c = paths.get(reported);
      if (c == null) {
        throw unanswered("the cited path '" + reported + "'");
      }
      return new WorkspacePath(reported, c.normalised(), c.problem());
    }

    @Override
    public EvidenceRecord hash(String normalised, String origin) {
      Hashed h = files.get(normalised);
      if (h != null) {
        return new EvidenceRecord(normalised, h.sha256(), h.bytes(), origin);
      }
      if (absent.contains(normalised)) {
        return null;
      }
      throw unanswered("the evidence file '" + normalised + "'");
    }

    private static IllegalStateException unanswered(String what) {
      // a worker of another version, or inputs gathered for another result: verify again
      return new IllegalStateException(
          "the kernel's review inputs do not answer for "
              + what
              + ": they were gathered for another result (retry the verification)");
    }
  }
}
