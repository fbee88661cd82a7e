package dev.aiflow.config;

import dev.aiflow.metrics.AiflowMetrics;
import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The one {@link AiflowMetrics} of the application, on Spring Boot's meter registry. */
@Configuration(proxyBeanMethods = false)
public class MetricsConfiguration {

  @Bean
  AiflowMetrics aiflowMetrics(MeterRegistry registry) {
    return new AiflowMetrics(registry);
  }
}
