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

  /**
   * Finds where the line that starts at {@code from} ends without searching for its newline first:
   * returns its length (the byte at {@code from + length} being its '\n'), or -1 to let the reader
   * search (the line is not of the kind the splitter checks, or not wholly in the buffer).
   */
  interface Splitter {
    int lineLength(byte[] buf, int from, int limit);
  }

  /**
   * As {@link #next()}, but first offers the buffered bytes to {@code splitter}: a reader that
   * checks every byte of a line anyway (the verifier's canonical scan) saves the newline search.
   */
  boolean next(Splitter splitter) throws IOException {
    if (start < limit) {
      int len = splitter.lineLength(buf, start, limit);
      if (len >= 0) {
        accept(start + len);
        return true;
      }
    }
    return next();
  }

  private void accept(int newline) {
    lineOff = start;
    lineLen = newline - start;
    lineOffset = consumed;
    lineNumber++;
    consumed += lineLen + 1L;
    start = newline + 1;
  }

  /** Advances to the next complete line; false at the end of the stream. */
  boolean next() throws IOException {
    int scanFrom = start;
    while (true) {
      int i = ByteScan.indexOfNewline(buf, scanFrom, limit);
      if (i >= 0) {
        accept(i);
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
