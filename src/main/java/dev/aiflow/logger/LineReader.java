package dev.aiflow.logger;

import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;

/**
 * Splits a stream into '\n'-terminated lines without copying them. The bytes after the last newline
 * (a torn tail) are not returned as a line; {@link #tailBytes()} says how many there were.
 */
final class LineReader {

  private final InputStream in;
  private byte[] buf = new byte[1 << 18];
  private int start; // first unread byte
  private int limit; // end of valid data
  private boolean eof;

  private int lineOff;
  private int lineLen;
  private long lineNumber;
  private long lineOffset; // byte offset of the current line in the stream
  private long consumed; // bytes of complete lines returned so far

  LineReader(InputStream in) {
    this.in = in;
  }

  /** Advances to the next complete line; false at the end of the stream. */
  boolean next() throws IOException {
    int scanFrom = start;
    while (true) {
      int i = ByteScan.indexOfNewline(buf, scanFrom, limit);
      if (i >= 0) {
        lineOff = start;
        lineLen = i - start;
        lineOffset = consumed;
        lineNumber++;
        consumed += lineLen + 1L;
        start = i + 1;
        return true;
      }
      if (eof) {
        return false;
      }
      scanFrom = limit - start;
      fill();
      scanFrom += start;
    }
  }

  private void fill() throws IOException {
    if (start > 0) {
      System.arraycopy(buf, start, buf, 0, limit - start);
      limit -= start;
      start = 0;
    }
    if (limit == buf.length) {
      buf = Arrays.copyOf(buf, buf.length * 2);
    }
    int n = in.read(buf, limit, buf.length - limit);
    if (n < 0) {
      eof = true;
    } else {
      limit += n;
    }
  }

  byte[] buf() {
    return buf;
  }

  int off() {
    return lineOff;
  }

  int len() {
    return lineLen;
  }

  long lineNumber() {
    return lineNumber;
  }

  long lineOffset() {
    return lineOffset;
  }

  /** Bytes of complete lines seen so far, that is, the offset just after the last newline. */
  long completeBytes() {
    return consumed;
  }

  /** After {@link #next()} returned false: bytes after the last newline. */
  int tailBytes() {
    return limit - start;
  }
}
