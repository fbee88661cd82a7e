package dev.aiflow.files;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Reads a child process's stream to its end on a daemon thread, keeping up to a cap (a process
 * whose pipe nobody reads blocks when the pipe is full). Used by the kernel's git and by gitwork.
 */
public final class StreamDrain extends Thread {

  private final InputStream in;
  private final int cap;
  private final ByteArrayOutputStream buf = new ByteArrayOutputStream();

  /** Starts draining {@code in}. */
  public static StreamDrain start(String name, InputStream in, int cap) {
    StreamDrain d = new StreamDrain(name, in, cap);
    d.start();
    return d;
  }

  private StreamDrain(String name, InputStream in, int cap) {
    super(name);
    setDaemon(true);
    this.in = in;
    this.cap = cap;
  }

  @Override
  public void run() {
    byte[] b = new byte[65536];
    try (in) {
      int n;
      while ((n = in.read(b)) > 0) {
        int keep = Math.min(n, cap - buf.size());
        if (keep > 0) {
          buf.write(b, 0, keep);
        }
      }
    } catch (IOException e) {
      // the process ended: what was read is kept
    }
  }

  public byte[] bytes() {
    return buf.toByteArray();
  }

  public String text() {
    return buf.toString(StandardCharsets.UTF_8);
  }

  /** The absolute path of the executable {@code name} on {@code $PATH}, if there is one. */
  public static Optional<String> onPath(String name) {
    String path = System.getenv("PATH");
    if (path == null) {
      return Optional.empty();
    }
    for (String dir : path.split(File.pathSeparator)) {
      Path p = Path.of(dir.isEmpty() ? "." : dir, name);
      if (Files.isRegularFile(p) && Files.isExecutable(p)) {
        return Optional.of(p.toAbsolutePath().toString());
      }
    }
    return Optional.empty();
  }
}
