package dev.aiflow.qa;

import static org.assertj.core.api.Assertions.assertThat;

import dev.aiflow.files.Digests;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EvidenceCheckTest {

  @TempDir Path ws;

  @Test
  void everyEditedMissingOrSwappedFileIsNamed() throws Exception {
    Path dir = Files.createDirectories(ws.resolve(".artifacts/R/T/S"));
    Files.writeString(dir.resolve("ok.log"), "ok\n");
    Files.writeString(dir.resolve("edited.log"), "8 passed\n");
    Files.writeString(dir.resolve("target.log"), "x\n");
    Map<String, String> recorded = new LinkedHashMap<>();
    recorded.put(".artifacts/R/T/S/ok.log", Digests.sha256("ok\n"));
    recorded.put(".artifacts/R/T/S/edited.log", Digests.sha256("8 passed\n"));
    recorded.put(".artifacts/R/T/S/gone.log", Digests.sha256("gone\n"));
    recorded.put(".artifacts/R/T/S/link.log", Digests.sha256("x\n"));
    recorded.put("../outside.log", Digests.sha256("x\n"));
    assertThat(EvidenceCheck.check(ws, recorded))
        .extracting(EvidenceCheck.Mismatch::problem)
        .containsExactly(
            EvidenceCheck.Problem.MISSING,
            EvidenceCheck.Problem.MISSING,
            EvidenceCheck.Problem.UNSAFE_PATH);

    Files.writeString(dir.resolve("edited.log"), "0 passed\n");
    Files.createSymbolicLink(dir.resolve("link.log"), dir.resolve("target.log"));
    List<EvidenceCheck.Mismatch> m = EvidenceCheck.check(ws, recorded);
    assertThat(m)
        .extracting(EvidenceCheck.Mismatch::path, EvidenceCheck.Mismatch::problem)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(
                ".artifacts/R/T/S/edited.log", EvidenceCheck.Problem.EDITED),
            org.assertj.core.groups.Tuple.tuple(
                ".artifacts/R/T/S/gone.log", EvidenceCheck.Problem.MISSING),
            org.assertj.core.groups.Tuple.tuple(
                ".artifacts/R/T/S/link.log", EvidenceCheck.Problem.NOT_A_FILE),
            org.assertj.core.groups.Tuple.tuple(
                "../outside.log", EvidenceCheck.Problem.UNSAFE_PATH));
    assertThat(m.get(0).describe())
        .contains("was edited after the review")
        .doesNotContain("0 passed");
    assertThat(m.get(0).actual()).isEqualTo(Digests.sha256("0 passed\n"));
  }

  @Test
  void recordsFromAReviewAreCheckedAsPairs() throws Exception {
    Path dir = Files.createDirectories(ws.resolve(".artifacts/R/T/S"));
    Files.writeString(dir.resolve("a.log"), "a\n");
    List<EvidenceRecord> rec =
        List.of(new EvidenceRecord(".artifacts/R/T/S/a.log", Digests.sha256("a\n"), 2, "kernel"));
    assertThat(EvidenceCheck.check(ws, rec)).isEmpty();
    Files.writeString(dir.resolve("a.log"), "b\n");
    assertThat(EvidenceCheck.check(ws, rec)).hasSize(1);
  }
}
