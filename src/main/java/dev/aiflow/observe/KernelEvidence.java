package dev.aiflow.observe;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * The step's kernel evidence folder, {@code <evidence_dir>/kernel/} in the workspace. It is
 * prepared only after every agent and verification process has ended: whatever is found there then
 * (the agent wrote it, or a link put in its way) is removed and reported as tampering; links on the
 * way to it are replaced by folders. Files are created new, never through a link.
 */
final class KernelEvidence {

  static final String FOLDER = "kernel";
  static final String LEDGER = "kernel-ledger.json";

  /** What the kernel wrote into one kernel folder, and what it found there that it had not. */
  record Ledger(String rel, java.util.Map<String, String> written, List<String> tampering) {
    Ledger {
      written = written == null ? new java.util.TreeMap<>() : new java.util.TreeMap<>(written);
      tampering = tampering == null ? new ArrayList<>() : new ArrayList<>(tampering);
    }
  }

  private final Path ws;
  private final Path dir;
  private final String rel;
  private final Path ledgerFile;
  private final Ledger ledger;

  private KernelEvidence(Path ws, Path dir, String rel, Path ledgerFile, Ledger ledger) {
    this.ws = ws;
    this.dir = dir;
    this.rel = rel;
    this.ledgerFile = ledgerFile;
    this.ledger = ledger;
  }

  static Ledger readLedger(Path file, String rel) {
    try {
      if (Files.isRegularFile(file)) {
        Ledger l = ObserveJson.read(Files.readString(file), Ledger.class, "kernel ledger");
        if (rel.equals(l.rel())) {
          return l;
        }
      }
    } catch (IOException | RuntimeException e) {
      // an unreadable ledger: start a new one (what is in the folder then counts as found)
    }
    return new Ledger(rel, null, null);
  }

  /** A new attempt at the step: the kernel's files stay known, old tampering is forgotten. */
  static void newAttempt(Path ledgerFile) {
    if (!Files.isRegularFile(ledgerFile)) {
      return;
    }
    try {
      Ledger l = ObserveJson.read(Files.readString(ledgerFile), Ledger.class, "kernel ledger");
      l.tampering().clear();
      dev.aiflow.files.AtomicFile.write(
          ledgerFile, ObserveJson.write(l, true).getBytes(java.nio.charset.StandardCharsets.UTF_8));
    } catch (IOException | RuntimeException e) {
      // unreadable: the next prepare starts a new ledger
    }
  }

  private void saveLedger() {
    dev.aiflow.files.AtomicFile.write(
        ledgerFile,
        ObserveJson.write(ledger, true).getBytes(java.nio.charset.StandardCharsets.UTF_8));
  }

  /**
   * Prepares the kernel folder of {@code evidenceDir}.
   *
   * @param ledgerFile the kernel's ledger for this step, in its state folder
   */
  static KernelEvidence prepare(Path workspace, String evidenceDir, Path ledgerFile) {
    String rel = evidenceDir.replaceAll("/+$", "") + "/" + FOLDER;
    if (!rel.startsWith(WorkspaceObserver.ARTIFACTS + "/") || ("/" + rel + "/").contains("/../")) {
      throw new ObserveException(
          "EVIDENCE_DIR_INVALID", "evidence_dir '" + evidenceDir + "' is not under .artifacts/");
    }
    Ledger ledger = readLedger(ledgerFile, rel);
    List<String> tampering = ledger.tampering();
    Path at = workspace;
    String[] segments = rel.split("/");
    try {
      for (int i = 0; i < segments.length; i++) {
        if (segments[i].isEmpty() || segments[i].equals(".")) {
          continue;
        }
        at = at.resolve(segments[i]);
        String shown = workspace.relativize(at).toString();
        if (Files.isSymbolicLink(at)) {
          tampering.add(shown + " was a link; replaced by a folder");
          Files.delete(at);
        } else if (Files.exists(at, LinkOption.NOFOLLOW_LINKS)
            && !Files.isDirectory(at, LinkOption.NOFOLLOW_LINKS)) {
          tampering.add(shown + " was a file; replaced by a folder");
          Files.delete(at);
        } else if (i == segments.length - 1 && Files.isDirectory(at, LinkOption.NOFOLLOW_LINKS)) {
          try (var s = Files.list(at)) {
            for (Path p : s.sorted().toList()) {
              String name = p.getFileName().toString();
              // the kernel's own file from an earlier verification of this step is no tampering
              boolean ours =
                  ledger.written().containsKey(name)
                      && Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS);
              String found = shown + "/" + name + " was there";
              if (!ours && !tampering.contains(found)) {
                tampering.add(found);
              }
            }
          }
          // remembered before anything is removed: a crash now must not forget it
          dev.aiflow.files.AtomicFile.write(
              ledgerFile,
              ObserveJson.write(ledger, true).getBytes(java.nio.charset.StandardCharsets.UTF_8));
          deleteTree(at);
        }
        if (!Files.exists(at, LinkOption.NOFOLLOW_LINKS)) {
          Files.createDirectory(at);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot prepare the kernel evidence folder " + at, e);
    }
    ledger.written().clear();
    KernelEvidence evidence = new KernelEvidence(workspace, at, rel, ledgerFile, ledger);
    evidence.saveLedger();
    return evidence;
  }

  String rel() {
    return rel;
  }

  /** What was in the way (empty when nothing). */
  List<String> tampering() {
    return List.copyOf(ledger.tampering());
  }

  KernelFile write(String name, byte[] content) {
    Path target = target(name);
    ledger.written().put(name, sha256(content));
    saveLedger();
    try (OutputStream out = open(target)) {
      out.write(content);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write kernel evidence " + target, e);
    }
    return new KernelFile(rel + "/" + name, sha256(content), content.length);
  }

  /** Copies {@code source} (outside the workspace) in, hashing as it goes. */
  KernelFile copyIn(String name, Path source) {
    Path target = target(name);
    ledger.written().put(name, "");
    saveLedger();
    MessageDigest md = digest();
    long bytes;
    try (InputStream in = Files.newInputStream(source);
        OutputStream out = new DigestOutputStream(open(target), md)) {
      bytes = in.transferTo(out);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write kernel evidence " + target, e);
    }
    return new KernelFile(rel + "/" + name, HexFormat.of().formatHex(md.digest()), bytes);
  }

  private Path target(String name) {
    if (name.contains("/") || name.startsWith(".")) {
      throw new IllegalArgumentException("not a kernel evidence name: " + name);
    }
    return dir.resolve(name);
  }

  private static OutputStream open(Path target) throws IOException {
    return Files.newOutputStream(
        target, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS);
  }

  static String sha256(byte[] content) {
    return HexFormat.of().formatHex(digest().digest(content));
  }

  private static MessageDigest digest() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Deletes a folder and everything in it, links as links (never what they point to). */
  static void deleteTree(Path root) throws IOException {
    if (!Files.exists(root, LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    Files.walkFileTree(
        root,
        new SimpleFileVisitor<>() {
          @Override
          public FileVisitResult visitFile(Path file, BasicFileAttributes attrs)
              throws IOException {
            Files.delete(file);
            return FileVisitResult.CONTINUE;
          }

          @Override
          public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
            if (e != null) {
              throw e;
            }
            Files.delete(d);
            return FileVisitResult.CONTINUE;
          }
        });
  }

  Path workspace() {
    return ws;
  }
}
