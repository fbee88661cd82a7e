package dev.aiflow.config;

import static org.assertj.core.api.Assertions.assertThat;

import dev.aiflow.agent.AgentSettings;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;

/** {@code aiflow.agents.*} as Spring binds it, and the file the shim is given. */
class AgentsPropertiesTest {

  @TempDir Path dataDir;

  @Test
  void propertiesAreLaidOverTheDefaultsAndHandedToTheShimAsAFile() {
    Map<String, String> props =
        Map.of(
            "aiflow.agents.policies.tier2.claude-permission-mode", "plan",
            "aiflow.agents.policies.tier2.codex-sandbox", "read-only",
            "aiflow.agents.prices.my-model.input", "2.5",
            "aiflow.agents.prices.my-model.output", "10",
            "aiflow.agents.backends.codex.executable", "/opt/codex/bin/codex",
            "aiflow.agents.backends.codex.model", "gpt-5-codex",
            "aiflow.agents.commands.local.create[0]", "my-agent",
            "aiflow.agents.commands.local.create[1]", "{prompt}");
    AiflowProperties p =
        new Binder(new MapConfigurationPropertySource(props))
            .bind("aiflow", AiflowProperties.class)
            .get();
    AgentSettings s = p.agents().settings();
    assertThat(s.policy("tier2").claudePermissionMode()).isEqualTo("plan");
    assertThat(s.policy("tier2").codexSandbox()).isEqualTo("read-only");
    assertThat(s.policy("tier3").claudePermissionMode()).isEqualTo("acceptEdits");
    assertThat(s.price("my-model").orElseThrow().cacheRead()).isEqualTo(2.5);
    assertThat(s.price("gpt-5-codex")).isPresent();
    assertThat(s.backend("codex").model()).isEqualTo("gpt-5-codex");
    assertThat(s.commands().get("local").prompt()).isEqualTo("argument");
    assertThat(p.worker().shim()).isEqualTo("builtin");

    Map<String, String> env = p.agents().shimEnvironment(dataDir);
    Path file = Path.of(env.get(AgentSettings.ENV));
    assertThat(file).startsWith(dataDir.toAbsolutePath()).exists();
    assertThat(AgentSettings.load(env)).isEqualTo(s);
  }
}
