package dev.aiflow.contract;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.aiflow.intake.IntakeTask;
import dev.aiflow.protocol.AcceptanceCriterion;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ContractCompilerTest {

  static final IntakeTask TASK =
      new IntakeTask(
          "Move sessions to the new store",
          "auth/session.py",
          "migration",
          List.of(
              new AcceptanceCriterion("AC-1", "Session tests pass", "pytest tests/test_session.py"),
              new AcceptanceCriterion("AC-2", "Old sessions still load", null)),
          "Sessions survive the migration.",
          "high",
          List.of("Write the migration", "Backfill", "Switch reads"),
          List.of("auth/**", "migrations/**"),
          List.of("pytest -q"),
          List.of("The login page"),
          List.of("Backfill may be slow on large tables"),
          "Revert the read switch; the old table stays until the next release.");

  @Test
  void sameInputSameBytes() throws Exception {
    ContractCompiler compiler = ContractCompiler.withBundledTemplate();
    CompiledContract a = compiler.compile(TASK, "R-1", "T-42");
    CompiledContract b = ContractCompiler.withBundledTemplate().compile(TASK, "R-1", "T-42");
    assertThat(a).isEqualTo(b);
    assertThat(compiler.compile(TASK, "R-2", "T-42").masterContract())
        .isNotEqualTo(a.masterContract());
  }

  @Test
  void aCompleteTaskCompilesToAConformantContract(@TempDir Path dir) throws Exception {
    String template = Files.readString(Path.of("docs/templates/master_contract.template.md"));
    CompiledContract c = new ContractCompiler(template).compile(TASK, "R-1", "T-42");
    assertThat(c.conformant()).isTrue();
    assertThat(c.masterContract())
        .startsWith("# Master contract: Move sessions to the new store")
        .contains("- `auth/**`")
        .contains("- **AC-1**: Session tests pass (verify: `pytest tests/test_session.py`)")
        .contains("1. Write the migration")
        .contains("- `pytest -q`\n- `pytest tests/test_session.py`")
        .doesNotContain("{{");
    assertThat(c.templateSnapshot()).isEqualTo(template);

    c.writeTo(dir);
    JsonNode report = new ObjectMapper().readTree(dir.resolve("conformance_report.json").toFile());
    assertThat(report.path("conformant").asBoolean()).isTrue();
    assertThat(report.path("required_headings")).hasSize(10);
    assertThat(report.path("template_sha256").asText())
        .isEqualTo(dev.aiflow.files.Digests.sha256(template));
    assertThat(Files.readString(dir.resolve("template_snapshot.md"))).isEqualTo(template);
  }

  @Test
  void missingInformationShowsAsEmptyHeadings() throws Exception {
    IntakeTask sparse =
        new IntakeTask(
            "Sparse",
            "x",
            "refactor",
            TASK.acceptanceCriteria(),
            null,
            null,
            List.of(),
            List.of(),
            List.of(),
            List.of(),
            List.of(),
            null);
    CompiledContract c = ContractCompiler.withBundledTemplate().compile(sparse, "R", "T");
    assertThat(c.conformant()).isFalse();
    JsonNode report = new ObjectMapper().readTree(c.conformanceReport());
    assertThat(report.findValues("heading").stream().map(JsonNode::asText).toList())
        .contains("Out of scope", "Planned steps");
    assertThat(report.path("required_headings"))
        .filteredOn(h -> h.path("status").asText().equals("empty"))
        .extracting(h -> h.path("heading").asText())
        .containsExactlyInAnyOrder(
            "Scope: allowed paths", "Out of scope", "Planned steps", "Risks and rollback");
  }

  @Test
  void aTemplateThatLostAHeadingOrHasAnUnknownPlaceholderIsNotConformant() {
    String template = "# C\n\n## Objective\n\n{{objective}}\n\n## Owner\n\n{{owner}}\n";
    CompiledContract c = new ContractCompiler(template).compile(TASK, "R", "T");
    assertThat(c.conformant()).isFalse();
    assertThat(c.conformanceReport()).contains("\"owner\"");
    assertThat(ContractCompiler.status("# C\n\n## Objective\n\nx\n", "Owner")).isEqualTo("missing");
  }
}
