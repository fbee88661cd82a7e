package dev.aiflow.worker;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The contract's command line, for an external shim and for aiflow's own. */
class ShimInvocationTest {

  @Test
  void anExternalShimGetsTheContractsArguments() {
    ShimInvocation i =
        ShimInvocation.resume("gxd-subagent-shim", "do it", "th-1", "codex", "R", "T", "S");
    assertThat(i.command())
        .containsExactly(
            "gxd-subagent-shim",
            "resume",
            "do it",
            "th-1",
            "--backend=codex",
            "--run-id=R",
            "--task-id=T",
            "--step-id=S");
    assertThat(i.prompt()).isEqualTo("do it");
    assertThat(i.summary()).contains("<prompt: 5 bytes>").doesNotContain("do it");
  }

  @Test
  void theBuiltinShimIsThisAiflowRunningItsShimCommand() {
    ShimInvocation i =
        ShimInvocation.create(SelfLauncher.BUILTIN, "do it", "claude", "R", "T", "S");
    List<String> c = i.command();
    int shim = c.indexOf("shim");
    assertThat(shim).isPositive();
    assertThat(c.subList(shim, c.size()))
        .containsExactly(
            "shim",
            "create",
            "do it",
            "--backend=claude",
            "--run-id=R",
            "--task-id=T",
            "--step-id=S");
    assertThat(c.get(0)).endsWith("java");
    assertThat(c).contains(SelfLauncher.MAIN_CLASS);
    assertThat(i.prompt()).isEqualTo("do it");
    assertThat(i.summary()).contains("shim create <prompt: 5 bytes>");
    assertThat(SelfLauncher.problem()).isEmpty();
  }
}
