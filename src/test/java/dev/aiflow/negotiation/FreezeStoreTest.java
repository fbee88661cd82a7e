package dev.aiflow.negotiation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.aiflow.files.Digests;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FreezeStoreTest {

  static final Instant T0 = Instant.parse("2026-12-01T10:00:00Z");
  @TempDir Path dir;

  @Test
  void nothingFrozenBlocksWithTheMissingMeta() {
    FreezeStatus s = new FreezeStore(dir).status();
    assertThat(s.approved()).isFalse();
    assertThat(s.code()).isEqualTo("FREEZE_META_MISSING");
  }

  @Test
  void aDraftAloneIsPendingAndUnapproved() throws Exception {
    FreezeStore store = new FreezeStore(dir);
    store.writeDraft(RequirementsParserTest.GOOD, T0);
    assertThat(store.status().code()).isEqualTo("FREEZE_NOT_APPROVED");
    JsonNode meta = new ObjectMapper().readTree(Files.readString(store.metaFile()));
    assertThat(meta.path("status").asText()).isEqualTo("pending_approval");
  }

  @Test
  void freezingWritesVersionCurrentSnapshotsAndMetaLast() throws Exception {
    FreezeStore store = new FreezeStore(dir);
    String sha = store.writeDraft(RequirementsParserTest.GOOD, T0);
    FreezeStore.Frozen f = store.freeze("alice", "ship it", sha, T0);

    assertThat(f.versionFile()).isEqualTo(store.inputDir().resolve("requirements.v1.md"));
    assertThat(Files.readString(f.versionFile())).isEqualTo(RequirementsParserTest.GOOD);
    assertThat(Files.readString(store.currentFile())).isEqualTo(RequirementsParserTest.GOOD);
    JsonNode meta = new ObjectMapper().readTree(Files.readString(store.metaFile()));
    assertThat(meta.path("version").asInt()).isEqualTo(1);
    assertThat(meta.path("approved").asBoolean()).isTrue();
    assertThat(meta.path("approver").asText()).isEqualTo("alice");
    assertThat(meta.path("approved_at").asText()).isEqualTo("2026-12-01T10:00:00Z");
    assertThat(meta.path("sha256").asText()).isEqualTo(Digests.sha256(RequirementsParserTest.GOOD));
    assertThat(Snapshots.readPlan(store.planFile()).tasks()).containsKey("T-1");
    assertThat(Snapshots.readBoundary(store.boundaryFile()).tasks().get("T-1"))
        .containsExactly("src/greet.py", "tests/unit/test_greet.py");
    FreezeStatus s = store.status();
    assertThat(s.approved()).isTrue();
    assertThat(s.meta().sha256()).isEqualTo(sha);
  }

  @Test
  void aSecondFreezeIsV2AndNeverOverwritesV1() throws Exception {
    FreezeStore store = new FreezeStore(dir);
    store.writeDraft(RequirementsParserTest.GOOD, T0);
    store.freeze("alice", null, null, T0);
    String second = RequirementsParserTest.GOOD.replace("Make the demo", "Make the tool");
    store.writeDraft(second, T0);
    assertThat(store.status().approved()).as("v1 stays in force while v2 is a draft").isTrue();
    store.freeze("bob", null, null, T0.plusSeconds(60));
    assertThat(Files.readString(store.inputDir().resolve("requirements.v1.md")))
        .isEqualTo(RequirementsParserTest.GOOD);
    assertThat(Files.readString(store.inputDir().resolve("requirements.v2.md"))).isEqualTo(second);
    assertThat(store.status().meta().version()).isEqualTo(2);
    assertThat(store.status().meta().approver()).isEqualTo("bob");
  }

  @Test
  void anInvalidDraftIsRefusedAndNothingIsWritten() throws Exception {
    FreezeStore store = new FreezeStore(dir);
    store.writeDraft("# Task brief: nothing else\n", T0);
    assertThatThrownBy(() -> store.freeze("alice", null, null, T0))
        .isInstanceOf(RequirementsFormatException.class);
    assertThat(store.latestVersion()).isZero();
    assertThat(store.currentFile()).doesNotExist();
    assertThat(store.status().code()).isEqualTo("FREEZE_NOT_APPROVED");
  }

  @Test
  void aDraftChangedAfterReviewIsNotFrozen() {
    FreezeStore store = new FreezeStore(dir);
    String sha = store.writeDraft(RequirementsParserTest.GOOD, T0);
    store.writeDraft(RequirementsParserTest.GOOD + "\n## Constraints\n- none\n", T0);
    assertThatThrownBy(() -> store.freeze("alice", null, sha, T0))
        .isInstanceOf(FreezeException.class)
        .hasMessageContaining("DRAFT_CHANGED");
  }

  @Test
  void anApprovalNeedsAnApprover() {
    FreezeStore store = new FreezeStore(dir);
    store.writeDraft(RequirementsParserTest.GOOD, T0);
    assertThatThrownBy(() -> store.freeze(" ", null, null, T0))
        .isInstanceOf(FreezeException.class)
        .hasMessageContaining("APPROVER_MISSING");
  }

  @Test
  void anEditedCurrentFileOrAMissingOneBlocks() throws Exception {
    FreezeStore store = new FreezeStore(dir);
    store.writeDraft(RequirementsParserTest.GOOD, T0);
    store.freeze("alice", null, null, T0);
    Files.writeString(store.currentFile(), RequirementsParserTest.GOOD + "\nsneaky edit\n");
    assertThat(store.status().code()).isEqualTo("REQUIREMENTS_CHANGED");
    Files.delete(store.currentFile());
    assertThat(store.status().code()).isEqualTo("REQUIREMENTS_CURRENT_MISSING");
  }

  @Test
  void aCorruptOrUnapprovedMetaBlocks() throws Exception {
    FreezeStore store = new FreezeStore(dir);
    store.writeDraft(RequirementsParserTest.GOOD, T0);
    store.freeze("alice", null, null, T0);
    String meta = Files.readString(store.metaFile());
    Files.writeString(
        store.metaFile(), meta.replace("\"approved\" : true", "\"approved\" : false"));
    assertThat(store.status().code()).isEqualTo("FREEZE_NOT_APPROVED");
    Files.writeString(store.metaFile(), "{ not json");
    assertThat(store.status().code()).isEqualTo("FREEZE_META_CORRUPT");
  }
}
