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

  private final Path ws;
  private final Path dir;
  private final String rel;
  private final List<String> tampering;

  private KernelEvidence(Path ws, Path dir, String rel, List<String> tampering) {
    this.ws = ws;
    this.dir = dir;
    this.rel = rel;
    this.tampering = List.copyOf(tampering);
  }

  static KernelEvidence prepare(Path workspace, String evidenceDir) {
    String rel = evidenceDir.replaceAll("/+$", "") + "/" + FOLDER;
    if (!rel.startsWith(WorkspaceObserver.ARTIFACTS + "/") || ("/" + rel + "/").contains("/../")) {
      throw new ObserveException(
          "EVIDENCE_DIR_INVALID", "evidence_dir '" + evidenceDir + "' is not under .artifacts/");
    }
    List<String> tampering = new ArrayList<>();
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
            s.sorted().forEach(p -> tampering.add(shown + "/" + p.getFileName() + " was there"));
          }
          deleteTree(at);
        }
        if (!Files.exists(at, LinkOption.NOFOLLOW_LINKS)) {
          Files.createDirectory(at);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot prepare the kernel evidence folder " + at, e);
    }
    return new KernelEvidence(workspace, at, rel, tampering);
  }

  String rel() {
    return rel;
  }

  /** What was in the way (empty when nothing). */
  List<String> tampering() {
    return tampering;
  }

  KernelFile write(String name, byte[] content) {
    Path target = target(name);
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
