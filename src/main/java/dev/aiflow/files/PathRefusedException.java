package dev.aiflow.files;

/** A named path aiflow will not use: the field that named it and why (never a file's content). */
public final class PathRefusedException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  private final String field;

  public PathRefusedException(String field, String message) {
    super(message);
    this.field = field;
  }

  /** The request member, variable or flag that named the path. */
  public String field() {
    return field;
  }
}
