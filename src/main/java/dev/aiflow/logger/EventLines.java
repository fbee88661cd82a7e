package dev.aiflow.logger;

import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;

/**
 * A chain file read as events, line by line. A canonical line is split and checked in the same pass
 * ({@link EventReader#scanLine}); any other line is split at its newline and read by {@link
 * EventReader#read}, which gives the same answer.
 */
final class EventLines implements LineReader.Splitter {

  private final LineReader lines;
  private final MessageDigest digest;
  private final int[] length = new int[1];
  private EventView scanned;

  EventLines(InputStream in, MessageDigest digest) {
    this.lines = new LineReader(in);
    this.digest = digest;
  }

  @Override
  public int lineLength(byte[] buf, int from, int limit) {
    scanned = EventReader.scanLine(buf, from, limit, digest, length);
    return scanned == null ? -1 : length[0];
  }

  /** Advances to the next complete line; false at the end of the stream. */
  boolean next() throws IOException {
    scanned = null;
    return lines.next(this);
  }

  /** The current line as an event. */
  EventView event() throws EventReader.MalformedEventException {
    return scanned != null
        ? scanned
        : EventReader.read(lines.buf(), lines.off(), lines.len(), digest);
  }

  /** Where the current line is, how many came before, and what follows the last one. */
  LineReader lines() {
    return lines;
  }
}
