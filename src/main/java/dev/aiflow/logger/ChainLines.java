package dev.aiflow.logger;

import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The stored lines of a project chain, byte for byte, for readers that need exactly what is on disk
 * (the transparency log hashes them as its leaves). Only complete lines are returned: bytes after
 * the last newline (an append in progress, a torn tail) are not a line. Reads never lock and never
 * repair.
 */
public final class ChainLines {

  /**
   * Receives one line, without its newline, in {@code buf[off, off+len)} (valid during the call).
   */
  @FunctionalInterface
  public interface Visitor {
    void line(byte[] buf, int off, int len) throws IOException;
  }

  private ChainLines() {}

  /** The project chain's path, {@code <root>/<projectId>/events.jsonl}; the id is checked. */
  public static Path projectEvents(Path root, String projectId) {
    return new ProjectLayout(root, projectId).events();
  }

  /** The project's folder, {@code <root>/<projectId>}; the id is checked. */
  public static Path projectDir(Path root, String projectId) {
    return new ProjectLayout(root, projectId).dir;
  }

  /** The name of the project chain inside a project folder or an export archive. */
  public static String eventsName() {
    return ProjectLayout.EVENTS;
  }

  /**
   * Where a read ended.
   *
   * @param end the offset just after the last complete line: where the next read starts
   * @param tailBytes bytes after that line that are not (yet) a line
   */
  public record Extent(long end, int tailBytes) {}

  /**
   * Reads the complete lines of {@code file} from byte offset {@code from}, which must be the start
   * of a line.
   */
  public static Extent read(Path file, long from, Visitor visitor) throws IOException {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      if (from > ch.size()) {
        throw new NoSuchFileException(file + " is shorter than " + from + " bytes");
      }
      ch.position(from);
      Extent e = read(Channels.newInputStream(ch), visitor);
      return new Extent(from + e.end(), e.tailBytes());
    }
  }

  /** Reads the complete lines of a stream (an archive entry, say) from its start. */
  public static Extent read(InputStream in, Visitor visitor) throws IOException {
    LineReader lines = new LineReader(in);
    while (lines.next()) {
      visitor.line(lines.buf(), lines.off(), lines.len());
    }
    return new Extent(lines.completeBytes(), lines.tailBytes());
  }
}
