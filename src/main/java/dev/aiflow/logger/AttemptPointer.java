package dev.aiflow.logger;

/** An R/S pair: R counts revisions of what is attempted, S attempts within a revision. */
public record AttemptPointer(int r, int s) {

  @Override
  public String toString() {
    return "R" + r + "/S" + s;
  }
}
