package dev.aiflow.engine.dispatch;

import dev.aiflow.config.AiflowProperties;
import dev.aiflow.worker.BackendHealth;
import dev.aiflow.worker.ShimRegistry;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The shims this server may start and how their backends are health-checked. */
@Configuration(proxyBeanMethods = false)
public class WorkerConfiguration {

  @Bean
  ShimRegistry shimRegistry(AiflowProperties properties) {
    return new ShimRegistry(properties.worker().shim(), properties.worker().shims());
  }

  @Bean
  BackendHealth backendHealth(AiflowProperties properties) {
    Map<String, List<String>> runtimes = new HashMap<>(BackendHealth.DEFAULT_RUNTIMES);
    runtimes.putAll(properties.worker().backendRuntimes());
    return new BackendHealth(runtimes);
  }
}
