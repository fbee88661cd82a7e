package dev.aiflow.negotiation;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.aiflow.files.AtomicFile;
import dev.aiflow.files.Digests;
import dev.aiflow.files.SharedFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A project's requirements on disk (docs/requirements.md): the draft, the frozen versions {@code
 * requirements.vN.md} (never overwritten), {@code requirements.current.md}, {@code
 * freeze_meta.json} (the commit point: written last) and the plan and boundary snapshots derived at
 * freeze time. Writers take the lock of {@code freeze_meta.json}.
 */
public final class FreezeStore {

  public static final String DRAFT = "requirements.draft.md";
  public static final String CURRENT = "requirements.current.md";
  public static final String META = "freeze_meta.json";
  public static final String PROFILE = "controller_profile.json";
  public static final String META_SCHEMA = "aiflow.freeze_meta.v1";

  private static final Pattern VERSION = Pattern.compile("^requirements\\.v([0-9]{1,9})\\.md$");
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Path projectDir;

  public FreezeStore(Path projectDir) {
    this.projectDir = projectDir.toAbsolutePath().normalize();
  }

  public Path projectDir() {
    return projectDir;
  }

  public Path inputDir() {
    return projectDir.resolve("input");
  }

  public Path progressDir() {
    return projectDir.resolve("progress");
  }

  public Path draftFile() {
    return inputDir().resolve(DRAFT);
  }

  public Path currentFile() {
    return inputDir().resolve(CURRENT);
  }

  public Path metaFile() {
    return inputDir().resolve(META);
  }

  public Path planFile() {
    return progressDir().resolve(Snapshots.PLAN_FILE);
  }

  public Path boundaryFile() {
    return progressDir().resolve(Snapshots.BOUNDARY_FILE);
  }

  /**
   * Stores a new draft. While nothing is frozen yet, {@code freeze_meta.json} says so ({@code
   * approved: false}); an earlier freeze stays in force until the new draft is approved.
   *
   * @return the draft's SHA-256
   */
  public String writeDraft(String markdown, Instant now) {
    byte[] bytes = markdown.getBytes(StandardCharsets.UTF_8);
    String sha = Digests.sha256(bytes);
    SharedFiles.withLock(
        metaFile(),
        () -> {
          AtomicFile.write(draftFile(), bytes);
          if (latestVersion() == 0) {
            ObjectNode meta = JSON.createObjectNode();
            meta.put("schema", META_SCHEMA);
            meta.put("approved", false);
            meta.put("status", "pending_approval");
            meta.put("draft_sha256", sha);
            meta.put("drafted_at", now.toString());
            AtomicFile.write(metaFile(), Snapshots.bytes(meta));
          }
          return null;
        });
    return sha;
  }

  /** The draft's text; {@link FreezeException} {@code DRAFT_MISSING} when there is none. */
  public String readDraft() {
    SharedFiles.refresh();
    try {
      return Files.readString(draftFile(), StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      throw new FreezeException("DRAFT_MISSING", "no draft at " + draftFile());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** What a freeze produced. */
  public record Frozen(FreezeMeta meta, Path versionFile, Snapshots.Written snapshots) {}

  /**
   * Freezes the draft: it must parse as a task brief; it becomes {@code requirements.vN.md} (N one
   * more than the highest) and {@code requirements.current.md}; the snapshots are derived; {@code
   * freeze_meta.json} is written last.
   *
   * @param expectedDraftSha256 when set, the draft must still be the one that was approved
   * @throws RequirementsFormatException when the draft is not a valid brief (nothing is written)
   * @throws FreezeException {@code DRAFT_MISSING} or {@code DRAFT_CHANGED}
   */
  public Frozen freeze(String approver, String comment, String expectedDraftSha256, Instant now) {
    if (approver == null || approver.isBlank()) {
      throw new FreezeException("APPROVER_MISSING", "a freeze needs the approver's name");
    }
    return SharedFiles.withLock(
        metaFile(),
        () -> {
          String text = readDraft();
          String sha = Digests.sha256(text);
          if (expectedDraftSha256 != null && !expectedDraftSha256.equals(sha)) {
            throw new FreezeException(
                "DRAFT_CHANGED",
                "the draft changed after it was put up for approval (approved "
                    + expectedDraftSha256
                    + ", now "
                    + sha
                    + ")");
          }
          Requirements req = RequirementsParser.parse(text, draftFile().toString());
          int version = latestVersion() + 1;
          Path versionFile = inputDir().resolve("requirements.v" + version + ".md");
          if (Files.exists(versionFile)) {
            throw new FreezeException("VERSION_EXISTS", versionFile + " exists; never overwritten");
          }
          byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
          AtomicFile.write(versionFile, bytes);
          AtomicFile.write(currentFile(), bytes);
          Snapshots.Written snaps = Snapshots.write(req, sha, progressDir());
          FreezeMeta meta =
              new FreezeMeta(
                  version,
                  true,
                  approver,
                  now,
                  sha,
                  versionFile.getFileName().toString(),
                  comment,
                  req.tasks().size());
          AtomicFile.write(metaFile(), Snapshots.bytes(meta.toJson()));
          return new Frozen(meta, versionFile, snaps);
        });
  }

  /** The highest N of the {@code requirements.vN.md} files, 0 when none. */
  public int latestVersion() {
    SharedFiles.refresh();
    if (!Files.isDirectory(inputDir())) {
      return 0;
    }
    try (Stream<Path> files = Files.list(inputDir())) {
      return files
          .map(p -> VERSION.matcher(p.getFileName().toString()))
          .filter(Matcher::matches)
          .mapToInt(m -> Integer.parseInt(m.group(1)))
          .max()
          .orElse(0);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Whether the project may execute: an approved {@code freeze_meta.json} and a {@code
   * requirements.current.md} whose SHA-256 is the one frozen.
   */
  public FreezeStatus status() {
    SharedFiles.refresh();
    JsonNode meta;
    if (!Files.exists(metaFile(), java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
      return FreezeStatus.blocked("FREEZE_META_MISSING", "no " + metaFile());
    }
    try {
      meta =
          dev.aiflow.json.StrictJson.readTree(
              dev.aiflow.files.PathPolicy.readBounded(
                  "freeze_meta.json", metaFile().toString(), metaFile(), 64 * 1024));
    } catch (dev.aiflow.files.PathRefusedException e) {
      return FreezeStatus.blocked("FREEZE_META_CORRUPT", e.getMessage());
    } catch (dev.aiflow.json.JsonInputException e) {
      return FreezeStatus.blocked("FREEZE_META_CORRUPT", metaFile() + " " + e.getMessage());
    }
    if (meta == null || !meta.isObject() || !META_SCHEMA.equals(meta.path("schema").asText())) {
      return FreezeStatus.blocked(
          "FREEZE_META_CORRUPT", metaFile() + ": expected schema " + META_SCHEMA);
    }
    if (!meta.path("approved").isBoolean() || !meta.get("approved").asBoolean()) {
      return FreezeStatus.blocked(
          "FREEZE_NOT_APPROVED", metaFile() + " does not record an approved freeze");
    }
    FreezeMeta m;
    try {
      m = FreezeMeta.fromJson(meta);
    } catch (IllegalArgumentException e) {
      return FreezeStatus.blocked("FREEZE_META_CORRUPT", metaFile() + ": " + e.getMessage());
    }
    byte[] current;
    try {
      current = Files.readAllBytes(currentFile());
    } catch (NoSuchFileException e) {
      return FreezeStatus.blocked("REQUIREMENTS_CURRENT_MISSING", "no " + currentFile());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    String sha = Digests.sha256(current);
    if (!sha.equals(m.sha256())) {
      return FreezeStatus.blocked(
          "REQUIREMENTS_CHANGED",
          currentFile() + " is not the text frozen as v" + m.version() + " (SHA-256 differs)");
    }
    return FreezeStatus.approved(m);
  }
}
