package dev.aiflow.negotiation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.aiflow.files.Digests;
import dev.aiflow.files.PathRefusedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ApprovalViewTest {

  static final Instant T0 = Instant.parse("2026-12-01T10:00:00Z");
  @TempDir Path dir;

  @Test
  void aFirstDraftShowsItsTextPlanAndHashAndIsAllNew() {
    FreezeStore store = new FreezeStore(dir);
    String sha = store.writeDraft(RequirementsParserTest.GOOD, T0);

    ApprovalView v = ApprovalView.read(store, sha);

    assertThat(v.text()).isEqualTo(RequirementsParserTest.GOOD);
    assertThat(v.sha256()).isEqualTo(sha).isEqualTo(Digests.sha256(RequirementsParserTest.GOOD));
    assertThat(v.unchanged()).isTrue();
    assertThat(v.title()).isEqualTo("Demo");
    assertThat(v.previousVersion()).isZero();
    assertThat(v.diff()).allMatch(l -> l.op() == '+');
    assertThat(v.boundary()).containsExactly("src/", "tests/**/*.py");
    assertThat(v.plan()).hasSize(1);
    assertThat(v.plan().get(0).key()).isEqualTo("T-1");
    assertThat(v.plan().get(0).allowedPaths())
        .containsExactly("src/greet.py", "tests/unit/test_greet.py");
    assertThat(v.plan().get(0).acceptance())
        .extracting(Requirements.Criterion::id)
        .containsExactly("AC-1", "AC-2");
    assertThat(v.findings()).isEmpty();
  }

  @Test
  void aRedraftIsDiffedAgainstTheLastFrozenVersion() {
    FreezeStore store = new FreezeStore(dir);
    store.freeze("alice", null, store.writeDraft(RequirementsParserTest.GOOD, T0), T0);
    String second =
        RequirementsParserTest.GOOD.replace(
            "Make the demo greet by name.", "Greet by name, loudly.");
    String sha = store.writeDraft(second, T0);

    ApprovalView v = ApprovalView.read(store, sha);

    assertThat(v.previousVersion()).isEqualTo(1);
    assertThat(v.diff())
        .contains(
            new TextDiff.Line('-', "Make the demo greet by name."),
            new TextDiff.Line('+', "Greet by name, loudly."));
    assertThat(v.diff()).filteredOn(l -> l.op() == '+' || l.op() == '-').hasSize(2);
  }

  @Test
  void aDraftChangedAfterItWasPutUpSaysSoAndAnInvalidOneListsItsFindings() throws Exception {
    FreezeStore store = new FreezeStore(dir);
    String sha = store.writeDraft(RequirementsParserTest.GOOD, T0);
    Files.writeString(store.draftFile(), "# Task brief: <title>\n");

    ApprovalView v = ApprovalView.read(store, sha);

    assertThat(v.unchanged()).isFalse();
    assertThat(v.expectedSha256()).isEqualTo(sha);
    assertThat(v.plan()).isEmpty();
    assertThat(v.findings()).isNotEmpty();
  }

  @Test
  void noDraftIsAFreezeProblemAndALinkedDraftIsRefusedUnread() throws Exception {
    FreezeStore store = new FreezeStore(dir);
    assertThatThrownBy(() -> ApprovalView.read(store, null))
        .isInstanceOf(FreezeException.class)
        .extracting(e -> ((FreezeException) e).code())
        .isEqualTo("DRAFT_MISSING");

    Path secret = Files.writeString(dir.resolve("secret.txt"), "top secret");
    Files.createDirectories(store.inputDir());
    Files.createSymbolicLink(store.draftFile(), secret);
    assertThatThrownBy(() -> ApprovalView.read(store, null))
        .isInstanceOf(PathRefusedException.class)
        .hasMessageNotContaining("top secret");
  }
}
