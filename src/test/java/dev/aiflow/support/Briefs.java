package dev.aiflow.support;

/** Task briefs (docs/templates/task_brief.template.md) that match the packs of {@link Packs}. */
public final class Briefs {

  private Briefs() {}

  /**
   * A brief that freezes {@code taskId} with {@code allowedPath} and the packs' one criterion.
   * {@code Packs.stepPack(taskId, ...)} conforms to it when {@code allowedPath} covers {@code
   * src/<taskId>.txt}.
   */
  public static String brief(String taskId, String allowedPath) {
    return """
        # Task brief: Finish %1$s

        ## Goal
        The status line of %1$s says the work is done.

        ## Scope
        Allowed paths:
        - `src/`
        - `docs/`

        ## Tasks
        ### %1$s: Finish %1$s
        - Allowed paths: `%2$s`
        - Acceptance:
          - AC-1: the status line says done (verify: `grep -q 'status: done' src/%1$s.txt`)
        """
        .formatted(taskId, allowedPath);
  }
}
