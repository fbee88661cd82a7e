package dev.aiflow.config;

import dev.aiflow.transparency.CheckpointKeys;
import dev.aiflow.transparency.Transparency;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The transparency log of the server's projects: the signing key is loaded (or generated into
 * {@code <data-dir>/secrets/}) when the application starts, so a bad key file stops the start
 * instead of the first cycle. The engine calls {@link Transparency#issue} after every cycle and at
 * every campaign end; the REST API serves checkpoints and proofs.
 */
@Configuration(proxyBeanMethods = false)
public class TransparencyConfiguration {

  @Bean
  public Transparency transparency(AiflowProperties properties) {
    return new Transparency(
        properties.workflowRoot(),
        CheckpointKeys.resolve(properties.dataDir(), properties.transparency().signingKeyFile()));
  }
}
