package dev.aiflow.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BackendTest {

  @TempDir Path dir;

  @Test
  void healthCheckReportsEveryProblem() throws Exception {
    BackendHealth health =
        new BackendHealth(
            Map.of("mock", List.of("bash"), "codex", List.of("no-such-codex-binary")));
    assertThat(health.check(MockShim.PATH, List.of("mock"))).isEmpty();

    List<BackendHealth.Problem> problems =
        health.check("no-such-gxd-subagent-shim", List.of("codex", "mock", "martian"));
    assertThat(problems)
        .extracting(BackendHealth.Problem::code)
        .containsExactly("SHIM_MISSING", "RUNTIME_MISSING", "UNKNOWN_BACKEND");
    assertThat(problems.get(1).toString()).contains("[codex]").contains("no-such-codex-binary");

    Path notExecutable = dir.resolve("shim");
    Files.writeString(notExecutable, "#!/bin/sh\n");
    assertThat(health.check(notExecutable.toString(), List.of()))
        .singleElement()
        .extracting(BackendHealth.Problem::code)
        .isEqualTo("SHIM_NOT_EXECUTABLE");
  }

  @Test
  void routingPrefersTheOverrideThenTheMapThenTheCampaignThenThePack() {
    BackendMap map = BackendMap.parse("{\"T-1\": \"claude\", \"T-2\": \"codex\"}");
    // 1. an override for the dispatch wins over everything
    assertThat(map.route("gemini", "T-1", "codex", "mock")).isEqualTo("gemini");
    // 2. the map's entry for the task wins over the campaign's backend and the pack's
    assertThat(map.route(null, "T-1", "codex", "mock")).isEqualTo("claude");
    assertThat(map.route("  ", "T-1", null, "mock"))
        .as("a blank override is none")
        .isEqualTo("claude");
    // 3. the campaign's backend, for a task the map does not name, wins over the pack's
    assertThat(map.route(null, "T-9", "codex", "mock")).isEqualTo("codex");
    // 4. the pack's own
    assertThat(map.route(null, "T-9", null, "mock")).isEqualTo("mock");
    assertThat(map.route(null, null, "", "mock")).isEqualTo("mock");
    assertThat(map.route(null, "T-9", null, null)).isNull();
    // without a map or a campaign: the override, else the pack's
    assertThat(BackendMap.route("gemini", "mock")).isEqualTo("gemini");
    assertThat(BackendMap.route(null, "mock")).isEqualTo("mock");
    assertThat(map.backends()).containsExactly("claude", "codex");
    assertThatThrownBy(() -> BackendMap.parse("{\"T-1\": \"Bad Name\"}"))
        .hasMessageContaining("not a backend name");
    assertThatThrownBy(() -> BackendMap.parse("[]")).hasMessageContaining("must be an object");
  }

  @Test
  void theBuiltinShimNeedsABackendItDrivesAndItsCredentials() throws Exception {
    Path home = dir.resolve("home");
    Files.createDirectories(home.resolve(".codex"));
    Files.writeString(home.resolve(".codex/auth.json"), "{\"token\":\"do-not-print-me\"}");
    BackendHealth health =
        new BackendHealth(
            Map.of("claude", List.of("bash"), "codex", List.of("bash"), "gemini", List.of("bash")),
            BackendHealth.DEFAULT_CREDENTIALS,
            BackendHealth.BUILTIN_BACKENDS,
            Map.of("GEMINI_API_KEY", "secret-gemini-value"),
            home);
    List<BackendHealth.Problem> problems =
        health.check(SelfLauncher.BUILTIN, List.of("claude", "codex", "gemini", "mock"));
    assertThat(problems)
        .extracting(BackendHealth.Problem::code, BackendHealth.Problem::backend)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("CREDENTIALS_MISSING", "claude"),
            org.assertj.core.groups.Tuple.tuple("UNKNOWN_BACKEND", "mock"));
    assertThat(problems.get(0).message())
        .contains("$ANTHROPIC_API_KEY")
        .contains("~/.claude/.credentials.json");
    assertThat(health.credentialSource("codex")).hasValue("~/.codex/auth.json");
    assertThat(health.credentialSource("gemini")).hasValue("$GEMINI_API_KEY");

    // doctor's view: binary, version, where the credentials are; never their values
    List<BackendHealth.Status> statuses = health.diagnose(List.of("gemini", "claude"));
    assertThat(statuses)
        .extracting(BackendHealth.Status::backend)
        .containsExactly("gemini", "claude");
    assertThat(statuses.get(0).usable()).isTrue();
    assertThat(statuses.get(0).binary()).endsWith("/bash");
    assertThat(statuses.get(0).version()).containsIgnoringCase("bash");
    assertThat(statuses.get(1).usable()).isFalse();
    assertThat(statuses.get(1).credentials()).isNull();
    assertThat(statuses.toString()).doesNotContain("secret-gemini-value", "do-not-print-me");
  }

  @Test
  void aNamedBuiltinShimIsCheckedWithTheClisAndLoginsOfItsOwnSettings() throws Exception {
    Path agents = Files.createDirectories(dir.resolve("agents"));
    Path claude = agents.resolve("claude");
    Files.writeString(claude, "#!/bin/sh\n");
    claude.toFile().setExecutable(true);
    Files.createDirectories(agents.resolve("logins/claude"));
    Files.writeString(agents.resolve("logins/claude/.credentials.json"), "{}");
    Files.createDirectories(agents.resolve("logins/gemini/.gemini"));
    Files.writeString(agents.resolve("logins/gemini/.gemini/oauth_creds.json"), "{}");
    Path settings = agents.resolve("settings.json");
    Files.writeString(
        settings,
        "{\"backends\": {"
            + "\"claude\": {\"executable\": \""
            + claude
            + "\", \"environment\": {\"CLAUDE_CONFIG_DIR\": \""
            + agents.resolve("logins/claude")
            + "\"}},"
            + "\"gemini\": {\"executable\": \"bash\", \"environment\": {\"HOME\": \""
            + agents.resolve("logins/gemini")
            + "\"}},"
            + "\"codex\": {\"executable\": \""
            + agents.resolve("no-such-codex")
            + "\"}}}");
    BackendHealth health =
        new BackendHealth(
            Map.of("claude", List.of("claude"), "codex", List.of("bash"), "gemini", List.of("x")),
            BackendHealth.DEFAULT_CREDENTIALS,
            BackendHealth.BUILTIN_BACKENDS,
            Map.of(),
            dir.resolve("empty-home"));
    String shim = "builtin:" + settings;

    // the worker's own view: no claude on PATH, no logins anywhere
    assertThat(health.check(SelfLauncher.BUILTIN, List.of("claude")))
        .extracting(BackendHealth.Problem::code)
        .containsExactly("RUNTIME_MISSING", "CREDENTIALS_MISSING");
    // the named shim's view: its CLIs, their logins; a CLI it names that is missing is named
    assertThat(health.check(shim, List.of("claude", "gemini", "codex")))
        .extracting(BackendHealth.Problem::code, BackendHealth.Problem::backend)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("RUNTIME_MISSING", "codex"),
            org.assertj.core.groups.Tuple.tuple("CREDENTIALS_MISSING", "codex"));
    assertThat(health.check("builtin:" + dir.resolve("missing.json"), List.of("claude")))
        .extracting(BackendHealth.Problem::code)
        .containsExactly("SHIM_MISSING");
    // how the worker starts it, and what the sandbox keeps readable
    assertThat(SelfLauncher.isBuiltin(shim)).isTrue();
    assertThat(SelfLauncher.command(shim)).endsWith("shim", "--settings-file=" + settings);
    // the shim's own code stays readable too (a checkout or a jar under /tmp, which the sandbox
    // hides: seen in CI, where every agent of the demo exited at once)
    Path ownClasses =
        Path.of(SelfLauncher.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    assertThat(SelfLauncher.readable(shim)).contains(agents, ownClasses);
    assertThat(SelfLauncher.readable(SelfLauncher.BUILTIN))
        .contains(ownClasses)
        .doesNotContain(agents);
    assertThat(SelfLauncher.readable("/usr/local/bin/gxd-subagent-shim")).isEmpty();
  }
}
