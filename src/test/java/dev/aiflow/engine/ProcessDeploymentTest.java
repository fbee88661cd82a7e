package dev.aiflow.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.aiflow.support.ServerTestBase;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.camunda.bpm.engine.RepositoryService;
import org.camunda.bpm.engine.repository.Deployment;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/** The top-level processes/ folder reaches the classpath and every model in it is deployed. */
class ProcessDeploymentTest extends ServerTestBase {

  @Autowired RepositoryService repository;
  @Autowired org.camunda.bpm.engine.ProcessEngine engine;

  @Test
  void theProcessesFolderIsOnTheClasspathUnderProcesses() {
    assertThat(getClass().getClassLoader().getResource("processes/README.md"))
        .as("build-helper add-resource copies processes/ to the classpath")
        .isNotNull();
  }

  @Test
  void everyModelInTheProcessesFolderIsDeployed() throws Exception {
    List<String> models;
    try (Stream<Path> files = Files.list(Path.of("processes"))) {
      models =
          files
              .map(p -> p.getFileName().toString())
              .filter(n -> n.endsWith(".bpmn") || n.endsWith(".dmn"))
              .toList();
    }
    List<String> deployed =
        repository.createDeploymentQuery().list().stream()
            .map(Deployment::getId)
            .flatMap(id -> repository.getDeploymentResourceNames(id).stream())
            .toList();
    // stable names, wherever the classpath lies: the server and the CLI deploy the same resources
    assertThat(deployed).containsAll(models.stream().map(m -> "processes/" + m).toList());
    assertThat(deployed).contains("processes/forms/decide-escalation.html");
    assertThat(deployed)
        .allMatch(n -> n.startsWith("processes/"))
        .allMatch(n -> n.endsWith(".bpmn") || n.endsWith(".dmn") || n.endsWith(".html"));
  }

  @Test
  void deployingTheSameModelsAgainMakesNoNewVersion() {
    long before = repository.createProcessDefinitionQuery().count();
    long deployments = repository.createDeploymentQuery().count();
    ModelDeployment.deploy(engine);
    assertThat(repository.createProcessDefinitionQuery().count()).isEqualTo(before);
    assertThat(repository.createDeploymentQuery().count()).isEqualTo(deployments);
    assertThat(repository.createDeploymentQuery().deploymentName(ModelDeployment.NAME).count())
        .isEqualTo(deployments);
  }
}
