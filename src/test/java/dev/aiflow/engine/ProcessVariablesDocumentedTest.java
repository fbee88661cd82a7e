package dev.aiflow.engine;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.aiflow.engine.campaign.CampaignVars;
import dev.aiflow.engine.requirements.RequirementsVars;
import dev.aiflow.engine.stepcycle.StepCycleVars;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The variable contracts of the step cycle and the requirements freeze, their documentation, the
 * element templates and the models agree (issue 17; the campaign's own table is {@code
 * CampaignVariablesDocumentedTest}): every variable the docs, the templates' bindings and
 * descriptions, or the models' variable attributes name is a constant of a {@code *Vars} class, and
 * every constant is documented.
 */
class ProcessVariablesDocumentedTest {

  static final Pattern TOKEN = Pattern.compile("`([a-z][A-Za-z0-9]*)`");
  static final Pattern TABLE_ROW = Pattern.compile("(?m)^\\| (`[^|]+)\\|");

  /** A camelCase word standing alone in prose (not part of a file name or a dotted path). */
  static final Pattern CAMEL = Pattern.compile("(?<![\\w.$/-])[a-z]+[A-Z][A-Za-z0-9]*(?![\\w./-])");

  /** Constants that are values, not variable names. */
  static final Set<String> VALUES =
      Set.of(
          StepCycleVars.PACK_KIND_STEP,
          StepCycleVars.PACK_KIND_REWORK,
          StepCycleVars.DEFAULT_ESCALATION_GROUP,
          RequirementsVars.APPROVERS_GROUP,
          CampaignVars.CANCEL_MESSAGE,
          SharedVars.CAMPAIGN_PROCESS,
          SharedVars.STEP_CYCLE_PROCESS,
          SharedVars.REQUIREMENTS_PROCESS);

  static Set<String> constants(Class<?>... types) throws IllegalAccessException {
    Set<String> out = new TreeSet<>();
    for (Class<?> type : types) {
      for (Field f : type.getFields()) {
        if (Modifier.isStatic(f.getModifiers()) && f.getType() == String.class) {
          out.add((String) f.get(null));
        }
      }
    }
    return out;
  }

  static Set<String> allVariables() throws IllegalAccessException {
    Set<String> all =
        constants(
            SharedVars.class, StepCycleVars.class, CampaignVars.class, RequirementsVars.class);
    all.removeAll(VALUES);
    return all;
  }

  static String section(String file, String from, String to) throws Exception {
    String doc = Files.readString(Path.of(file));
    int start = doc.indexOf(from);
    assertThat(start).as(file + " has a section " + from).isNotNegative();
    int end = doc.indexOf(to, start + from.length());
    return doc.substring(start, end < 0 ? doc.length() : end);
  }

  static Set<String> tokens(Pattern p, String text, int group) {
    Set<String> out = new TreeSet<>();
    Matcher m = p.matcher(text);
    while (m.find()) {
      out.add(m.group(group));
    }
    return out;
  }

  @Test
  void theStepCycleTableNamesExactlyTheStepCycleConstants() throws Exception {
    String variables = section("docs/architecture.md", "\n## Variables", "\n## ");
    Set<String> documented = new TreeSet<>();
    for (String cell : tokens(TABLE_ROW, variables, 1)) {
      documented.addAll(tokens(TOKEN, cell, 1));
    }
    assertThat(documented).hasSizeGreaterThan(40);
    assertThat(constants(StepCycleVars.class, SharedVars.class))
        .as("docs/architecture.md's step-cycle variables without a constant")
        .containsAll(documented);

    Set<String> undocumented = constants(StepCycleVars.class);
    undocumented.removeAll(VALUES);
    undocumented.removeAll(tokens(TOKEN, variables, 1));
    assertThat(undocumented)
        .as("StepCycleVars constants docs/architecture.md's Variables section does not name")
        .isEmpty();
  }

  @Test
  void theRequirementsWorkflowNamesExactlyTheRequirementsConstants() throws Exception {
    String workflow =
        section("docs/requirements.md", "## The workflow (", "\n## The execution guard");
    Set<String> camel = new TreeSet<>();
    for (String t : tokens(TOKEN, workflow, 1)) {
      if (!t.equals(t.toLowerCase(java.util.Locale.ROOT))) {
        camel.add(t);
      }
    }
    camel.removeAll(VALUES); // the process key in the heading
    assertThat(camel).hasSizeGreaterThan(15);
    assertThat(allVariables())
        .as("variables docs/requirements.md names without a constant")
        .containsAll(camel);

    Set<String> undocumented = constants(RequirementsVars.class);
    undocumented.removeAll(VALUES);
    undocumented.removeAll(tokens(TOKEN, workflow, 1));
    assertThat(undocumented)
        .as("RequirementsVars constants docs/requirements.md's workflow section does not name")
        .isEmpty();
  }

  @Test
  void everyVariableTheElementTemplatesNameIsAConstant() throws Exception {
    JsonNode templates =
        new ObjectMapper().readTree(Path.of(".camunda/element-templates/aiflow.json").toFile());
    Set<String> known = allVariables();
    TreeMap<String, String> unknown = new TreeMap<>();
    int bindings = 0;
    int named = 0;
    for (JsonNode t : templates) {
      String id = t.path("id").asText();
      Set<String> attributes = new TreeSet<>();
      List<String> variables = new ArrayList<>();
      for (JsonNode p : t.path("properties")) {
        JsonNode b = p.path("binding");
        String type = b.path("type").asText();
        String name = b.path("name").asText();
        switch (type) {
          case "property" -> {
            attributes.add(name.substring(name.indexOf(':') + 1));
            if (name.equals("camunda:resultVariable")
                || name.equals("camunda:errorMessageVariable")) {
              variables.add(p.path("value").asText());
            }
          }
          case "camunda:in", "camunda:out" -> {
            variables.add(b.path("target").asText(null));
            variables.add(b.path("source").asText(null));
          }
          case "camunda:inputParameter", "camunda:outputParameter" ->
              variables.add(b.path("name").asText(null));
          default -> {}
        }
        bindings++;
      }
      Stream.of(t.path("description"), t.path("name"))
          .map(JsonNode::asText)
          .forEach(text -> variables.addAll(tokens(CAMEL, text, 0)));
      for (JsonNode p : t.path("properties")) {
        variables.addAll(tokens(CAMEL, p.path("description").asText(""), 0));
      }
      for (String v : variables) {
        if (v == null || v.isBlank() || attributes.contains(v)) {
          continue;
        }
        named++;
        if (!known.contains(v)) {
          unknown.put(id + " " + v, v);
        }
      }
    }
    assertThat(bindings).isGreaterThan(40);
    assertThat(named).as("variables the templates name").isGreaterThan(30);
    assertThat(unknown.keySet()).as("template variables without a constant").isEmpty();
  }

  @Test
  void everyVariableTheModelsBindByNameIsAConstant() throws Exception {
    Pattern attribute =
        Pattern.compile(
            "camunda:(?:errorMessageVariable|resultVariable|initiator|elementVariable)=\"([^\"$#{]+)\""
                + "|<camunda:(?:in|out) [^>]*?(?:source|target)=\"([^\"$#{]+)\"[^>]*?"
                + "(?:target=\"([^\"]+)\")?");
    Set<String> known = allVariables();
    Set<String> named = new TreeSet<>();
    try (Stream<Path> models = Files.list(Path.of("processes"))) {
      for (Path model : models.filter(p -> p.toString().endsWith(".bpmn")).toList()) {
        Matcher m = attribute.matcher(Files.readString(model));
        while (m.find()) {
          for (int g = 1; g <= 3; g++) {
            if (m.group(g) != null) {
              named.add(m.group(g));
            }
          }
        }
      }
    }
    assertThat(named).hasSizeGreaterThan(20);
    Set<String> unknown = new TreeSet<>(named);
    unknown.removeAll(known);
    assertThat(unknown).as("variables the models bind without a constant").isEmpty();
  }
}
