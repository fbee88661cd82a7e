package dev.aiflow.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.aiflow.worker.AgentUsage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The built-in shim's settings: defaults in the jar, a file over them, clear errors. */
class AgentSettingsTest {

  @TempDir Path dir;

  @Test
  void theDefaultsHoldAPolicyPerTierAndAPriceTable() {
    AgentSettings d = AgentSettings.defaults();
    assertThat(d.policy("tier2").claudeAllowedTools()).contains("Bash");
    assertThat(d.policy("tier3").bashRequiredCommandsOnly()).isTrue();
    assertThat(d.policy("tier3").network()).isFalse();
    assertThat(d.policy(null)).isEqualTo(d.policy("default"));
    assertThat(d.policy("tier7")).isEqualTo(d.policy("default"));
    assertThat(d.backend("codex").extraArgs()).contains("--skip-git-repo-check");
    assertThat(d.backend("martian").executable()).isEqualTo("martian");
  }

  @Test
  void priceLookupTakesTheLongestPrefixAndEstimatesEveryKindOfToken() {
    AgentSettings d = AgentSettings.defaults();
    assertThat(d.price("claude-sonnet-4-5-20250929")).isEqualTo(d.price("claude-sonnet-4-5"));
    assertThat(d.price("gpt-5-codex-mini")).isEqualTo(d.price("gpt-5-codex"));
    assertThat(d.price("llama-3")).isEmpty();
    AgentUsage u =
        new AgentUsage("codex", "gpt-5-codex", null, 1000L, 400L, 2000L, null, null, null, null, 1);
    assertThat(d.estimate(u))
        .hasValueSatisfying(c -> assertThat(c).isCloseTo(0.0055, Offset.offset(1e-12)));
    assertThat(d.estimate(u.withBackend("x").withThreadId(null))).isPresent();
    assertThat(d.estimate(AgentUsage.UNKNOWN)).isEmpty();
  }

  @Test
  void aFileIsLaidOverTheDefaultsMemberByMember() throws Exception {
    Path file = dir.resolve("agents.json");
    Files.writeString(
        file,
        """
        {
          "policies": {"tier2": {"claude_permission_mode": "plan", "codex_sandbox": "read-only"}},
          "prices": {"my-model": {"input": 1, "output": 2}},
          "backends": {"claude": {"executable": "/opt/claude/bin/claude", "model": "claude-opus-4-5"}},
          "commands": {"local": {"create": ["my-agent", "{prompt}"]}}
        }
        """);
    AgentSettings s = AgentSettings.load(Map.of(AgentSettings.ENV, file.toString()));
    assertThat(s.policy("tier2").claudePermissionMode()).isEqualTo("plan");
    assertThat(s.policy("tier3").claudePermissionMode()).isEqualTo("acceptEdits");
    assertThat(s.price("my-model").orElseThrow().cacheRead()).isEqualTo(1.0);
    assertThat(s.price("gpt-5-codex")).isPresent();
    assertThat(s.backend("claude").executable()).isEqualTo("/opt/claude/bin/claude");
    assertThat(s.commands().get("local").prompt()).isEqualTo("argument");
    assertThat(BuiltinShim.backends(s)).containsExactly("claude", "codex", "gemini", "local");

    Path written = dir.resolve("out/settings.json");
    s.write(written);
    assertThat(AgentSettings.read(written)).isEqualTo(s);
  }

  @Test
  void aBadFileIsNamedWithTheMemberThatIsWrongNeverItsContent() throws Exception {
    Path file = dir.resolve("agents.json");
    Files.writeString(
        file, "{\"policies\": {\"tier2\": {\"claude_permision_mode\": \"sk-secret\"}}}");
    assertThatThrownBy(() -> AgentSettings.read(file))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(file.toString())
        .hasMessageContaining("policies.tier2.claude_permision_mode")
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain("sk-secret"));
    Files.writeString(file, "{\"commands\": {\"x\": {\"create\": []}}}");
    assertThatThrownBy(() -> AgentSettings.read(file)).hasMessageContaining("commands.x");
    assertThatThrownBy(() -> AgentSettings.read(dir.resolve("missing.json")))
        .hasMessageContaining("no agents settings file at");
  }
}
