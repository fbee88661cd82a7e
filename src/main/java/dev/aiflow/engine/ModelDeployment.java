package dev.aiflow.engine;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import org.camunda.bpm.engine.ProcessEngine;
import org.camunda.bpm.engine.impl.cfg.AbstractProcessEnginePlugin;
import org.camunda.bpm.engine.repository.Deployment;
import org.camunda.bpm.engine.repository.DeploymentBuilder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.io.Resource;
import org.springframework.core.io.support.PathMatchingResourcePatternResolver;
import org.springframework.stereotype.Component;

/**
 * Deploys the models of {@code processes/} (BPMN, DMN and the embedded task forms) as one
 * deployment named {@value #NAME}, each resource under its path below the classpath folder ({@code
 * processes/step-cycle.bpmn}, {@code processes/forms/decide-escalation.html}), with duplicate
 * filtering: the server, the CLI and every node of a cluster deploy the same names, so an unchanged
 * model never gets a new version, and a task form's {@code embedded:deployment:} key always
 * resolves. (Camunda's own auto-deployment names a resource by wherever the file happens to lie on
 * disk.)
 */
@Component
public class ModelDeployment extends AbstractProcessEnginePlugin {

  public static final String NAME = "aiflow";
  static final String[] PATTERNS = {
    "classpath*:processes/**/*.bpmn",
    "classpath*:processes/**/*.dmn",
    "classpath*:processes/**/*.html"
  };

  private static final Logger LOG = LoggerFactory.getLogger(ModelDeployment.class);

  @Override
  public void postProcessEngineBuild(ProcessEngine engine) {
    Deployment d = deploy(engine);
    LOG.info("models deployed as {} ({})", NAME, d == null ? "unchanged" : d.getId());
  }

  /** Deploys the models when any changed; returns the deployment, or null when none did. */
  static Deployment deploy(ProcessEngine engine) {
    DeploymentBuilder builder =
        engine
            .getRepositoryService()
            .createDeployment()
            .name(NAME)
            .source("aiflow")
            // duplicate filtering on; when anything changed, everything is deployed again, so a
            // process definition always has its forms in its own deployment
            .enableDuplicateFiltering(false);
    int count = 0;
    for (Resource r : resources()) {
      try (InputStream in = r.getInputStream()) {
        builder.addInputStream(name(r), new java.io.ByteArrayInputStream(in.readAllBytes()));
        count++;
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read the model " + r, e);
      }
    }
    if (count == 0) {
      throw new IllegalStateException("no models on the classpath under processes/");
    }
    return builder.deployWithResult();
  }

  private static List<Resource> resources() {
    List<Resource> out = new ArrayList<>();
    PathMatchingResourcePatternResolver resolver = new PathMatchingResourcePatternResolver();
    try {
      for (String p : PATTERNS) {
        for (Resource r : resolver.getResources(p)) {
          if (r.isReadable()) {
            out.add(r);
          }
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list the models on the classpath", e);
    }
    return out;
  }

  /** {@code processes/<path below it>}, whatever the resource's location. */
  static String name(Resource r) {
    try {
      String url = r.getURL().toString();
      int i = url.lastIndexOf("/processes/");
      if (i < 0) {
        throw new IllegalStateException("not a model under processes/: " + url);
      }
      return url.substring(i + 1);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
