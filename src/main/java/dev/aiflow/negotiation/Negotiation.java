package dev.aiflow.negotiation;

import dev.aiflow.files.Digests;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;

/** The controller's side of the freeze workflow: draft from dialogue, and negotiate snapshots. */
public final class Negotiation {

  /**
   * A stored draft and whether it would freeze as it is.
   *
   * @param findings what the parser refuses in it (empty: it would freeze)
   */
  public record Drafted(
      String markdown, String sha256, List<RequirementsFormatException.Finding> findings) {}

  /**
   * Drafts from the dialogue with {@code drafter}, stores the draft and the controller profile.
   *
   * @param command the external command, recorded in the profile (null for heuristic)
   */
  public static Drafted draft(
      Drafter drafter,
      String dialogue,
      FreezeStore store,
      String model,
      String command,
      Instant now) {
    String md = drafter.draft(dialogue);
    String sha = store.writeDraft(md, now);
    new ControllerProfile(drafter.backend(), model, command, sha, now).write(store.inputDir());
    List<RequirementsFormatException.Finding> findings = List.of();
    try {
      RequirementsParser.parse(md, FreezeStore.DRAFT);
    } catch (RequirementsFormatException e) {
      findings = e.findings();
    }
    return new Drafted(md, sha, findings);
  }

  /**
   * {@code aiflow negotiate}: reads a frozen requirements file and writes {@code
   * plan_snapshot.json} and {@code boundary_snapshot.json} into {@code progressDir}.
   *
   * @throws RequirementsFormatException when the file is not a valid brief (nothing is written)
   */
  public static Snapshots.Written negotiate(Path requirementsMd, Path progressDir) {
    String text;
    try {
      text = Files.readString(requirementsMd, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      throw new FreezeException("REQUIREMENTS_MISSING", "no file " + requirementsMd);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    Requirements r = RequirementsParser.parse(text, requirementsMd.toString());
    return Snapshots.write(r, Digests.sha256(text), progressDir);
  }

  private Negotiation() {}
}
