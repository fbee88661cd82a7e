package dev.aiflow.ids;

import java.util.regex.Pattern;

/**
 * The one identifier grammar of aiflow: project ids, task ids (queue keys), run ids and step ids.
 * Ids become directory names, process business keys and URL path segments, so the grammar is
 * portable and traversal-free: 1 to 128 characters from {@code A-Z a-z 0-9 . _ -}, starting with a
 * letter or digit, never containing {@code ..}. Every reader of an id (REST, CLI, queue, protocol
 * schema, logger, requirements parser) checks it here; the protocol schema's {@code id} pattern is
 * tested against {@link #PATTERN}.
 */
public final class Ids {

  /** The grammar as a regular expression (without the no-{@code ..} rule). */
  public static final String PATTERN = "^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$";

  /** The grammar in words, for error messages and docs. */
  public static final String RULE =
      "1-128 characters from A-Z a-z 0-9 . _ -, starting with a letter or digit, without '..'";

  private static final Pattern ID = Pattern.compile(PATTERN);

  private Ids() {}

  /** Whether {@code id} is a valid identifier. */
  public static boolean isValid(String id) {
    return id != null && ID.matcher(id).matches() && !id.contains("..");
  }

  /**
   * Returns {@code id} when valid.
   *
   * @param kind what the id names, for the message ("project id", "task id"...)
   * @throws InvalidIdException naming the kind and the rule; the message does not quote the value,
   *     which may come from a file the caller named
   */
  public static String require(String kind, String id) {
    if (!isValid(id)) {
      throw new InvalidIdException(kind, id == null ? "a " + kind + " is required" : null);
    }
    return id;
  }

  /** An id that breaks the grammar. */
  public static final class InvalidIdException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;
    private final String kind;

    InvalidIdException(String kind, String message) {
      super(message != null ? message : "not a valid " + kind + ": use " + RULE);
      this.kind = kind;
    }

    /** What the id names ("project id", "task id"...). */
    public String kind() {
      return kind;
    }
  }
}
