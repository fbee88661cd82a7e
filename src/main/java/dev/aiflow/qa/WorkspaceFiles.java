package dev.aiflow.qa;

import dev.aiflow.protocol.WorkspacePath;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The questions the QA gate asks of the workspace's files: where a path the agent cited leads, and
 * what an evidence file holds. Asked of the folder itself next to the workspace ({@link #live}),
 * and on the server of the answers the kernel gathered there ({@link ReviewInputs}), so the server
 * never needs the workspace.
 */
public interface WorkspaceFiles {

  /** Whether {@code path} is this workspace (an observation must be of it). */
  boolean isWorkspace(String path);

  /** The workspace's path, for messages. */
  String describe();

  /** {@link WorkspacePath#check} of a path the agent cited, links included. */
  WorkspacePath check(String reported);

  /**
   * The SHA-256 and size of a regular file (never through a link) at a normalised
   * workspace-relative path, or null when there is none.
   */
  EvidenceRecord hash(String normalised, String origin);

  /** The folder itself. */
  static WorkspaceFiles live(Path workspace) {
    return new Live(workspace.toAbsolutePath().normalize());
  }

  /** The files of a workspace on this machine. */
  record Live(Path root) implements WorkspaceFiles {

    @Override
    public boolean isWorkspace(String path) {
      return real(Path.of(path)).equals(real(root));
    }

    @Override
    public String describe() {
      return root.toString();
    }

    @Override
    public WorkspacePath check(String reported) {
      return WorkspacePath.check(root, reported);
    }

    @Override
    public EvidenceRecord hash(String normalised, String origin) {
      Path file = root.resolve(normalised);
      if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
        return null;
      }
      try {
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        long bytes = 0;
        byte[] buf = new byte[1 << 16];
        try (InputStream in = Files.newInputStream(file, LinkOption.NOFOLLOW_LINKS)) {
          int n;
          while ((n = in.read(buf)) > 0) {
            md.update(buf, 0, n);
            bytes += n;
          }
        }
        return new EvidenceRecord(normalised, HexFormat.of().formatHex(md.digest()), bytes, origin);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read evidence " + file, e);
      } catch (NoSuchAlgorithmException e) {
        throw new IllegalStateException(e);
      }
    }

    static Path real(Path p) {
      try {
        return p.toRealPath();
      } catch (IOException e) {
        return p.toAbsolutePath().normalize();
      }
    }
  }
}
