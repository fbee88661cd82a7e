package dev.aiflow.guard;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/**
 * The GitHub workflows run what the README tells people to run: the guard workflow the guard
 * command, the pipeline the test command and the demo; .ci/run the test command.
 */
class WorkflowGuardTest {

  static final Path ROOT = Path.of("").toAbsolutePath();

  record ReadmeCommands(String main, String test, String guard, String demo) {}

  static ReadmeCommands readme() throws Exception {
    String readme = Files.readString(ROOT.resolve("README.md"));
    String two = GovernanceGuardTest.section(readme, "## Two commands");
    Matcher block = Pattern.compile("```bash\\n(.*?)```", Pattern.DOTALL).matcher(two);
    assertThat(block.find()).as("a bash block in 'Two commands'").isTrue();
    List<String> commands =
        block
            .group(1)
            .lines()
            .map(l -> l.replaceAll("\\s+#.*$", "").strip())
            .filter(l -> !l.isEmpty())
            .toList();
    assertThat(commands).as("exactly two set-up commands").hasSize(2);
    Matcher guard = Pattern.compile("`(\\./mvnw -B test -Dtest='[^`]+')`").matcher(two);
    assertThat(guard.find()).as("the guard command in 'Two commands'").isTrue();
    assertThat(readme).contains("`bin/aiflow demo`");
    return new ReadmeCommands(commands.get(0), commands.get(1), guard.group(1), "bin/aiflow demo");
  }

  @SuppressWarnings("unchecked")
  static List<String> runSteps(String workflow) throws Exception {
    Map<String, Object> y =
        new Yaml().load(Files.readString(ROOT.resolve(".github/workflows").resolve(workflow)));
    List<String> runs = new ArrayList<>();
    Map<String, Object> jobs = (Map<String, Object>) y.get("jobs");
    assertThat(jobs).as(workflow + " jobs").isNotEmpty();
    for (Object job : jobs.values()) {
      for (Object step : (List<Object>) ((Map<String, Object>) job).get("steps")) {
        Object run = ((Map<String, Object>) step).get("run");
        if (run != null) {
          runs.add(run.toString().strip());
        }
      }
    }
    return runs;
  }

  @Test
  void theReadmeGivesTheMainJobAndTheTests() throws Exception {
    ReadmeCommands c = readme();
    assertThat(c.main()).isEqualTo("./mvnw spring-boot:run");
    assertThat(c.test()).isEqualTo("./mvnw -B verify");
  }

  @Test
  void theGuardWorkflowRunsTheGuardTestsOnly() throws Exception {
    ReadmeCommands c = readme();
    assertThat(runSteps("guard.yml")).containsExactly(c.guard());
    assertThat(c.guard()).contains("dev.aiflow.guard.");
  }

  @Test
  void thePipelineRunsTheTestsAndTheDemo() throws Exception {
    ReadmeCommands c = readme();
    List<String> runs = runSteps("ci.yml");
    assertThat(runs).contains(c.test());
    assertThat(runs).anyMatch(r -> r.endsWith(c.demo()));
    assertThat(runs.indexOf(c.test()))
        .as("the demo runs after the tests")
        .isLessThan(runs.size() - 1);
  }

  @Test
  void ciRunCallsTheReadmesTestCommand() throws Exception {
    String ci = Files.readString(ROOT.resolve(".ci/run"));
    assertThat(ci.lines().map(String::strip)).contains(readme().test());
  }
}
