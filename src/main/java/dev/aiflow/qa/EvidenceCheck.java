package dev.aiflow.qa;

import dev.aiflow.protocol.WorkspacePath;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Rechecks evidence files against the SHA-256 recorded when they were reviewed (the review's {@link
 * EvidenceRecord}s, kept in the chain's {@code qa_review} events): every file edited, gone,
 * replaced by a link or a folder, or named by a path that leaves the workspace is reported. For
 * {@code aiflow log verify --evidence}.
 */
public final class EvidenceCheck {

  /** What is wrong with one recorded file. */
  public enum Problem {
    /** Its content is not what was recorded. */
    EDITED,
    /** It is gone. */
    MISSING,
    /** It is a link, a folder or something else now. */
    NOT_A_FILE,
    /** The recorded path itself is not a safe workspace path. */
    UNSAFE_PATH,
    /** It cannot be read. */
    UNREADABLE
  }

  /**
   * One file that does not match.
   *
   * @param expected the recorded SHA-256
   * @param actual the SHA-256 now, or null
   */
  public record Mismatch(String path, Problem problem, String expected, String actual) {

    public String describe() {
      return switch (problem) {
        case EDITED ->
            path
                + " was edited after the review (sha256 "
                + abbrev(expected)
                + " -> "
                + abbrev(actual)
                + ")";
        case MISSING -> path + " is missing";
        case NOT_A_FILE -> path + " is no longer a regular file";
        case UNSAFE_PATH -> path + " is not a workspace path";
        case UNREADABLE -> path + " cannot be read";
      };
    }

    private static String abbrev(String sha) {
      return sha == null ? "?" : sha.substring(0, Math.min(12, sha.length()));
    }
  }

  private EvidenceCheck() {}

  /** Checks every record; an empty list means every file is as recorded. */
  public static List<Mismatch> check(Path workspace, List<EvidenceRecord> recorded) {
    Map<String, String> byPath = new LinkedHashMap<>();
    recorded.forEach(r -> byPath.put(r.path(), r.sha256()));
    return check(workspace, byPath);
  }

  /** Checks (path, SHA-256) pairs; paths are workspace-relative. */
  public static List<Mismatch> check(Path workspace, Map<String, String> recorded) {
    Path ws = workspace.toAbsolutePath().normalize();
    List<Mismatch> out = new ArrayList<>();
    for (Map.Entry<String, String> e : recorded.entrySet()) {
      String path = e.getKey();
      String expected = e.getValue();
      WorkspacePath p = WorkspacePath.check(ws, path);
      if (!p.safe()) {
        out.add(new Mismatch(path, Problem.UNSAFE_PATH, expected, null));
        continue;
      }
      Path file = ws.resolve(p.normalised());
      if (!Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
        out.add(new Mismatch(path, Problem.MISSING, expected, null));
        continue;
      }
      if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
        out.add(new Mismatch(path, Problem.NOT_A_FILE, expected, null));
        continue;
      }
      String actual;
      try {
        actual = sha256(file);
      } catch (IOException ex) {
        out.add(new Mismatch(path, Problem.UNREADABLE, expected, null));
        continue;
      }
      if (!actual.equalsIgnoreCase(expected)) {
        out.add(new Mismatch(path, Problem.EDITED, expected, actual));
      }
    }
    return out;
  }

  private static String sha256(Path file) throws IOException {
    MessageDigest md;
    try {
      md = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
    byte[] buf = new byte[1 << 16];
    try (InputStream in = Files.newInputStream(file, LinkOption.NOFOLLOW_LINKS)) {
      int n;
      while ((n = in.read(buf)) > 0) {
        md.update(buf, 0, n);
      }
    }
    return HexFormat.of().formatHex(md.digest());
  }
}
