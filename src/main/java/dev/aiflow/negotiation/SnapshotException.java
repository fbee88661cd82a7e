package dev.aiflow.negotiation;

import java.nio.file.Path;

/** A plan or boundary snapshot that is missing or unreadable; names the file and the member. */
public class SnapshotException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  private final String code;

  public SnapshotException(Path file, String pointer, String code, String message) {
    super(file + (pointer.isEmpty() ? "" : " at " + pointer) + ": " + message);
    this.code = code;
  }

  public String code() {
    return code;
  }
}
