package dev.aiflow.guard;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The governance files (the "system prompt in the repository") exist, and every rule that says it
 * is enforced names a class, a model or a model element that exists.
 */
class GovernanceGuardTest {

  static final Path ROOT = Path.of("").toAbsolutePath();
  static final Pattern ENFORCED = Pattern.compile("Enforced by:\\s*(.+)");
  static final Pattern CODE = Pattern.compile("`([^`]+)`");
  static final Pattern RULE = Pattern.compile("^(\\d+)\\. \\*\\*");

  @ParameterizedTest
  @ValueSource(
      strings = {
        "AGENTS.md",
        "docs/philosophy.md",
        "docs/triage.md",
        "instructions/controller.md",
        "instructions/worker.md",
        "instructions/qa.md",
        "docs/templates/task_brief.template.md",
        "docs/templates/task_brief.example.md"
      })
  void governanceFileExistsAndSaysSomething(String file) throws IOException {
    Path p = ROOT.resolve(file);
    assertThat(p).as(file).isRegularFile();
    assertThat(Files.readString(p).strip().lines().count()).as(file + " lines").isGreaterThan(10);
  }

  @Test
  void theReadmeStartsPeopleHere() throws IOException {
    String readme = Files.readString(ROOT.resolve("README.md"));
    String start = section(readme, "## Start here");
    assertThat(start)
        .contains("**Tier2**", "**Tier3**")
        .contains("Confirm scope and acceptance", "Dispatch a bounded StepPack")
        .contains("Require an evidence-backed StepResult")
        .contains("- [ ]");
  }

  /** Every numbered rule of AGENTS.md and the controller's role names its enforcer. */
  @ParameterizedTest
  @ValueSource(strings = {"AGENTS.md", "instructions/controller.md"})
  void everyRuleNamesItsEnforcer(String file) throws IOException {
    List<String> rules = new ArrayList<>();
    List<String> lines = Files.readAllLines(ROOT.resolve(file));
    for (int i = 0; i < lines.size(); i++) {
      Matcher m = RULE.matcher(lines.get(i).strip());
      if (m.find()) {
        StringBuilder body = new StringBuilder();
        for (int j = i; j < lines.size() && !lines.get(j).isBlank(); j++) {
          if (j > i && RULE.matcher(lines.get(j).strip()).find()) {
            break;
          }
          body.append(lines.get(j)).append('\n');
        }
        if (!body.toString().contains("Enforced by:")) {
          rules.add(m.group(1));
        }
      }
    }
    assertThat(rules).as(file + ": rules without 'Enforced by:'").isEmpty();
  }

  /** Each reference after "Enforced by:" in the governance files points at something real. */
  @Test
  void everyEnforcementReferenceResolves() throws IOException {
    List<String> broken = new ArrayList<>();
    int checked = 0;
    List<Path> files = new ArrayList<>(List.of(ROOT.resolve("AGENTS.md")));
    try (Stream<Path> s = Files.list(ROOT.resolve("instructions"))) {
      s.filter(p -> p.toString().endsWith(".md")).sorted().forEach(files::add);
    }
    String models = allModels();
    for (Path f : files) {
      List<String> lines = Files.readAllLines(f);
      for (int i = 0; i < lines.size(); i++) {
        Matcher m = ENFORCED.matcher(lines.get(i));
        if (!m.find()) {
          continue;
        }
        StringBuilder clause = new StringBuilder(m.group(1));
        // a clause may wrap onto indented lines that continue it
        for (int j = i + 1;
            j < lines.size() && lines.get(j).startsWith("   ") && !lines.get(j).isBlank();
            j++) {
          clause.append(' ').append(lines.get(j).strip());
        }
        Matcher c = CODE.matcher(clause);
        int refs = 0;
        while (c.find()) {
          refs++;
          checked++;
          String ref = c.group(1);
          if (!resolves(ref, models)) {
            broken.add(ROOT.relativize(f) + ":" + (i + 1) + " `" + ref + "`");
          }
        }
        if (refs == 0) {
          broken.add(ROOT.relativize(f) + ":" + (i + 1) + " names nothing in backticks");
        }
      }
    }
    assertThat(broken).as("references that do not resolve").isEmpty();
    assertThat(checked).as("references checked").isGreaterThan(15);
  }

  static boolean resolves(String ref, String models) {
    if (ref.startsWith("dev.aiflow.")) {
      try {
        Class.forName(ref, false, GovernanceGuardTest.class.getClassLoader());
        return true;
      } catch (ClassNotFoundException e) {
        return false;
      }
    }
    if (ref.endsWith(".bpmn") || ref.endsWith(".dmn")) {
      return Files.isRegularFile(ROOT.resolve("processes").resolve(ref));
    }
    if (ref.matches("[A-Z][A-Za-z]+_[A-Za-z0-9]+")) {
      return models.contains("id=\"" + ref + "\"");
    }
    return false;
  }

  static String allModels() throws IOException {
    StringBuilder sb = new StringBuilder();
    try (Stream<Path> s = Files.list(ROOT.resolve("processes"))) {
      for (Path p : s.filter(p -> p.toString().endsWith(".bpmn")).toList()) {
        sb.append(Files.readString(p));
      }
    }
    return sb.toString();
  }

  static String section(String markdown, String heading) {
    int start = markdown.indexOf(heading + "\n");
    assertThat(start).as("README section " + heading).isNotNegative();
    int end = markdown.indexOf("\n## ", start + heading.length());
    return markdown.substring(start, end < 0 ? markdown.length() : end);
  }
}
