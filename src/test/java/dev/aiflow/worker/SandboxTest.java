package dev.aiflow.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Real commands in and out of bubblewrap: what they see, and that nothing they start survives. */
class SandboxTest {

  @TempDir Path ws;
  @TempDir Path hidden;

  static Sandbox bwrap() {
    return Sandbox.resolve(Sandbox.Mode.BWRAP, null); // .ci/run installs bubblewrap
  }

  static Sandbox named(String name) {
    return name.equals("bwrap") ? bwrap() : Sandbox.none();
  }

  ProcessReport run(String script, Launch launch, int memoryMb, int silenceSec) {
    return new SupervisedProcess(
            List.of("bash", "-c", script),
            ws,
            Map.of(),
            new ProcessLimits(
                Duration.ofSeconds(60),
                Duration.ofSeconds(silenceSec),
                memoryMb * 1024L * 1024L,
                Duration.ofMillis(500)),
            ws.resolve(".artifacts/out.log"),
            ws.resolve(".artifacts/err.log"),
            1 << 20,
            null,
            new SecretRedactor(Map.of()))
        .launch(launch)
        .run();
  }

  @Test
  void modesAreReadAndBadOnesNamed() {
    assertThat(Sandbox.Mode.parse(null)).isEqualTo(Sandbox.Mode.AUTO);
    assertThat(Sandbox.Mode.parse(" BWrap ")).isEqualTo(Sandbox.Mode.BWRAP);
    assertThatThrownBy(() -> Sandbox.Mode.parse("docker"))
        .hasMessageContaining("'docker'")
        .hasMessageContaining("auto, bwrap or none");
  }

  @Test
  void withoutBubblewrapAutoFallsBackWithAWarningAndBwrapRefuses() {
    Sandbox auto = Sandbox.resolve(Sandbox.Mode.AUTO, ws.resolve("no-bwrap").toString());
    assertThat(auto.isolated()).isFalse();
    assertThat(auto.name()).isEqualTo("none");
    assertThat(auto.warning()).get().asString().contains("NOT sandboxed").contains("not installed");
    assertThatThrownBy(() -> Sandbox.resolve(Sandbox.Mode.BWRAP, ws.resolve("no").toString()))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("mode=bwrap");
    assertThat(Sandbox.none().wrap(List.of("x", "y"), ws, false, List.of()))
        .containsExactly("x", "y");
  }

  @Test
  void theBwrapCommandLineHidesBeforeItBindsTheWorkspace() throws Exception {
    Path program = Files.writeString(hidden.resolve("shim"), "#!/bin/sh\n");
    List<String> argv =
        bwrap().wrap(List.of(program.toString(), "create"), ws, false, List.of(hidden));
    String line = String.join(" ", argv);
    assertThat(argv.get(0)).endsWith("bwrap");
    assertThat(line)
        .contains("--die-with-parent", "--unshare-pid", "--cap-drop ALL", "--unshare-net")
        .contains("--ro-bind / /", "--tmpfs /tmp", "--proc /proc", "--dev /dev");
    String h = hidden.toRealPath().toString();
    String w = ws.toRealPath().toString();
    assertThat(line.indexOf("--tmpfs " + h)).isLessThan(line.indexOf("--bind " + w + " " + w));
    // the program stays reachable, alone: its folder is the hidden one, which stays hidden
    String p = program.toRealPath().toString();
    assertThat(line).contains("--ro-bind " + p + " " + p).doesNotContain("--ro-bind " + h + " ");
    assertThat(argv.subList(argv.size() - 2, argv.size()))
        .containsExactly(program.toString(), "create");
    assertThat(bwrap().wrap(List.of("x"), ws, true, List.of())).doesNotContain("--unshare-net");
  }

  @Test
  void inTheSandboxTheHostIsReadOnlyAndHiddenFoldersAreEmpty() throws Exception {
    Files.writeString(hidden.resolve("chain.jsonl"), "secret chain\n");
    Launch launch = Launch.direct().inSandbox(bwrap(), false, List.of(hidden));
    ProcessReport r =
        run(
            "echo in-ws > mine.txt; ls -A "
                + hidden
                + "; echo x > "
                + hidden
                + "/planted 2>&1;"
                + " touch /usr/aiflow-was-here 2>&1; echo pid=$$",
            launch,
            512,
            20);
    assertThat(r.outcome()).isEqualTo(Outcome.OK);
    assertThat(Files.readString(ws.resolve("mine.txt"))).isEqualTo("in-ws\n");
    String out = Files.readString(ws.resolve(".artifacts/out.log"));
    assertThat(out).doesNotContain("chain.jsonl").contains("pid=2");
    assertThat(hidden.resolve("planted")).doesNotExist();
    assertThat(Path.of("/usr/aiflow-was-here")).doesNotExist();
    assertThat(launch.network()).isFalse();
  }

  /**
   * The built-in shim's code is kept readable, but a jar's folder may be a hidden folder itself (a
   * jar right in /tmp or in the data directory): the jar stays readable, the folder stays hidden.
   */
  @Test
  void aReadableEntryNeverUncoversAHiddenFolder() throws Exception {
    Files.writeString(hidden.resolve("tool.jar"), "jar bytes\n");
    Files.writeString(hidden.resolve("admin-password"), "secret\n");
    Launch launch =
        Launch.direct()
            .inSandbox(bwrap(), false, List.of(hidden))
            .readable(List.of(hidden, hidden.resolve("tool.jar")));
    ProcessReport r =
        run(
            "cat " + hidden + "/tool.jar; cat " + hidden + "/admin-password; echo done",
            launch,
            512,
            20);
    assertThat(r.outcome()).isEqualTo(Outcome.OK);
    String out = Files.readString(ws.resolve(".artifacts/out.log"));
    assertThat(out).contains("jar bytes").contains("done").doesNotContain("secret");
  }

  @Test
  void aReadableFolderInsideAHiddenOneStaysVisibleButReadOnly() throws Exception {
    Path agents = Files.createDirectories(hidden.resolve("agents"));
    Files.writeString(agents.resolve("login.json"), "{}\n");
    Files.writeString(hidden.resolve("chain.jsonl"), "secret chain\n");
    Launch launch =
        Launch.direct().inSandbox(bwrap(), false, List.of(hidden)).readable(List.of(agents));
    ProcessReport r =
        run(
            "cat "
                + agents
                + "/login.json; ls -A "
                + hidden
                + "; echo x > "
                + agents
                + "/planted 2>&1; echo done",
            launch,
            512,
            20);
    assertThat(r.outcome()).isEqualTo(Outcome.OK);
    String out = Files.readString(ws.resolve(".artifacts/out.log"));
    assertThat(out).contains("{}").contains("agents").doesNotContain("chain.jsonl");
    assertThat(Files.readString(ws.resolve(".artifacts/err.log")))
        .containsIgnoringCase("read-only");
    assertThat(agents.resolve("planted")).doesNotExist();
  }

  /** A grandchild that leaves the session, or the group: gone when the run ends. */
  @ParameterizedTest
  @ValueSource(strings = {"none", "bwrap"})
  void setsidAndNewGroupEscapeesDieWithTheRun(String sandbox) throws Exception {
    String name = "sandbox-escapee-" + sandbox + "-" + ProcessHandle.current().pid();
    String script =
        "setsid -f bash -c 'exec -a \"$0\" sleep 300' "
            + name
            + "-s </dev/null >/dev/null 2>&1;"
            + " bash -c 'set -m; (exec -a \"$0\" sleep 300) & exit 0' "
            + name
            + "-g </dev/null >/dev/null 2>&1; sleep 0.5; echo left";
    List<Long> seen = new ArrayList<>();
    Launch launch = Launch.direct().inSandbox(named(sandbox), true, List.of());
    Thread watcher =
        new Thread(
            () -> {
              for (int i = 0; i < 40 && seen.size() < 2; i++) {
                synchronized (seen) {
                  for (String suffix : List.of("-s", "-g")) {
                    for (long pid : processesNamed(name + suffix)) {
                      if (!seen.contains(pid)) {
                        seen.add(pid);
                      }
                    }
                  }
                }
                sleep(25);
              }
            });
    watcher.start();
    ProcessReport r = run(script, launch, 512, 20);
    watcher.join();
    assertThat(r.outcome()).isEqualTo(Outcome.OK);
    assertThat(seen).as("both escapees ran").hasSize(2);
    for (long pid : seen) {
      assertThat(ProcessTree.stat(pid) == null || ProcessTree.isZombie(pid))
          .as("pid %d survived", pid)
          .isTrue();
    }
  }

  /** Memory is summed over every process of the run, also one that moved to a new group. */
  @ParameterizedTest
  @ValueSource(strings = {"none", "bwrap"})
  void memoryOfEscapedProcessesCounts(String sandbox) {
    Launch launch = Launch.direct().inSandbox(named(sandbox), true, List.of());
    ProcessReport r =
        run(
            "bash -c 'set -m; (head -c 2000m /dev/zero | tail > /dev/null) & exit 0'"
                + " </dev/null >/dev/null 2>&1; while :; do echo waiting; sleep 0.2; done",
            launch,
            64,
            20);
    assertThat(r.outcome()).isEqualTo(Outcome.MEMORY);
    assertThat(r.peakMemoryBytes()).isGreaterThan(64L * 1024 * 1024);
  }

  static List<Long> processesNamed(String argv0) {
    List<Long> found = new ArrayList<>();
    for (long pid : ProcessTree.allPids()) {
      try {
        byte[] cmd = Files.readAllBytes(Path.of("/proc/" + pid + "/cmdline"));
        int end = 0;
        while (end < cmd.length && cmd[end] != 0) {
          end++;
        }
        if (new String(cmd, 0, end).equals(argv0)) {
          found.add(pid);
        }
      } catch (java.io.IOException e) {
        // gone
      }
    }
    return found;
  }

  static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
