package dev.aiflow.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The operator's view in a real browser (issue 13): the packaged server on a free port with a fresh
 * data directory (the demo campaign runs on first start), and the Playwright suite {@code
 * src/test/e2e/operator-view.mjs} driving Debian's Chromium against it. Screenshots land in {@code
 * target/e2e/}. Node, Chromium and {@code npm ci} are required: when one is missing this test fails
 * and says how to install it (.ci/run does), it never skips.
 */
class OperatorViewE2EIT {

  static final Path SUITE = Path.of("src/test/e2e/operator-view.mjs");
  static final Path OUT = Path.of("target/e2e");
  static final String CHROMIUM =
      System.getenv().getOrDefault("AIFLOW_E2E_CHROMIUM", "/usr/bin/chromium");
  static final long SUITE_TIMEOUT_MINUTES = 10;

  @TempDir Path tmp;

  @Test
  void anOperatorSignsInFindsTheDemoCampaignAndItsGreenAudit() throws Exception {
    String node = requirements();
    Path data = tmp.resolve("data");
    String password = "e2e-" + System.nanoTime();
    Files.createDirectories(OUT);
    try (Stream<Path> old = Files.list(OUT)) {
      for (Path p : old.toList()) {
        if (p.toString().endsWith(".png")) {
          Files.delete(p); // only this run's screenshots are kept
        }
      }
    }
    // the scripted mock shim, for the suite's own campaigns (the demo runs the built-in shim)
    String mock =
        "--aiflow.worker.shims.mock=" + Path.of("examples/orchestrator/mock-shim").toAbsolutePath();
    try (AppProcess server = new AppProcess(data, password, List.of(mock)).start()) {
      Path log = OUT.resolve("suite.log");
      Process suite =
          new ProcessBuilder(
                  node,
                  SUITE.toString(),
                  "http://127.0.0.1:" + server.port,
                  password,
                  OUT.toAbsolutePath().toString())
              .redirectErrorStream(true)
              .redirectOutput(log.toFile())
              .start();
      boolean finished = suite.waitFor(SUITE_TIMEOUT_MINUTES, TimeUnit.MINUTES);
      if (!finished) {
        suite.destroyForcibly().waitFor();
      }
      String output = Files.readString(log, StandardCharsets.UTF_8);
      System.out.println(output); // kept in the failsafe report
      assertThat(finished)
          .as("the suite finished within %d minutes", SUITE_TIMEOUT_MINUTES)
          .isTrue();
      assertThat(suite.exitValue()).as(output).isZero();
      assertThat(output).containsPattern("(?m)^[1-9][0-9]* passed, 0 failed$");
    }
    for (String shot :
        List.of(
            "01-cockpit-login",
            "02-cockpit-dashboard",
            "04-tasklist",
            "05-admin-users",
            "06-campaigns",
            "07-campaign-detail",
            "08-cycle-audit",
            "09-running-cycle-audit-tab",
            "10-tasklist-escalation",
            "11-tasklist-approval")) {
      Path png = OUT.resolve(shot + ".png");
      assertThat(png).as(shot).isRegularFile();
      byte[] head = new byte[8];
      try (var in = Files.newInputStream(png)) {
        assertThat(in.read(head)).isEqualTo(8);
      }
      assertThat(head).as("%s is a PNG", shot).startsWith(0x89, 'P', 'N', 'G');
    }
  }

  /** Node, its playwright-core and Chromium, or a failure that says how to get them. */
  private static String requirements() throws InterruptedException {
    List<String> missing = new ArrayList<>();
    String node = "node";
    try {
      Process p = new ProcessBuilder(node, "--version").redirectErrorStream(true).start();
      String version = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
      if (p.waitFor() != 0 || !version.matches("v([2-9][0-9]|[1-9][0-9]{2,})\\..*")) {
        missing.add("Node 20 or newer (found " + version + ")");
      }
    } catch (IOException e) {
      missing.add("Node 20 (no `node` on the PATH)");
    }
    if (!Files.isExecutable(Path.of(CHROMIUM))) {
      missing.add("Chromium at " + CHROMIUM + " (Debian: apt-get install chromium)");
    }
    if (!Files.isDirectory(Path.of("node_modules/playwright-core"))) {
      missing.add("playwright-core (run `npm ci` in the checkout)");
    }
    assertThat(missing)
        .as(
            "the browser suite needs %s; .ci/run installs them (README.md, \"Two commands\")",
            String.join(", ", missing))
        .isEmpty();
    return node;
  }
}
