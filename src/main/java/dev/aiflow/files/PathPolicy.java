package dev.aiflow.files;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * How aiflow turns a path that a request, a process variable or a CLI flag names into a file it may
 * touch (docs/security.md, "Paths").
 *
 * <ol>
 *   <li>The path is made absolute (against the working directory) and its real path is resolved,
 *       following every link; for a path that does not exist yet, the real path of its nearest
 *       existing ancestor is taken and the rest appended.
 *   <li>The real path must lie inside one of the allowed roots (when the policy has roots: the
 *       server; the CLI trusts its user and has none) and outside every private path (the data
 *       directory's secrets, database and chain), whatever the roots say.
 *   <li>A file to read must be a regular file (not a directory, device, FIFO or socket) no larger
 *       than the caller's cap; it is read with that cap, so a link to {@code /dev/zero} or a FIFO
 *       can neither exhaust the heap nor hang the caller.
 * </ol>
 *
 * Refusals are {@link PathRefusedException}s naming the field; their messages name the path as
 * given, never a file's content.
 */
public final class PathPolicy {

  /** Why a workspace must be named when the server runs no agents of its own. */
  public static final String WORKSPACE_REQUIRED =
      "required: the agents run on remote workers (aiflow.worker.in-process=false), so the"
          + " server has no workspace of its own to give them";

  /** Why no checkpoint is taken when the workspaces are on the remote workers. */
  public static final String CHECKPOINT_NEEDS_WORKSPACE =
      "checkpoints are copied on the server, and the workspaces are on the remote workers"
          + " (aiflow.worker.in-process=false): turn autoCheckpoint off";

  /** The largest JSON document aiflow reads from a named file unless told otherwise: 8 MiB. */
  public static final long DEFAULT_MAX_DOCUMENT_BYTES = 8L * 1024 * 1024;

  private final List<Path> roots;
  private final List<Path> privatePaths;

  private PathPolicy(List<Path> roots, List<Path> privatePaths) {
    this.roots = roots.stream().map(PathPolicy::realOrNormal).toList();
    this.privatePaths = privatePaths.stream().map(PathPolicy::realOrNormal).toList();
  }

  /**
   * @param roots the folders paths must lie in (empty: anywhere)
   * @param privatePaths files and folders never read or written through a named path
   */
  public static PathPolicy of(List<Path> roots, List<Path> privatePaths) {
    return new PathPolicy(List.copyOf(roots), List.copyOf(privatePaths));
  }

  /** Anywhere but {@code privatePaths}: the CLI, whose user may name their own files. */
  public static PathPolicy unrestricted(List<Path> privatePaths) {
    return new PathPolicy(List.of(), List.copyOf(privatePaths));
  }

  /** No roots, nothing private: for tests and tools that handle their own files. */
  public static PathPolicy open() {
    return new PathPolicy(List.of(), List.of());
  }

  public List<Path> roots() {
    return roots;
  }

  /** An existing regular file no larger than {@code maxBytes}; returns its real path. */
  public Path existingFile(String field, String raw, long maxBytes) {
    Path real = resolve(field, raw, false);
    if (!Files.exists(real, LinkOption.NOFOLLOW_LINKS)) {
      throw new PathRefusedException(field, quote(raw) + " does not exist");
    }
    if (Files.isDirectory(real, LinkOption.NOFOLLOW_LINKS)) {
      throw new PathRefusedException(field, quote(raw) + " is a folder, not a file");
    }
    if (!Files.isRegularFile(real, LinkOption.NOFOLLOW_LINKS)) {
      throw new PathRefusedException(
          field, quote(raw) + " is not a regular file (a device, pipe or socket)");
    }
    try {
      long size = Files.size(real);
      if (size > maxBytes) {
        throw new PathRefusedException(
            field, quote(raw) + " is larger than the " + maxBytes + " bytes allowed");
      }
    } catch (IOException e) {
      throw new PathRefusedException(field, quote(raw) + " cannot be read");
    }
    return real;
  }

  /** Reads an existing regular file, at most {@code maxBytes}. */
  public byte[] read(String field, String raw, long maxBytes) {
    Path real = existingFile(field, raw, maxBytes);
    return readBounded(field, raw, real, maxBytes);
  }

  /** Reads {@code path} under this policy with the default document cap. */
  public byte[] readDocument(String field, Path path) {
    return read(field, path.toString(), DEFAULT_MAX_DOCUMENT_BYTES);
  }

  /**
   * Reads a regular file (checked without following links) with a cap: for files an agent could
   * have replaced by a link, a FIFO or a huge file.
   */
  public static byte[] readBounded(String field, String shown, Path real, long maxBytes) {
    if (!Files.isRegularFile(real, LinkOption.NOFOLLOW_LINKS)) {
      throw new PathRefusedException(field, quote(shown) + " is not a regular file");
    }
    try (InputStream in = Files.newInputStream(real, LinkOption.NOFOLLOW_LINKS)) {
      byte[] bytes = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, maxBytes + 1));
      if (bytes.length > maxBytes) {
        throw new PathRefusedException(
            field, quote(shown) + " is larger than the " + maxBytes + " bytes allowed");
      }
      return bytes;
    } catch (IOException e) {
      throw new PathRefusedException(field, quote(shown) + " cannot be read");
    }
  }

  /**
   * An existing folder that aiflow hands to others (an agent's workspace): it must not hold any
   * private path either. Returns its real path.
   */
  public Path workspace(String field, String raw) {
    Path real = resolve(field, raw, true);
    if (!Files.isDirectory(real)) {
      throw new PathRefusedException(
          field,
          quote(raw) + (Files.exists(real) ? " is not a folder" : " does not exist (no folder)"));
    }
    return real;
  }

  /**
   * A workspace on the remote workers' machines: the rules a workspace here gets (inside the
   * allowed roots, neither a private path nor a folder holding one) applied to what this machine
   * has of the path; whether the folder exists is for the worker to check, each time it uses it.
   * Returns the path as given, absolute and normalised: this machine's links are not the worker's.
   */
  public Path remoteWorkspace(String field, String raw) {
    Path real = resolve(field, raw, true);
    if (Files.exists(real) && !Files.isDirectory(real)) {
      throw new PathRefusedException(field, quote(raw) + " is not a folder");
    }
    return Path.of(raw).toAbsolutePath().normalize();
  }

  /** An existing folder; returns its real path. */
  public Path existingDirectory(String field, String raw) {
    Path real = resolve(field, raw, false);
    if (!Files.isDirectory(real)) {
      throw new PathRefusedException(
          field,
          quote(raw) + (Files.exists(real) ? " is not a folder" : " does not exist (no folder)"));
    }
    return real;
  }

  /**
   * A folder that may not exist yet (aiflow creates it); an existing path must be a folder. Returns
   * its real path (or the real path of its nearest existing ancestor plus the rest).
   */
  public Path directory(String field, String raw) {
    Path real = resolve(field, raw, false);
    if (Files.exists(real) && !Files.isDirectory(real)) {
      throw new PathRefusedException(field, quote(raw) + " is not a folder");
    }
    return real;
  }

  /**
   * A file that may not exist yet (aiflow writes it); an existing one must be a regular file.
   * Returns its real path.
   */
  public Path file(String field, String raw) {
    Path real = resolve(field, raw, false);
    if (Files.exists(real, LinkOption.NOFOLLOW_LINKS)
        && !Files.isRegularFile(real, LinkOption.NOFOLLOW_LINKS)) {
      throw new PathRefusedException(field, quote(raw) + " is not a regular file");
    }
    return real;
  }

  /**
   * Resolves {@code raw} to a real path and applies the roots and private paths.
   *
   * @param folder whether the path names a folder handed to others (a workspace): then it must not
   *     contain a private path either
   */
  private Path resolve(String field, String raw, boolean folder) {
    if (raw == null || raw.isBlank()) {
      throw new PathRefusedException(field, "a path is required");
    }
    if (raw.indexOf('\0') >= 0) {
      throw new PathRefusedException(field, "the path contains a NUL character");
    }
    if (raw.length() > 4096) {
      throw new PathRefusedException(field, "the path is longer than 4096 characters");
    }
    Path real;
    try {
      real = realPath(Path.of(raw).toAbsolutePath().normalize());
    } catch (InvalidPathException e) {
      throw new PathRefusedException(field, quote(raw) + " is not a usable path");
    } catch (FileSystemException e) {
      throw new PathRefusedException(
          field, quote(raw) + " is not a usable path (" + reason(e) + ")");
    } catch (IOException e) {
      throw new PathRefusedException(field, quote(raw) + " cannot be resolved");
    }
    for (Path p : privatePaths) {
      if (real.startsWith(p) || (folder && p.startsWith(real))) {
        throw new PathRefusedException(
            field, quote(raw) + " is, or holds, a file this server keeps private");
      }
    }
    if (!roots.isEmpty() && roots.stream().noneMatch(real::startsWith)) {
      throw new PathRefusedException(
          field,
          quote(raw)
              + " is outside the folders this server may use "
              + roots
              + " (add one with aiflow.allowed-roots)");
    }
    return real;
  }

  /** The real path, following links; for a missing tail the nearest existing ancestor's. */
  static Path realPath(Path abs) throws IOException {
    Path existing = abs;
    List<Path> rest = new ArrayList<>();
    while (existing != null && !Files.exists(existing)) {
      // a dangling link: refuse to guess where it would lead
      if (Files.isSymbolicLink(existing)) {
        throw new NoSuchFileException(existing.toString(), null, "a link to nothing");
      }
      rest.add(0, existing.getFileName());
      existing = existing.getParent();
    }
    if (existing == null) {
      throw new NoSuchFileException(abs.toString());
    }
    Path real = existing.toRealPath();
    for (Path part : rest) {
      real = real.resolve(part);
    }
    return real;
  }

  private static Path realOrNormal(Path p) {
    Path abs = p.toAbsolutePath().normalize();
    try {
      return realPath(abs);
    } catch (IOException e) {
      return abs;
    }
  }

  private static String reason(FileSystemException e) {
    String r = e.getReason();
    return r == null ? "the file system refused it" : r.toLowerCase(java.util.Locale.ROOT);
  }

  private static String quote(String raw) {
    String shown = raw.length() > 200 ? raw.substring(0, 200) + "..." : raw;
    return "'" + shown.replaceAll("\\p{Cntrl}", "?") + "'";
  }
}
