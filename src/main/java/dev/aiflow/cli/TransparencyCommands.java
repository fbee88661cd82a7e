package dev.aiflow.cli;

import dev.aiflow.transparency.BundleVerifier;
import dev.aiflow.transparency.CheckpointException;
import dev.aiflow.transparency.CheckpointKeys;
import dev.aiflow.transparency.Monitor;
import dev.aiflow.transparency.NoteException;
import dev.aiflow.transparency.Transparency;
import dev.aiflow.transparency.VerifierKey;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HexFormat;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code aiflow log key|checkpoint|prove|verify-bundle|monitor}: the transparency log of the
 * project chains (docs/chain-format.md).
 */
final class TransparencyCommands {

  private TransparencyCommands() {}

  /** Where the checkpoint signing key is (a picocli mixin). */
  static final class KeyOptions {
    @Option(
        names = "--data-dir",
        description =
            "Data directory holding secrets/checkpoint-signing.key (generated when missing)."
                + " Default: the folder above --root-dir, as on the server (<data-dir>/workflow).")
    Path dataDir;

    @Option(
        names = "--signing-key-file",
        description =
            "The Ed25519 signing key (PKCS#8 PEM) instead; default:"
                + " $AIFLOW_TRANSPARENCY_SIGNING_KEY_FILE.")
    Path signingKeyFile;

    CheckpointKeys keys(Path rootDir) {
      Path configured = signingKeyFile;
      String env = System.getenv("AIFLOW_TRANSPARENCY_SIGNING_KEY_FILE");
      if (configured == null && env != null && !env.isBlank()) {
        configured = Path.of(env);
      }
      Path parent = rootDir.toAbsolutePath().normalize().getParent();
      Path data = dataDir != null ? dataDir : parent != null ? parent : rootDir;
      try {
        return CheckpointKeys.resolve(data, configured);
      } catch (IllegalArgumentException e) {
        throw new CliException(ExitCodes.USAGE, e.getMessage());
      }
    }

    Transparency open(Path rootDir) {
      return new Transparency(rootDir, keys(rootDir));
    }
  }

  /** A verifier key given on the command line, or the path of a file holding one. */
  static VerifierKey verifierKey(String value) {
    String text = value == null ? "" : value.strip();
    try {
      Path file = Path.of(text);
      if (!text.isEmpty() && Files.isRegularFile(file) && Files.size(file) < 4096) {
        text = Files.readString(file, StandardCharsets.UTF_8).strip();
      }
    } catch (IOException | java.nio.file.InvalidPathException e) {
      // not a readable file: take it as the key itself
    }
    try {
      return VerifierKey.parse(text);
    } catch (NoteException e) {
      throw new CliException(ExitCodes.USAGE, "--key: " + e.getMessage());
    }
  }

  @Command(
      name = "key",
      description = {
        "Print the project log's verifier key, <origin>+<key id>+<base64 key> (C2SP signed-note).",
        "Give it to whoever verifies checkpoints and bundles; the private key is never printed."
      })
  static class Key implements Callable<Integer> {
    @ParentCommand LogCommand log;
    @Spec CommandSpec spec;
    @Mixin KeyOptions key;

    @Override
    public Integer call() {
      spec.commandLine()
          .getOut()
          .println(key.keys(log.root()).verifierKey(log.project()).toString());
      return ExitCodes.OK;
    }
  }

  @Command(
      name = "checkpoint",
      description = {
        "Sign a checkpoint of the project chain now (after proving it extends the last one) and",
        "append it to transparency/checkpoints. Prints the signed note. Exit 1: refused, the chain",
        "was changed or cut under an earlier checkpoint."
      })
  static class Checkpoint implements Callable<Integer> {
    @ParentCommand LogCommand log;
    @Spec CommandSpec spec;
    @Mixin KeyOptions key;

    @Override
    public Integer call() {
      Transparency t = key.open(log.root());
      Transparency.Issued issued;
      try {
        issued = t.issue(log.project());
      } catch (CheckpointException e) {
        spec.commandLine().getErr().println("aiflow: refused to sign: " + e.getMessage());
        return ExitCodes.FAILED;
      }
      spec.commandLine()
          .getErr()
          .println(
              "aiflow: "
                  + (issued.fresh()
                      ? "signed a checkpoint of "
                      : "no new events since the last checkpoint of ")
                  + issued.checkpoint().size()
                  + " events of "
                  + log.project());
      spec.commandLine().getOut().print(issued.note());
      spec.commandLine().getOut().flush();
      return ExitCodes.OK;
    }
  }

  @Command(
      name = "prove",
      description = {
        "Print the inclusion proof of event --seq against the latest checkpoint (C2SP tlog-proof),",
        "and/or the consistency proof from a tree of --from-size events to it."
      })
  static class Prove implements Callable<Integer> {
    @ParentCommand LogCommand log;
    @Spec CommandSpec spec;
    @Mixin KeyOptions key;

    @Option(names = "--seq", description = "The event's seq (1 = the first event).")
    Long seq;

    @Option(names = "--from-size", description = "The size of an earlier checkpoint.")
    Long fromSize;

    @Override
    public Integer call() {
      if (seq == null && fromSize == null) {
        throw new CliException(ExitCodes.USAGE, "give --seq, --from-size, or both");
      }
      Transparency t = key.open(log.root());
      PrintWriter out = spec.commandLine().getOut();
      try {
        if (seq != null) {
          out.print(t.inclusionProof(log.project(), seq).format());
        }
        if (fromSize != null) {
          if (seq != null) {
            out.println();
          }
          out.print(t.consistencyProof(log.project(), fromSize, 0).format());
        }
      } catch (CheckpointException e) {
        spec.commandLine().getErr().println("aiflow: no proof: " + e.getMessage());
        return ExitCodes.FAILED;
      }
      out.flush();
      return ExitCodes.OK;
    }
  }

  @Command(
      name = "verify-bundle",
      description = {
        "Check an exported archive with nothing but the log's verifier key (no data directory, no",
        "server): every event is in the signed tree, the tree has the signed root, the checkpoint",
        "is signed by the key, every file hash in the manifest holds. Exit 0 when all hold."
      })
  static class VerifyBundle implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(names = "--archive", required = true, description = "The zip file an export wrote.")
    Path archive;

    @Option(
        names = "--key",
        required = true,
        description = "The verifier key (from aiflow log key), or a file holding it.")
    String key;

    @Override
    public Integer call() {
      VerifierKey vkey = verifierKey(key);
      BundleVerifier.Report r = BundleVerifier.verify(archive, vkey);
      PrintWriter out = spec.commandLine().getOut();
      PrintWriter err = spec.commandLine().getErr();
      r.notes().forEach(n -> out.println("  " + n));
      if (r.ok()) {
        out.printf(
            "OK bundle of %s: %d events, all in the tree signed by %s (root %s)%n",
            r.projectId(), r.events(), vkey.name(), r.checkpoint().rootBase64());
        return ExitCodes.OK;
      }
      r.problems().forEach(p -> err.println("FAIL " + p));
      err.printf(
          "aiflow: the bundle does not verify: %d problem(s); first: %s%n",
          r.problems().size(), r.problems().get(0));
      return ExitCodes.FAILED;
    }
  }

  @Command(
      name = "monitor",
      description = {
        "Check that the log's latest checkpoint extends the last one this monitor saw (kept in",
        "--state-file): signed by --key, consistent by a Merkle proof. A smaller tree, another",
        "root for the same size, or a failed proof is a rewritten history: exit 1, loudly.",
        "--checkpoint is a file (a note or a checkpoint log; proofs then come from the chain of",
        "--project-id under --root-dir, which is also checked) or the server's",
        "http(s)://127.0.0.1:.../api/projects/<id>/transparency/checkpoint."
      })
  static class MonitorCommand implements Callable<Integer> {
    @ParentCommand LogCommand log;
    @Spec CommandSpec spec;

    @Option(names = "--checkpoint", required = true, description = "A file or a local URL.")
    String checkpoint;

    @Option(names = "--key", required = true, description = "The verifier key, or a file.")
    String key;

    @Option(
        names = "--state-file",
        description = "The last checkpoint seen. Default: ~/.aiflow/monitor/<log>.checkpoint.")
    Path stateFile;

    @Option(names = "--user", description = "HTTP Basic user for a URL.")
    String user;

    @Option(
        names = "--password-file",
        description = "File holding that user's password (default: $AIFLOW_MONITOR_PASSWORD).")
    Path passwordFile;

    @Option(
        names = "--interval",
        description = "Check again every such duration (e.g. PT5M) until an alert; default: once.")
    Duration interval;

    @Override
    public Integer call() throws Exception {
      VerifierKey vkey = verifierKey(key);
      Path state = stateFile != null ? stateFile : defaultState(vkey);
      Monitor.Source source;
      try {
        if (checkpoint.startsWith("http://") || checkpoint.startsWith("https://")) {
          source = Monitor.http(URI.create(checkpoint), user, password());
        } else {
          source =
              Monitor.file(
                  Path.of(checkpoint),
                  vkey,
                  log.root(),
                  log.projectId == null || log.projectId.isBlank() ? null : log.projectId);
        }
      } catch (Monitor.CannotCheck | IllegalArgumentException e) {
        throw new CliException(ExitCodes.USAGE, e.getMessage());
      }
      Monitor monitor = new Monitor(vkey, state, source);
      PrintWriter out = spec.commandLine().getOut();
      PrintWriter err = spec.commandLine().getErr();
      while (true) {
        Monitor.Result r;
        try {
          r = monitor.check();
        } catch (Monitor.CannotCheck e) {
          throw new CliException(ExitCodes.USAGE, "cannot check: " + e.getMessage());
        }
        r.report().forEach(line -> out.println("  " + line));
        if (!r.ok()) {
          for (String alert : r.alerts()) {
            err.println("ALERT " + alert);
          }
          err.println("aiflow: MONITOR ALERT for " + vkey.name() + ": " + r.alerts().get(0));
          err.flush();
          return ExitCodes.FAILED;
        }
        out.println("OK " + vkey.name());
        out.flush();
        if (interval == null) {
          return ExitCodes.OK;
        }
        Thread.sleep(interval.toMillis());
      }
    }

    private String password() throws IOException {
      if (passwordFile != null) {
        return Files.readString(passwordFile, StandardCharsets.UTF_8).strip();
      }
      return System.getenv("AIFLOW_MONITOR_PASSWORD");
    }

    static Path defaultState(VerifierKey vkey) {
      byte[] h =
          dev.aiflow.transparency.Rfc6962.sha256()
              .digest(vkey.toString().getBytes(StandardCharsets.UTF_8));
      return Path.of(System.getProperty("user.home"), ".aiflow", "monitor")
          .resolve(HexFormat.of().formatHex(h, 0, 8) + ".checkpoint");
    }
  }
}
