package dev.aiflow.observe;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * What the kernel established about one step after the agent ran: the observed change set, the
 * changes made while it ran the proofs, its own runs of the proofs, and every kernel evidence file
 * with its SHA-256. The QA gate judges this, and compares the agent's StepResult against it. Kept
 * as {@code <evidence_dir>/kernel/observation.json} ({@value #FILE}).
 *
 * @param backend the agent backend that ran the step (for the scoreboard's per-backend counts)
 * @param kernelDir the kernel evidence folder, workspace-relative
 * @param sandbox {@code bwrap} or {@code none}: where the verification runs ran
 * @param changes what changed between the snapshot before the dispatch and the end of the agent's
 *     run
 * @param verificationChanges what changed while the kernel ran the proofs (the agent's tests run
 *     the agent's code)
 * @param runs the kernel's runs, in order
 * @param patch the observed patch ({@code observed.patch}: git's binary diff; {@code
 *     observed.patch.jsonl}: after-images)
 * @param files every kernel evidence file with its SHA-256 (all but observation.json itself)
 * @param tampering what the kernel found in its evidence folder before writing it (removed)
 * @param limits the verification limits: {@code max_runtime_sec}, {@code max_silence_sec}, {@code
 *     max_memory_mb}
 * @param environment the names of the variables passed from the server's environment
 * @param timingsMs how long observing and re-running took
 */
public record KernelObservation(
    String schema,
    String runId,
    String taskId,
    String stepId,
    String backend,
    String workspace,
    String kernelDir,
    String observedAt,
    String sandbox,
    ChangeSet changes,
    ChangeSet verificationChanges,
    List<KernelRun> runs,
    KernelFile patch,
    List<KernelFile> files,
    List<String> tampering,
    Map<String, Long> limits,
    List<String> environment,
    Map<String, Long> timingsMs) {

  public static final String SCHEMA = "aiflow.kernel_observation.v1";
  public static final String FILE = "observation.json";

  public KernelObservation {
    runs = runs == null ? List.of() : List.copyOf(runs);
    files = files == null ? List.of() : List.copyOf(files);
    tampering = tampering == null ? List.of() : List.copyOf(tampering);
    limits = limits == null ? Map.of() : Map.copyOf(limits);
    environment = environment == null ? List.of() : List.copyOf(environment);
    timingsMs = timingsMs == null ? Map.of() : Map.copyOf(timingsMs);
  }

  /** The workspace-relative path of this observation's own file. */
  public String file() {
    return kernelDir + "/" + FILE;
  }

  /** The kernel's run of {@code command} (whitespace-normalised), if it ran. */
  public java.util.Optional<KernelRun> runOf(String command) {
    String key = KernelRunner.normalise(command);
    return runs.stream().filter(r -> KernelRunner.normalise(r.command()).equals(key)).findFirst();
  }

  /** The kernel's run of a criterion's verification, if it ran. */
  public java.util.Optional<KernelRun> runFor(String criterionId) {
    return runs.stream().filter(r -> r.criteria().contains(criterionId)).findFirst();
  }

  public String toJson() {
    return ObserveJson.write(this, true);
  }

  public static KernelObservation fromJson(String json) {
    KernelObservation o = ObserveJson.read(json, KernelObservation.class, "kernel observation");
    if (!SCHEMA.equals(o.schema())) {
      throw new ObserveException(
          "OBSERVATION_INVALID", "not a kernel observation (schema '" + o.schema() + "')");
    }
    if (o.changes() == null || o.kernelDir() == null) {
      throw new ObserveException(
          "OBSERVATION_INVALID", "the kernel observation has no change set or no kernel_dir");
    }
    return o;
  }

  public static KernelObservation read(Path file) {
    try {
      return fromJson(Files.readString(file));
    } catch (NoSuchFileException e) {
      throw new ObserveException("NO_OBSERVATION", "no kernel observation at " + file);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the kernel observation " + file, e);
    }
  }
}
