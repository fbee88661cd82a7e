package dev.aiflow.transparency;

import dev.aiflow.files.AtomicFile;
import dev.aiflow.logger.ChainLines;
import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * Watches one log's checkpoints, in the spirit of rekor-monitor: it remembers the last checkpoint
 * it verified (the state file) and accepts a newer one only if it is signed by the log's key and a
 * consistency proof shows that it extends the remembered one. A checkpoint that is smaller, that
 * has another root at the same size, or that no proof connects is a rewritten history: the check
 * fails, the state keeps the old checkpoint, and the offending note is kept next to it ({@code
 * <state>.rejected}) as evidence.
 *
 * <p>The checkpoint comes from a file (a note, or a checkpoint log whose last record of this log is
 * taken) or from an http(s) URL on this machine (the server's {@code .../transparency/checkpoint}
 * endpoint; proofs then come from the sibling {@code .../transparency/consistency}). With a file,
 * proofs are computed from the project chain on disk, which is also checked against the checkpoint:
 * a chain that was cut or rewritten under its signed checkpoint fails the check too.
 */
public final class Monitor {

  /** Where checkpoints and proofs come from. */
  public interface Source {
    /** The latest signed checkpoint note. */
    byte[] checkpoint() throws IOException;

    /** The consistency proof from {@code from} events to the checkpoint of {@code to} events. */
    ConsistencyProof proof(long from, long to) throws IOException;

    /** What the chain on disk says about {@code cp}, or null when there is no chain to look at. */
    default String checkChain(Checkpoint cp, List<String> alerts) throws IOException {
      return null;
    }
  }

  /**
   * @param ok whether the log is consistent with everything seen before
   * @param alerts what was found wrong (empty when ok)
   * @param report what was checked, line by line
   */
  public record Result(boolean ok, List<String> alerts, List<String> report) {}

  /** The check could not be made (unreachable source, unreadable state): not a verdict. */
  public static class CannotCheck extends Exception {
    private static final long serialVersionUID = 1L;

    public CannotCheck(String message) {
      super(message);
    }
  }

  private final VerifierKey key;
  private final Path stateFile;
  private final Source source;

  public Monitor(VerifierKey key, Path stateFile, Source source) {
    this.key = key;
    this.stateFile = stateFile;
    this.source = source;
  }

  /** One look at the log. */
  public Result check() throws CannotCheck {
    List<String> alerts = new ArrayList<>();
    List<String> report = new ArrayList<>();
    Checkpoint old = null;
    if (Files.exists(stateFile)) {
      try {
        List<String> problems = new ArrayList<>();
        old =
            BundleVerifier.openCheckpoint(
                Files.readString(stateFile, StandardCharsets.UTF_8),
                key,
                "the state file",
                problems);
        if (old == null) {
          throw new CannotCheck(
              problems.get(0) + " (" + stateFile + "): remove it only if you trust the log now");
        }
      } catch (IOException e) {
        throw new CannotCheck("cannot read the state file " + stateFile + ": " + e.getMessage());
      }
    }
    byte[] noteBytes;
    try {
      noteBytes = source.checkpoint();
    } catch (IOException e) {
      throw new CannotCheck("cannot fetch the checkpoint: " + e.getMessage());
    }
    String note = new String(noteBytes, StandardCharsets.UTF_8);
    Checkpoint cp = BundleVerifier.openCheckpoint(note, key, "the checkpoint", alerts);
    if (cp == null) {
      return reject(note, alerts, report);
    }
    report.add(
        "checkpoint of "
            + cp.size()
            + " events, root "
            + cp.rootBase64()
            + ", signed by "
            + key.name());
    try {
      String chain = source.checkChain(cp, alerts);
      if (chain != null) {
        report.add(chain);
      }
    } catch (IOException e) {
      throw new CannotCheck("cannot read the project chain: " + e.getMessage());
    }
    if (!alerts.isEmpty()) {
      return reject(note, alerts, report);
    }
    if (old == null) {
      report.add("first checkpoint seen for this log");
    } else if (cp.size() < old.size()) {
      alerts.add(
          "the log went back from "
              + old.size()
              + " to "
              + cp.size()
              + " events: a rewritten history (or a stale copy)");
    } else if (cp.size() == old.size()) {
      if (!Proofs.same(cp.root(), old.root())) {
        alerts.add(
            "two different roots were signed for "
                + cp.size()
                + " events ("
                + old.rootBase64()
                + " seen before, "
                + cp.rootBase64()
                + " now): a rewritten history");
      } else {
        report.add("unchanged since the last check");
      }
    } else {
      ConsistencyProof proof;
      try {
        proof = source.proof(old.size(), cp.size());
      } catch (IOException e) {
        throw new CannotCheck(
            "cannot get a consistency proof from "
                + old.size()
                + " to "
                + cp.size()
                + " events: "
                + e.getMessage());
      }
      if (proof.oldSize() != old.size()
          || !Proofs.verifyConsistency(
              old.size(), cp.size(), proof.hashes(), old.root(), cp.root())) {
        alerts.add(
            "no valid consistency proof from the "
                + old.size()
                + " events seen before (root "
                + old.rootBase64()
                + ") to these "
                + cp.size()
                + ": a rewritten history");
      } else {
        report.add(
            "consistent with the "
                + old.size()
                + " events seen before ("
                + Proofs.describe(proof.hashes())
                + ")");
      }
    }
    if (!alerts.isEmpty()) {
      return reject(note, alerts, report);
    }
    AtomicFile.write(stateFile, noteBytes);
    report.add("remembered in " + stateFile);
    return new Result(true, List.of(), report);
  }

  private Result reject(String note, List<String> alerts, List<String> report) {
    Path evidence = stateFile.resolveSibling(stateFile.getFileName() + ".rejected");
    AtomicFile.write(evidence, note.getBytes(StandardCharsets.UTF_8));
    report.add("the rejected checkpoint is kept in " + evidence);
    return new Result(false, List.copyOf(alerts), report);
  }

  // ------------------------------------------------------------------ sources

  /**
   * A checkpoint file (a single note, or a checkpoint log) with proofs from the project chain at
   * {@code <root>/<projectId>}, when a project is given.
   */
  public static Source file(Path checkpointFile, VerifierKey key, Path root, String projectId) {
    ProjectTree tree =
        projectId == null ? null : new ProjectTree(ChainLines.projectEvents(root, projectId));
    return new Source() {
      @Override
      public byte[] checkpoint() throws IOException {
        byte[] bytes = Files.readAllBytes(checkpointFile);
        if (bytes.length > SignedNote.MAX_BYTES * 64L) {
          throw new IOException(checkpointFile + " is too large for a checkpoint");
        }
        CheckpointLog.Contents log;
        try {
          log = CheckpointLog.parse(bytes, checkpointFile.toString());
        } catch (IOException notALog) {
          return bytes; // a single note: its signature is checked next
        }
        // a checkpoint log: its last record of this log (the file ends with a blank line)
        for (int i = log.entries().size() - 1; i >= 0; i--) {
          CheckpointLog.Entry e = log.entries().get(i);
          if (e.checkpoint().origin().equals(key.name())) {
            return e.note().getBytes(StandardCharsets.UTF_8);
          }
        }
        return bytes;
      }

      @Override
      public ConsistencyProof proof(long from, long to) throws IOException {
        if (tree == null) {
          throw new IOException(
              "a checkpoint file gives no proofs: name the project (--project-id, --root-dir) so"
                  + " they are computed from its chain");
        }
        if (tree.refresh() < to) {
          throw new IOException("the chain on disk changed during the check");
        }
        return new ConsistencyProof(from, tree.tree().consistencyProof(from, to), "");
      }

      @Override
      public String checkChain(Checkpoint cp, List<String> alerts) throws IOException {
        if (tree == null) {
          return null;
        }
        long size = tree.refresh();
        if (size < cp.size()) {
          alerts.add(
              "the chain on disk has "
                  + size
                  + " events, fewer than the "
                  + cp.size()
                  + " signed: events were removed");
          return null;
        }
        if (!Proofs.same(tree.tree().root(cp.size()), cp.root())) {
          alerts.add(
              "the chain's first "
                  + cp.size()
                  + " events on disk do not hash to the signed root: events were changed");
          return null;
        }
        return "the chain on disk matches it"
            + (size > cp.size()
                ? "; " + (size - cp.size()) + " events appended since are not covered yet"
                : "");
      }
    };
  }

  /**
   * The server's checkpoint endpoint, {@code .../transparency/checkpoint}, on this machine only
   * (the credentials must not leave it); proofs from {@code .../transparency/consistency}.
   */
  public static Source http(URI checkpointUrl, String user, String password) throws CannotCheck {
    String scheme = String.valueOf(checkpointUrl.getScheme());
    if (!scheme.equals("http") && !scheme.equals("https")) {
      throw new CannotCheck("not an http(s) URL: " + checkpointUrl);
    }
    try {
      for (InetAddress a : InetAddress.getAllByName(checkpointUrl.getHost())) {
        if (!a.isLoopbackAddress()) {
          throw new CannotCheck(
              checkpointUrl.getHost() + " is not this machine: the monitor reads only local URLs");
        }
      }
    } catch (java.net.UnknownHostException e) {
      throw new CannotCheck("unknown host " + checkpointUrl.getHost());
    }
    String path = checkpointUrl.getPath();
    if (!path.endsWith("/checkpoint")) {
      throw new CannotCheck("the URL must end in /checkpoint (the server's checkpoint endpoint)");
    }
    HttpClient client =
        HttpClient.newBuilder()
            .connectTimeout(Duration.ofSeconds(10))
            .followRedirects(HttpClient.Redirect.NEVER)
            .build();
    return new Source() {
      @Override
      public byte[] checkpoint() throws IOException {
        return get(checkpointUrl);
      }

      @Override
      public ConsistencyProof proof(long from, long to) throws IOException {
        URI proofUrl = checkpointUrl.resolve("consistency?from=" + from + "&to=" + to);
        String text = new String(get(proofUrl), StandardCharsets.UTF_8);
        try {
          return ConsistencyProof.parse(text);
        } catch (NoteException e) {
          throw new IOException("the proof from " + proofUrl + " is unreadable: " + e.getMessage());
        }
      }

      private byte[] get(URI uri) throws IOException {
        HttpRequest.Builder request =
            HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30)).GET();
        if (user != null) {
          request.header(
              "Authorization",
              "Basic "
                  + Base64.getEncoder()
                      .encodeToString(
                          (user + ":" + (password == null ? "" : password))
                              .getBytes(StandardCharsets.UTF_8)));
        }
        HttpResponse<byte[]> response;
        try {
          response = client.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IOException("interrupted");
        }
        if (response.statusCode() != 200) {
          throw new IOException(uri.getPath() + " answered HTTP " + response.statusCode());
        }
        if (response.body().length > SignedNote.MAX_BYTES) {
          throw new IOException(
              uri.getPath() + " answered more than " + SignedNote.MAX_BYTES + " bytes");
        }
        return response.body();
      }
    };
  }
}
