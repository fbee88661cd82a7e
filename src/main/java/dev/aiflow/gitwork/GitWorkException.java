package dev.aiflow.gitwork;

/** A git step that could not be done: names the step and the repository, never a file's content. */
public class GitWorkException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  private final String code;

  public GitWorkException(String code, String message) {
    super(message);
    this.code = code;
  }

  public GitWorkException(String code, String message, Throwable cause) {
    super(message, cause);
    this.code = code;
  }

  /** GIT_FAILED, NOT_A_REPOSITORY, BAD_BRANCH, WORKTREE_REFUSED. */
  public String code() {
    return code;
  }
}
