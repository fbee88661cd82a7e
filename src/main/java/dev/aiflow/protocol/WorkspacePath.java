package dev.aiflow.protocol;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A path as a worker reported it, checked against a workspace. The rules (docs/protocol.md):
 * backslashes, NUL, absolute paths and drive letters, and any {@code ..} segment make a path
 * unsafe; {@code .} segments and repeated slashes are normalised away; a path that exists and leads
 * through a symbolic link out of the workspace escapes it.
 *
 * @param reported what the worker wrote
 * @param normalised the workspace-relative path with '/' separators, or null when unsafe
 * @param problem why the path is unsafe or escapes, or null
 */
public record WorkspacePath(String reported, String normalised, String problem) {

  public boolean safe() {
    return problem == null;
  }

  /** Normalises {@code reported} and, when {@code workspace} is given, checks links. */
  public static WorkspacePath check(Path workspace, String reported) {
    if (reported == null || reported.isBlank()) {
      return new WorkspacePath(reported, null, "the path is empty");
    }
    if (reported.indexOf('\\') >= 0 || reported.indexOf('\0') >= 0) {
      return new WorkspacePath(reported, null, "backslashes and NUL are not allowed in paths");
    }
    if (reported.startsWith("/") || reported.matches("^[A-Za-z]:.*") || reported.startsWith("~")) {
      return new WorkspacePath(reported, null, "the path is absolute");
    }
    List<String> segments = new ArrayList<>();
    for (String segment : reported.split("/")) {
      if (segment.isEmpty() || segment.equals(".")) {
        continue;
      }
      if (segment.equals("..")) {
        return new WorkspacePath(reported, null, "the path climbs with '..'");
      }
      segments.add(segment);
    }
    if (segments.isEmpty()) {
      return new WorkspacePath(reported, null, "the path names the workspace itself");
    }
    String normalised = String.join("/", segments);
    if (workspace != null) {
      String escape = linkEscape(workspace, normalised);
      if (escape != null) {
        return new WorkspacePath(reported, normalised, escape);
      }
    }
    return new WorkspacePath(reported, normalised, null);
  }

  /** Why the path leaves the workspace through a link, or null. */
  private static String linkEscape(Path workspace, String normalised) {
    try {
      Path root = workspace.toRealPath();
      Path candidate = workspace.resolve(normalised);
      // the deepest part of the path that exists decides where it really is
      Path existing = candidate;
      while (existing != null && !Files.exists(existing, LinkOption.NOFOLLOW_LINKS)) {
        existing = existing.getParent();
      }
      if (existing == null) {
        return null;
      }
      if (Files.isSymbolicLink(existing) && !Files.exists(existing)) {
        return "the path is a dangling symbolic link";
      }
      Path real = existing.toRealPath();
      return real.startsWith(root) ? null : "the path leads out of the workspace through a link";
    } catch (IOException e) {
      return "the path cannot be resolved: " + e.getMessage();
    }
  }
}
