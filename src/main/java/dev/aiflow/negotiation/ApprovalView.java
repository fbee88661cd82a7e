package dev.aiflow.negotiation;

import dev.aiflow.files.Digests;
import dev.aiflow.files.PathPolicy;
import dev.aiflow.files.PathRefusedException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;

/**
 * What an approver approves (docs/requirements.md, "Approving"): the draft's text itself, its
 * SHA-256 and whether that is still the hash put up for approval, the diff against the last frozen
 * version, and the plan the freeze would derive (each task with its allowed paths and acceptance),
 * or what stops it from freezing. Read from the project's {@link FreezeStore}; no path comes from
 * the caller.
 *
 * @param sha256 the SHA-256 of {@code text} as read now
 * @param expectedSha256 the SHA-256 put up for approval (the workflow's {@code draftSha256})
 * @param previousVersion the last frozen version the diff is against, 0 when none
 * @param plan the tasks the freeze would plan; empty when the draft would not freeze
 * @param findings what stops the draft from freezing (empty: it would freeze)
 */
public record ApprovalView(
    String title,
    String text,
    String sha256,
    String expectedSha256,
    boolean unchanged,
    int previousVersion,
    List<TextDiff.Line> diff,
    List<String> boundary,
    List<Requirements.PlannedTask> plan,
    List<String> findings) {

  /** The largest draft or frozen version shown: 1 MiB. */
  public static final long MAX_TEXT_BYTES = 1024 * 1024;

  /** Unchanged lines kept around each change in the diff. */
  static final int DIFF_CONTEXT = 3;

  public ApprovalView {
    diff = List.copyOf(diff);
    boundary = List.copyOf(boundary);
    plan = List.copyOf(plan);
    findings = List.copyOf(findings);
  }

  /**
   * The draft of {@code store} as it stands.
   *
   * @param expectedSha256 the hash put up for approval, or null
   * @throws FreezeException {@code DRAFT_MISSING} when there is no draft
   * @throws PathRefusedException when a file is not a regular file or too large
   */
  public static ApprovalView read(FreezeStore store, String expectedSha256) {
    if (!Files.exists(store.draftFile(), LinkOption.NOFOLLOW_LINKS)) {
      throw new FreezeException("DRAFT_MISSING", "no draft to approve");
    }
    String text = readText(store.draftFile(), FreezeStore.DRAFT);
    String sha = Digests.sha256(text);
    int previous = store.latestVersion();
    String before =
        previous == 0
            ? null
            : readText(
                store.inputDir().resolve("requirements.v" + previous + ".md"),
                "requirements.v" + previous + ".md");
    List<TextDiff.Line> diff;
    try {
      diff = TextDiff.diff(before, text, DIFF_CONTEXT);
    } catch (IllegalArgumentException e) {
      diff = List.of(new TextDiff.Line('@', "no diff: " + e.getMessage()));
    }
    String title = null;
    List<String> boundary = List.of();
    List<Requirements.PlannedTask> plan = List.of();
    List<String> findings = List.of();
    try {
      Requirements r = RequirementsParser.parse(text, FreezeStore.DRAFT);
      title = r.title();
      boundary = r.boundary();
      plan = r.tasks();
    } catch (RequirementsFormatException e) {
      findings = e.findings().stream().map(Object::toString).toList();
    }
    return new ApprovalView(
        title,
        text,
        sha,
        expectedSha256,
        expectedSha256 == null || expectedSha256.equals(sha),
        previous,
        diff,
        boundary,
        plan,
        findings);
  }

  private static String readText(Path file, String shown) {
    return new String(
        PathPolicy.readBounded("requirements", shown, file, MAX_TEXT_BYTES),
        StandardCharsets.UTF_8);
  }
}
