package dev.aiflow.engine.dispatch;

import dev.aiflow.agent.AgentSettings;
import dev.aiflow.agent.BuiltinShim;
import dev.aiflow.config.AiflowProperties;
import dev.aiflow.worker.BackendHealth;
import dev.aiflow.worker.ShimRegistry;
import java.nio.file.Path;
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

  /**
   * Backends are checked as the built-in shim will run them: the CLI each backend's settings name
   * (a configured executable, a command template's program), with their credentials.
   */
  @Bean
  BackendHealth backendHealth(AiflowProperties properties) {
    AgentSettings settings = properties.agents().settings();
    Map<String, List<String>> runtimes = new HashMap<>(BackendHealth.DEFAULT_RUNTIMES);
    for (String b : List.of("claude", "codex", "gemini")) {
      runtimes.put(b, List.of(settings.backend(b).executable()));
    }
    settings.commands().forEach((name, t) -> runtimes.put(name, List.of(t.create().get(0))));
    runtimes.putAll(properties.worker().backendRuntimes());
    return new BackendHealth(
        runtimes,
        BackendHealth.DEFAULT_CREDENTIALS,
        BuiltinShim.backends(settings),
        System.getenv(),
        Path.of(System.getProperty("user.home", "/")),
        settings.backendEnvironments());
  }

  /** The sandbox, the kernel's verifier and the shim's environment of this server's worker. */
  @Bean
  WorkerKernel workerKernel(AiflowProperties properties) {
    return WorkerKernel.of(properties);
  }
}
