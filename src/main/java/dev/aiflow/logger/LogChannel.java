package dev.aiflow.logger;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.OpenOption;
import java.nio.file.Path;

/**
 * A file channel of the store, with the {@link IoFaults} hook called before each operation that can
 * fail. Without faults it adds nothing but the call.
 */
final class LogChannel implements AutoCloseable {

  private final FileChannel channel;
  private final Path file;
  private final IoFaults faults;

  private LogChannel(FileChannel channel, Path file, IoFaults faults) {
    this.channel = channel;
    this.file = file;
    this.faults = faults;
  }

  static LogChannel open(Path file, IoFaults faults, OpenOption... options) throws IOException {
    faults.at(IoFaults.Point.OPEN, file);
    return new LogChannel(FileChannel.open(file, options), file, faults);
  }

  Path file() {
    return file;
  }

  long size() throws IOException {
    return channel.size();
  }

  boolean isOpen() {
    return channel.isOpen();
  }

  FileLock lock() throws IOException {
    return channel.lock();
  }

  /** Writes all of {@code buf} at {@code position}. */
  void write(ByteBuffer buf, long position) throws IOException {
    faults.at(IoFaults.Point.WRITE, file);
    long pos = position;
    if (faults != IoFaults.NONE && buf.remaining() > 1) {
      ByteBuffer half = buf.duplicate();
      half.limit(buf.position() + buf.remaining() / 2);
      while (half.hasRemaining()) {
        pos += channel.write(half, pos);
      }
      buf.position(half.position());
      faults.at(IoFaults.Point.WRITE_PARTIAL, file);
    }
    while (buf.hasRemaining()) {
      pos += channel.write(buf, pos);
    }
  }

  /** Writes all of {@code buf} at the end (for a channel opened with APPEND). */
  void append(ByteBuffer buf) throws IOException {
    faults.at(IoFaults.Point.WRITE, file);
    if (faults != IoFaults.NONE && buf.remaining() > 1) {
      ByteBuffer half = buf.duplicate();
      half.limit(buf.position() + buf.remaining() / 2);
      while (half.hasRemaining()) {
        channel.write(half);
      }
      buf.position(half.position());
      faults.at(IoFaults.Point.WRITE_PARTIAL, file);
    }
    while (buf.hasRemaining()) {
      channel.write(buf);
    }
  }

  void force(boolean metaData) throws IOException {
    faults.at(IoFaults.Point.FORCE, file);
    channel.force(metaData);
  }

  void truncate(long size) throws IOException {
    faults.at(IoFaults.Point.TRUNCATE, file);
    channel.truncate(size);
  }

  /** Reads exactly {@code buf.remaining()} bytes from {@code position}. */
  void readFully(ByteBuffer buf, long position) throws IOException {
    DurableFiles.readFully(channel, buf, position);
  }

  /** The bytes from {@code position} to the end, read with positional reads. */
  InputStream inputFrom(long position) {
    return new InputStream() {
      private long pos = position;

      @Override
      public int read() throws IOException {
        byte[] one = new byte[1];
        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xFF;
      }

      @Override
      public int read(byte[] b, int off, int len) throws IOException {
        if (len == 0) {
          return 0;
        }
        int n = channel.read(ByteBuffer.wrap(b, off, len), pos);
        if (n > 0) {
          pos += n;
        }
        return n;
      }
    };
  }

  @Override
  public void close() {
    try {
      channel.close();
    } catch (IOException e) {
      // closing a channel we only read or already forced loses nothing
    }
  }
}
