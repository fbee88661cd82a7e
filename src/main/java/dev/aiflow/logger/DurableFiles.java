package dev.aiflow.logger;

import dev.aiflow.files.AtomicFile;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** Small helpers for writes that must survive a crash. */
final class DurableFiles {

  private DurableFiles() {}

  /** Writes the file via a temporary sibling, fsync and rename, then fsyncs the directory. */
  static void writeAtomically(Path target, byte[] content) throws IOException {
    try {
      AtomicFile.write(target, content);
    } catch (java.io.UncheckedIOException e) {
      throw e.getCause();
    }
  }

  /** Makes a directory entry (a new or renamed file) durable. A no-op where unsupported. */
  static void fsyncDirectory(Path dir) {
    AtomicFile.fsyncDirectory(dir);
  }

  static void readFully(FileChannel ch, ByteBuffer buf, long position) throws IOException {
    long pos = position;
    while (buf.hasRemaining()) {
      int n = ch.read(buf, pos);
      if (n < 0) {
        throw new java.io.EOFException("file ended at byte " + pos);
      }
      pos += n;
    }
  }

  static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java platform has SHA-256", e);
    }
  }

  static String sha256Hex(byte[] bytes) {
    return HexFormat.of().formatHex(sha256().digest(bytes));
  }

  static String sha256Hex(Path file) throws IOException {
    MessageDigest md = sha256();
    byte[] buf = new byte[1 << 16];
    try (var in = Files.newInputStream(file)) {
      int n;
      while ((n = in.read(buf)) > 0) {
        md.update(buf, 0, n);
      }
    }
    return HexFormat.of().formatHex(md.digest());
  }
}
