package dev.aiflow.observe;

import dev.aiflow.protocol.StepSpec;
import dev.aiflow.worker.ProgressListener;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The kernel's part of a step cycle, around the agent's run (docs/protocol.md, "What the kernel
 * observes and re-runs"):
 *
 * <ol>
 *   <li>{@link #before}: just before the dispatch, a snapshot of the workspace, kept in the state
 *       folder ({@code <stateRoot>/<run>/<task>/<step>/before.json}, outside the workspace), so it
 *       survives a restart of the server;
 *   <li>{@link #verify}: after the agent, the observed change set and patch, the kernel's own runs
 *       of every required command and verification, a second observation for what those runs
 *       changed, all written as kernel evidence under {@code <evidence_dir>/kernel/} with their
 *       SHA-256, and the {@link KernelObservation} the QA gate judges;
 *   <li>{@link #discard}: the state folder, once the review is logged.
 * </ol>
 *
 * Run it outside any database transaction: it runs commands for minutes.
 */
public final class KernelVerifier {

  private static final Pattern ID = Pattern.compile("^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$");

  private final Path stateRoot;
  private final WorkspaceObserver observer;
  private final KernelRunner runner;
  private volatile String kernelId;

  /**
   * @param stateRoot where snapshots and private git objects live (the server uses {@code
   *     <data-dir>/run/observe}; a sandboxed agent cannot see it)
   */
  public KernelVerifier(Path stateRoot, WorkspaceObserver observer, KernelRunner runner) {
    this.stateRoot = stateRoot.toAbsolutePath().normalize();
    this.observer = observer;
    this.runner = runner;
  }

  public WorkspaceObserver observer() {
    return observer;
  }

  /**
   * This kernel's identity: a random id kept in its state folder ({@code .kernel-id}), created on
   * first use. The snapshots a verification needs live in that folder, next to the workspace, so a
   * verification must run on the kernel that took them: the dispatch records this id and the
   * verification is fetched only by the kernel that holds it (docs/architecture.md, "Which worker
   * verifies"). A worker restarted with the same state folder keeps its id and its pending
   * verifications.
   */
  public String kernelId() {
    String id = kernelId;
    if (id == null) {
      synchronized (this) {
        if (kernelId == null) {
          kernelId = readOrCreateId(stateRoot.resolve(".kernel-id"));
        }
        id = kernelId;
      }
    }
    return id;
  }

  private static String readOrCreateId(Path file) {
    try {
      Files.createDirectories(file.getParent());
      if (!Files.exists(file)) {
        byte[] random = new byte[16];
        new java.security.SecureRandom().nextBytes(random);
        String fresh = "kernel-" + java.util.HexFormat.of().formatHex(random) + "\n";
        // written whole under a private name, then linked into place: a reader never sees a
        // half-written id, and of two kernels starting at once on one folder the first link wins
        Path draft = Files.createTempFile(file.getParent(), ".kernel-id-", ".tmp");
        try {
          Files.writeString(draft, fresh);
          Files.createLink(file, draft);
        } catch (java.nio.file.FileAlreadyExistsException raced) {
          // another kernel on this state folder linked its id first: theirs is the id
        } finally {
          Files.deleteIfExists(draft);
        }
      }
      String id = Files.readString(file).strip();
      if (!ID.matcher(id).matches()) {
        throw new IllegalStateException(
            file + " does not hold a kernel id (delete it to make a new one)");
      }
      return id;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read or create the kernel id " + file, e);
    }
  }

  public KernelRunner runner() {
    return runner;
  }

  /** The state folder of one step. */
  public Path stateDir(StepSpec spec) {
    for (String id : List.of(spec.runId(), spec.taskId(), spec.stepId())) {
      if (id == null || !ID.matcher(id).matches() || id.contains("..")) {
        throw new IllegalArgumentException("'" + id + "' is not a run, task or step id");
      }
    }
    return stateRoot.resolve(spec.runId()).resolve(spec.taskId()).resolve(spec.stepId());
  }

  /** Where {@link #before} keeps the snapshot of a step. */
  public Path snapshotFile(StepSpec spec) {
    return stateDir(spec).resolve("before.json");
  }

  /** Takes the snapshot before a dispatch (replacing one of an earlier attempt at the step). */
  public WorkspaceSnapshot before(StepSpec spec, Path workspace) {
    Path state = stateDir(spec);
    try {
      // a re-dispatch starts from what the workspace is now; the kernel's ledger stays
      if (Files.isDirectory(state)) {
        try (var entries = Files.list(state)) {
          for (Path p : entries.toList()) {
            if (!p.getFileName().toString().equals(KernelEvidence.LEDGER)) {
              KernelEvidence.deleteTree(p);
            }
          }
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot clear the observation state " + state, e);
    }
    KernelEvidence.newAttempt(state.resolve(KernelEvidence.LEDGER));
    WorkspaceSnapshot snapshot = observer.snapshot(workspace, state);
    snapshot.write(snapshotFile(spec));
    ConcurrentSteps.open(state.toString(), real(workspace), spec.allowedPaths());
    return snapshot;
  }

  /**
   * Observes and re-runs after the agent, against the snapshot {@link #before} kept.
   *
   * @param backend the backend that ran the agent (recorded for the scoreboard)
   * @param listener told about the re-runs' progress (an engine extends its lock)
   * @throws ObserveException {@code NO_SNAPSHOT} when no snapshot was taken for the step
   */
  public KernelObservation verify(
      StepSpec spec, Path workspace, String backend, ProgressListener listener) {
    return verify(spec, WorkspaceSnapshot.read(snapshotFile(spec)), workspace, backend, listener);
  }

  /** As above, against a given snapshot (the CLI's {@code --snapshot-file}, or HEAD). */
  public KernelObservation verify(
      StepSpec spec,
      WorkspaceSnapshot before,
      Path workspace,
      String backend,
      ProgressListener listener) {
    Path ws = real(workspace);
    if (!Path.of(before.workspace()).equals(ws)) {
      throw new ObserveException(
          "WORKSPACE_MISMATCH",
          "the snapshot is of " + before.workspace() + ", not of the workspace " + ws);
    }
    Map<String, Long> timings = new LinkedHashMap<>();
    long t0 = System.nanoTime();
    WorkspaceSnapshot afterAgent = observer.snapshotAfter(before);
    String window = stateDir(spec).toString();
    ChangeSet[] split =
        ConcurrentSteps.split(
            observer.compare(before, afterAgent),
            spec.allowedPaths(),
            ConcurrentSteps.others(window));
    ChangeSet changes = split[0];
    Path scratch = before.statePath().resolve("scratch-" + System.nanoTime());
    String patchName =
        before.gitMode() && changes.incomplete() == null
            ? "observed.patch"
            : "observed.patch.jsonl";
    Path patch = scratch.resolve(patchName);
    Path gitDirImages = scratch.resolve("observed-git-dir.jsonl");
    try {
      Files.createDirectories(scratch);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create " + scratch, e);
    }
    // the after-images are read now, before any verification run can change the files
    observer.writePatch(before, afterAgent, changes, patch, gitDirImages);
    timings.put("observe", ms(t0));

    long t1 = System.nanoTime();
    List<KernelRunner.Raw> raws = runner.run(spec, ws, scratch.resolve("runs"), listener);
    timings.put("runs", ms(t1));

    long t2 = System.nanoTime();
    WorkspaceSnapshot afterRuns = observer.snapshotAfter(afterAgent);
    ChangeSet[] splitRuns =
        ConcurrentSteps.split(
            observer.compare(afterAgent, afterRuns),
            spec.allowedPaths(),
            ConcurrentSteps.others(window));
    ConcurrentSteps.close(window);
    ChangeSet sideEffects = splitRuns[0];
    timings.put("observe_after_runs", ms(t2));

    // every agent and verification process has ended: only now is the kernel folder written
    KernelEvidence evidence =
        KernelEvidence.prepare(
            ws, spec.evidenceDir(), before.statePath().resolve(KernelEvidence.LEDGER));
    List<KernelFile> files = new ArrayList<>();
    KernelFile patchFile = evidence.copyIn(patchName, patch);
    files.add(patchFile);
    if (Files.exists(gitDirImages, LinkOption.NOFOLLOW_LINKS)) {
      files.add(evidence.copyIn("observed-git-dir.jsonl", gitDirImages));
    }
    List<KernelRun> runs = new ArrayList<>();
    for (KernelRunner.Raw r : raws) {
      KernelFile out = evidence.copyIn(r.id() + ".stdout.log", r.stdout());
      KernelFile err = evidence.copyIn(r.id() + ".stderr.log", r.stderr());
      files.add(out);
      files.add(err);
      runs.add(
          new KernelRun(
              r.id(),
              r.command(),
              r.required(),
              r.criteria(),
              r.report().outcome().name(),
              r.report().exitCode(),
              r.report().elapsed().toMillis(),
              r.report().detail(),
              out,
              err,
              r.sandbox(),
              r.network()));
    }
    Map<String, Object> changeRecord = new LinkedHashMap<>();
    changeRecord.put("changes", changes);
    changeRecord.put("verification_changes", sideEffects);
    if (split[1] != null || splitRuns[1] != null) {
      // what another lane's agent changed in its own paths meanwhile: judged in its own step
      Map<String, Object> concurrent = new LinkedHashMap<>();
      concurrent.put("during_agent", split[1]);
      concurrent.put("during_verification", splitRuns[1]);
      changeRecord.put("concurrent_changes", concurrent);
    }
    files.add(
        evidence.write(
            "changes.json",
            (ObserveJson.write(changeRecord, true) + "\n").getBytes(StandardCharsets.UTF_8)));
    KernelRunner.Settings s = runner.settings();
    Map<String, Long> limits = new LinkedHashMap<>();
    limits.put("max_runtime_sec", s.maxRuntime().toSeconds());
    limits.put("max_silence_sec", s.maxSilence().toSeconds());
    limits.put("max_memory_mb", s.maxMemoryMb());
    KernelObservation observation =
        new KernelObservation(
            KernelObservation.SCHEMA,
            spec.runId(),
            spec.taskId(),
            spec.stepId(),
            backend != null ? backend : spec.worker() == null ? null : spec.worker().backend(),
            ws.toString(),
            evidence.rel(),
            Instant.now().toString(),
            runner.sandbox().sandbox().name(),
            changes,
            sideEffects,
            runs,
            patchFile,
            files,
            evidence.tampering(),
            limits,
            s.environment(),
            timings);
    evidence.write(
        KernelObservation.FILE, (observation.toJson() + "\n").getBytes(StandardCharsets.UTF_8));
    afterRuns.write(before.statePath().resolve("after.json"));
    try {
      KernelEvidence.deleteTree(scratch);
    } catch (IOException e) {
      // scratch lives in the state folder; discard() removes it
    }
    return observation;
  }

  /** Removes the state of a step (its snapshot and private objects). */
  public void discard(StepSpec spec) {
    ConcurrentSteps.close(stateDir(spec).toString());
    try {
      KernelEvidence.deleteTree(stateDir(spec));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot remove " + stateDir(spec), e);
    }
  }

  private static long ms(long startNs) {
    return (System.nanoTime() - startNs) / 1_000_000;
  }

  private static Path real(Path p) {
    Path abs = p.toAbsolutePath().normalize();
    try {
      return abs.toRealPath();
    } catch (IOException e) {
      return abs;
    }
  }
}
