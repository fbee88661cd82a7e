package dev.aiflow.observe;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;

/**
 * The observed patch where git cannot write one (a workspace that is no git work tree, and the git
 * folder): JSON Lines ({@value #FORMAT}, docs/protocol.md). The first line is a header; then one
 * line per change with the path, the kind, the old and new type, mode and id, a link's target, and
 * the new content of a file in base64 (the "after-image"), up to {@value #FILE_CAP} bytes per file
 * and {@value #TOTAL_CAP} in all. Without the old content it cannot be applied backwards; it shows
 * exactly what the workspace holds now, byte for byte, and the ids prove what it held before.
 */
final class PatchImages {

  static final String FORMAT = "aiflow.observed_patch.v1";
  static final int FILE_CAP = 1 << 20;
  static final long TOTAL_CAP = 64L << 20;

  private PatchImages() {}

  static void write(Path ws, WorkspaceSnapshot after, List<ObservedChange> changes, Path file)
      throws IOException {
    long budget = TOTAL_CAP;
    try (BufferedWriter w =
        Files.newBufferedWriter(
            file,
            StandardCharsets.UTF_8,
            StandardOpenOption.CREATE,
            StandardOpenOption.TRUNCATE_EXISTING,
            StandardOpenOption.WRITE)) {
      ObjectNode head = ObserveJson.MAPPER.createObjectNode();
      head.put("format", FORMAT);
      head.put("workspace", after.workspace());
      head.put("mode", after.mode());
      head.put("changes", changes.size());
      w.write(ObserveJson.MAPPER.writeValueAsString(head));
      w.write('\n');
      for (ObservedChange c : changes) {
        ObjectNode line = ObserveJson.MAPPER.createObjectNode();
        line.put("path", c.path());
        line.put("kind", c.kind().name());
        if (c.oldType() != null) {
          ObjectNode old = line.putObject("old");
          old.put("type", c.oldType());
          old.put("mode", c.oldMode());
          old.put("id", c.oldId());
        }
        if (c.newType() != null) {
          ObjectNode now = line.putObject("new");
          now.put("type", c.newType());
          now.put("mode", c.newMode());
          now.put("id", c.newId());
          if (c.linkTarget() != null) {
            now.put("link_target", c.linkTarget());
            now.put("link_escapes", Boolean.TRUE.equals(c.linkEscapes()));
          }
          if ("file".equals(c.newType()) && c.kind() != ChangeKind.MODE_CHANGED) {
            budget -= image(ws, c, now, budget);
          }
        }
        w.write(ObserveJson.MAPPER.writeValueAsString(line));
        w.write('\n');
      }
    }
  }

  /** Adds the file's content (base64) within the budget; returns the bytes used. */
  private static long image(Path ws, ObservedChange c, ObjectNode now, long budget)
      throws IOException {
    Path p = c.path().startsWith("/") ? Path.of(c.path()) : ws.resolve(c.path());
    if (!Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
      now.put("content_missing", true);
      return 0;
    }
    long cap = Math.max(0, Math.min(FILE_CAP, budget));
    byte[] bytes;
    long size;
    MessageDigest md;
    try {
      md = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
    try (InputStream in = Files.newInputStream(p, LinkOption.NOFOLLOW_LINKS)) {
      bytes = in.readNBytes((int) cap);
      md.update(bytes);
      size = bytes.length;
      byte[] rest = new byte[1 << 16];
      int n;
      while ((n = in.read(rest)) > 0) {
        md.update(rest, 0, n);
        size += n;
      }
    }
    now.put("size", size);
    now.put("content_base64", Base64.getEncoder().encodeToString(bytes));
    if (bytes.length < size) {
      now.put("content_truncated", true);
    }
    String sha = HexFormat.of().formatHex(md.digest());
    now.put("sha256", sha);
    if (c.newId() != null && c.newId().length() == 64 && !c.newId().equals(sha)) {
      now.put("changed_since_observation", true); // the file moved on while the patch was written
    }
    return bytes.length;
  }
}
