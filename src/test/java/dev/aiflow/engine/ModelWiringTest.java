package dev.aiflow.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.aiflow.support.EngineTestBase;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.context.ApplicationContext;

/** Every delegate expression in processes/ names a bean that exists. */
class ModelWiringTest extends EngineTestBase {

  private static final Pattern EXPRESSION =
      Pattern.compile("camunda:delegateExpression=\"\\$\\{([A-Za-z0-9_]+)}\"");

  @Autowired ApplicationContext context;

  @Test
  void everyDelegateExpressionResolvesToABean() throws Exception {
    List<String> beans = new ArrayList<>();
    try (Stream<Path> models = Files.list(Path.of("processes"))) {
      for (Path model : models.filter(p -> p.toString().endsWith(".bpmn")).toList()) {
        Matcher m = EXPRESSION.matcher(Files.readString(model));
        while (m.find()) {
          beans.add(m.group(1));
          assertThat(context.containsBean(m.group(1)))
              .as("%s names ${%s}", model.getFileName(), m.group(1))
              .isTrue();
          assertThat(context.getBean(m.group(1)))
              .isInstanceOf(org.camunda.bpm.engine.delegate.JavaDelegate.class);
        }
      }
    }
    assertThat(beans).contains("validateIntakeDelegate", "logAttemptDelegate", "qaReviewDelegate");
  }

  /** Modeler templates and the models agree: every template used exists and binds what it says. */
  @Test
  void elementTemplatesMatchTheModels() throws Exception {
    com.fasterxml.jackson.databind.JsonNode templates =
        new com.fasterxml.jackson.databind.ObjectMapper()
            .readTree(Path.of(".camunda/element-templates/aiflow.json").toFile());
    java.util.Map<String, java.util.Map<String, String>> bindings = new java.util.HashMap<>();
    for (com.fasterxml.jackson.databind.JsonNode t : templates) {
      java.util.Map<String, String> props = new java.util.HashMap<>();
      for (com.fasterxml.jackson.databind.JsonNode p : t.path("properties")) {
        props.put(p.path("binding").path("name").asText(), p.path("value").asText());
      }
      bindings.put(t.path("id").asText(), props);
      String delegate = props.get("camunda:delegateExpression");
      if (delegate != null) {
        assertThat(context.containsBean(delegate.substring(2, delegate.length() - 1)))
            .as(delegate)
            .isTrue();
      }
    }
    Pattern element = Pattern.compile("<bpmn:\\w+ [^>]*camunda:modelerTemplate=\"([^\"]+)\"[^>]*>");
    int used = 0;
    try (Stream<Path> models = Files.list(Path.of("processes"))) {
      for (Path model : models.filter(p -> p.toString().endsWith(".bpmn")).toList()) {
        Matcher m = element.matcher(Files.readString(model));
        while (m.find()) {
          used++;
          assertThat(bindings).as("template %s in %s", m.group(1), model).containsKey(m.group(1));
          for (var b : bindings.get(m.group(1)).entrySet()) {
            assertThat(m.group(0))
                .as("%s in %s", m.group(1), model)
                .contains(b.getKey() + "=\"" + b.getValue() + "\"");
          }
        }
      }
    }
    assertThat(used).isGreaterThan(10);
  }
}
