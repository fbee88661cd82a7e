package dev.aiflow.agent;

import dev.aiflow.protocol.AcceptanceCriterion;
import dev.aiflow.protocol.Limits;
import dev.aiflow.protocol.StepPack;
import dev.aiflow.protocol.Worker;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/** The fake agent CLIs of examples/agents and the packs and environments that drive them. */
public final class FakeAgents {

  /** The folder with the fake {@code claude}, {@code codex} and {@code gemini}. */
  public static final Path DIR = Path.of("examples/agents").toAbsolutePath();

  private FakeAgents() {}

  /** PATH with the fakes first, and credentials for each of them (fake values). */
  public static Map<String, String> environment() {
    Map<String, String> env = new HashMap<>();
    env.put("PATH", DIR + ":" + System.getenv().getOrDefault("PATH", "/usr/bin:/bin"));
    // a home without logins: credentials come from the variables below only
    env.put(
        "HOME", Path.of(System.getProperty("java.io.tmpdir"), "aiflow-fake-home-none").toString());
    env.put("ANTHROPIC_API_KEY", "fake-anthropic-key-for-tests");
    env.put("OPENAI_API_KEY", "fake-openai-key-for-tests");
    env.put("GEMINI_API_KEY", "fake-gemini-key-for-tests");
    return env;
  }

  public static StepPack pack(
      String backend, String model, String scenario, String taskId, String tier, Limits limits) {
    return new StepPack(
        StepPack.SCHEMA,
        "R-1",
        taskId,
        "S1",
        "Finish the feature",
        "src/app.txt says the work is done",
        List.of("fake-scenario: " + scenario, "Change only src/app.txt."),
        tier,
        tier.equals("tier3") ? "contracts/master.md" : null,
        List.of("src/app.txt"),
        List.of(
            new AcceptanceCriterion(
                "AC-1", "the status line says done", "grep -q 'status: done' src/app.txt")),
        List.of("grep -q 'status: done' src/app.txt"),
        ".artifacts/R-1/" + taskId + "/S1",
        limits,
        new Worker(backend, model));
  }

  public static StepPack pack(String backend, String model, String scenario) {
    return pack(backend, model, scenario, "T-1", "tier2", new Limits(60, 30, 1024));
  }

  /** The sessions the fake {@code cli} keeps in {@code workspace}. */
  public static List<String> sessions(Path workspace, String cli) throws IOException {
    Path dir = workspace.resolve(".artifacts/.fake-agents").resolve(cli).resolve("sessions");
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (Stream<Path> s = Files.list(dir)) {
      return s.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  /** The command line the fake {@code cli} last received, one argument per element. */
  public static List<String> lastArgv(Path workspace, String cli) throws IOException {
    return Files.readAllLines(
        workspace.resolve(".artifacts/.fake-agents").resolve(cli).resolve("last-argv"));
  }

  public static boolean alive(long pid) {
    return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false) && !zombie(pid);
  }

  private static boolean zombie(long pid) {
    try {
      String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
      return stat.substring(stat.lastIndexOf(')') + 2).startsWith("Z");
    } catch (IOException | RuntimeException e) {
      return false;
    }
  }
}
