package dev.aiflow.worker;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;

/**
 * Cuts a byte stream into UTF-8 lines for an observer. A line longer than {@link #MAX_LINE} bytes
 * is dropped whole (observers look for short marker lines), so a flood without line breaks cannot
 * make the supervisor buffer without bound.
 */
final class LineSplitter {

  static final int MAX_LINE = 1 << 20;

  private final Consumer<String> sink;
  private final ByteArrayOutputStream line = new ByteArrayOutputStream();
  private boolean overflow;

  LineSplitter(Consumer<String> sink) {
    this.sink = sink;
  }

  void accept(byte[] buf, int off, int len) {
    int start = off;
    int end = off + len;
    for (int i = off; i < end; i++) {
      if (buf[i] == '\n') {
        append(buf, start, i - start);
        emit();
        start = i + 1;
      }
    }
    append(buf, start, end - start);
  }

  /** The stream ended: a last line without a line break still counts. */
  void finish() {
    if (line.size() > 0 || overflow) {
      emit();
    }
  }

  private void append(byte[] buf, int off, int len) {
    if (len <= 0 || overflow) {
      return;
    }
    if (line.size() + len > MAX_LINE) {
      overflow = true;
      line.reset();
      return;
    }
    line.write(buf, off, len);
  }

  private void emit() {
    if (!overflow) {
      String s = line.toString(StandardCharsets.UTF_8);
      if (s.endsWith("\r")) {
        s = s.substring(0, s.length() - 1);
      }
      try {
        sink.accept(s);
      } catch (RuntimeException e) {
        // an observer that fails must not stop the evidence from being copied
      }
    }
    line.reset();
    overflow = false;
  }
}
