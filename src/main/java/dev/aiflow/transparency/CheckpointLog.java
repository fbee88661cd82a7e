package dev.aiflow.transparency;

import dev.aiflow.files.SharedFiles;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * A project's append-only checkpoint log, {@code <project>/transparency/checkpoints}: every signed
 * checkpoint, in the order it was signed, each as its exact signed note followed by one blank line.
 * A record is complete only with that blank line; an incomplete last record (a crash during the
 * append) is not read, and is cut by the next append. Appends hold an OS lock on the file itself,
 * so processes sharing a project take turns. See docs/chain-format.md.
 */
final class CheckpointLog {

  /** The file, relative to the project folder. */
  static final String FILE = "transparency/checkpoints";

  /** One record: the note as stored, and what its body says (unverified). */
  record Entry(int number, String note, Checkpoint checkpoint) {}

  /** A complete record that is not a signed checkpoint: the log cannot be trusted as it stands. */
  static final class Corrupt extends IOException {
    private static final long serialVersionUID = 1L;
    private final String detail;

    Corrupt(String where, String detail) {
      super(where + ": " + detail);
      this.detail = detail;
    }

    /** What is wrong, without the file's path or content. */
    String detail() {
      return detail;
    }
  }

  /** What a read found. */
  record Contents(List<Entry> entries, long completeBytes, long tornBytes) {}

  /** Work done while holding the log's lock. */
  interface Locked<T> {
    T run(Contents contents) throws IOException;
  }

  private final Path file;
  // what was read last, so that a read parses only what was appended since
  private Contents cached = new Contents(List.of(), 0, 0);
  private byte[] lastRecord = new byte[0];

  CheckpointLog(Path projectDir) {
    this.file = projectDir.resolve(FILE);
  }

  Path file() {
    return file;
  }

  /**
   * Reads the log without locking (a reader may miss an append in progress, never see half). Only
   * the bytes appended since the last read are parsed, after checking that the last record read
   * then is still in place; anything else (a shorter or rewritten log) is read again in full.
   */
  synchronized Contents read() throws IOException {
    SharedFiles.refresh();
    if (!Files.exists(file)) {
      cached = new Contents(List.of(), 0, 0);
      lastRecord = new byte[0];
      return cached;
    }
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      long size = ch.size();
      long known = cached.completeBytes();
      if (known > 0 && size >= known && sameAt(ch, known - lastRecord.length, lastRecord)) {
        byte[] added = readRange(ch, known, size);
        Contents more = parse(added, file.toString(), cached.entries().size());
        if (!more.entries().isEmpty()) {
          List<Entry> all = new ArrayList<>(cached.entries());
          all.addAll(more.entries());
          Entry last = more.entries().get(more.entries().size() - 1);
          lastRecord = (last.note() + "\n").getBytes(StandardCharsets.UTF_8);
          cached = new Contents(List.copyOf(all), known + more.completeBytes(), more.tornBytes());
        } else {
          cached = new Contents(cached.entries(), known, more.tornBytes());
        }
        return cached;
      }
      Contents full = parse(readRange(ch, 0, size), file.toString(), 0);
      cached = full;
      lastRecord =
          full.entries().isEmpty()
              ? new byte[0]
              : (full.entries().get(full.entries().size() - 1).note() + "\n")
                  .getBytes(StandardCharsets.UTF_8);
      return cached;
    }
  }

  private static boolean sameAt(FileChannel ch, long at, byte[] expected) throws IOException {
    if (at < 0) {
      return false;
    }
    return java.util.Arrays.equals(readRange(ch, at, at + expected.length), expected);
  }

  private static byte[] readRange(FileChannel ch, long from, long to) throws IOException {
    ByteBuffer b = ByteBuffer.allocate(Math.toIntExact(to - from));
    while (b.hasRemaining()) {
      if (ch.read(b, from + b.position()) < 0) {
        break;
      }
    }
    return b.array();
  }

  /**
   * Runs {@code work} under the log's lock with its current contents; {@link #append} may be called
   * inside.
   */
  <T> T locked(Locked<T> work) throws IOException {
    Files.createDirectories(file.getParent());
    // across a cluster's nodes too: the log is one record in the database (SharedFiles)
    return SharedFiles.around(
        file,
        () -> {
          try (FileChannel ch =
                  FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
              FileLock ignored = ch.lock()) {
            return work.run(read());
          }
        });
  }

  /**
   * Appends one signed note (call inside {@link #locked}): cuts an incomplete last record, writes
   * the note and its blank line at the end in one write, and fsyncs before returning.
   */
  void append(Contents current, String note) throws IOException {
    byte[] record = (note + "\n").getBytes(StandardCharsets.UTF_8);
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
      if (current.tornBytes() > 0) {
        ch.truncate(current.completeBytes());
      }
      ByteBuffer b = ByteBuffer.wrap(record);
      long at = current.completeBytes();
      while (b.hasRemaining()) {
        at += ch.write(b, at);
      }
      ch.force(false);
    }
    SharedFiles.written(file);
  }

  /**
   * Splits a log into its records: text lines up to a blank line, signature lines up to the next
   * blank line. A complete record that is not a signed checkpoint makes the whole log unreadable.
   */
  static Contents parse(byte[] bytes, String where) throws IOException {
    return parse(bytes, where, 0);
  }

  private static Contents parse(byte[] bytes, String where, int before) throws IOException {
    String all = new String(bytes, StandardCharsets.UTF_8);
    List<Entry> entries = new ArrayList<>();
    int pos = 0;
    int recordStart = 0;
    boolean inSignatures = false;
    int sigLines = 0;
    while (true) {
      int nl = all.indexOf('\n', pos);
      if (nl < 0) {
        break;
      }
      String line = all.substring(pos, nl);
      pos = nl + 1;
      if (!inSignatures) {
        if (line.isEmpty()) {
          if (pos - 1 == recordStart) {
            throw new Corrupt(where, "record " + (before + entries.size() + 1) + " has no text");
          }
          inSignatures = true;
          sigLines = 0;
        }
      } else if (line.isEmpty()) {
        if (sigLines == 0) {
          throw new Corrupt(
              where, "record " + (before + entries.size() + 1) + " has no signature line");
        }
        String note = all.substring(recordStart, pos - 1);
        try {
          String text = SignedNote.unverifiedText(note.getBytes(StandardCharsets.UTF_8));
          entries.add(new Entry(before + entries.size() + 1, note, Checkpoint.parse(text)));
        } catch (NoteException e) {
          throw new Corrupt(
              where,
              "record "
                  + (before + entries.size() + 1)
                  + " is not a checkpoint: "
                  + e.getMessage());
        }
        recordStart = pos;
        inSignatures = false;
      } else if (line.startsWith(SignedNote.SIG_PREFIX)) {
        sigLines++;
      } else {
        throw new Corrupt(
            where,
            "record " + (before + entries.size() + 1) + " has a line that is not a signature");
      }
    }
    long complete = all.substring(0, recordStart).getBytes(StandardCharsets.UTF_8).length;
    return new Contents(List.copyOf(entries), complete, bytes.length - complete);
  }
}
