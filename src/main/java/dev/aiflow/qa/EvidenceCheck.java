package dev.aiflow.qa;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.aiflow.logger.ChainEvent;
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

  private static final ObjectMapper JSON = new ObjectMapper();

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

  /**
   * A mismatch found through the chain: which review recorded the file.
   *
   * @param seq the {@code qa_review} event's position in the project chain
   * @param taskId its task
   */
  public record Recorded(long seq, String taskId, Mismatch mismatch) {

    public String describe() {
      return mismatch.describe() + " (recorded by qa_review #" + seq + " of task " + taskId + ")";
    }
  }

  /** How many files a chain check looked at, and what does not match. */
  public record ChainResult(int reviews, int files, List<Recorded> mismatches) {

    public boolean ok() {
      return mismatches.isEmpty();
    }
  }

  private EvidenceCheck() {}

  /**
   * Rechecks every evidence file the chain's {@code qa_review} events recorded (agent's and
   * kernel's, {@code evidence[]}: path, sha256), against the workspace that holds {@code
   * .artifacts/}. Events of other kinds, and reviews without evidence, are skipped.
   */
  public static ChainResult checkChain(Path workspace, List<ChainEvent> events) {
    int reviews = 0;
    int files = 0;
    List<Recorded> out = new ArrayList<>();
    for (ChainEvent e : events) {
      if (!"qa_review".equals(e.eventType())) {
        continue;
      }
      JsonNode evidence;
      try {
        evidence = JSON.readTree(e.json()).path("evidence");
      } catch (IOException ex) {
        continue; // the chain's own verification names an unreadable line
      }
      if (!evidence.isArray() || evidence.isEmpty()) {
        continue;
      }
      reviews++;
      Map<String, String> recorded = new LinkedHashMap<>();
      for (JsonNode f : evidence) {
        String path = f.path("path").asText(null);
        String sha = f.path("sha256").asText(null);
        if (path != null && sha != null) {
          recorded.put(path, sha);
        }
      }
      files += recorded.size();
      for (Mismatch m : check(workspace, recorded)) {
        out.add(new Recorded(e.seq(), e.taskId(), m));
      }
    }
    return new ChainResult(reviews, files, out);
  }

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
