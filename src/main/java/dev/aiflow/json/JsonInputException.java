package dev.aiflow.json;

/**
 * A document that is not acceptable JSON: what kind of problem and where, never the content. The
 * message reads as the end of a sentence that starts with the document's name, e.g. {@code
 * "queuePath: data/q.json is not valid JSON at line 3, column 7"}.
 */
public final class JsonInputException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  private final String kind;
  private final int line;
  private final int column;

  public JsonInputException(String kind, int line, int column) {
    super(kind + (line > 0 ? " at line " + line + ", column " + column : ""));
    this.kind = kind;
    this.line = line;
    this.column = column;
  }

  /** The kind of problem, e.g. "is not valid JSON", "has a duplicate member". */
  public String kind() {
    return kind;
  }

  public int line() {
    return line;
  }

  public int column() {
    return column;
  }
}
