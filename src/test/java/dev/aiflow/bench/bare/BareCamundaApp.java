package dev.aiflow.bench.bare;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/**
 * The baseline of {@code StartupBenchmark}: a Camunda 7 Spring Boot application with the same
 * starters as aiflow (webapps, REST, Spin, DMN, H2, security, springdoc: the same classpath) and
 * none of aiflow's code. Configured by {@code bare.yaml}.
 */
@SpringBootApplication
public class BareCamundaApp {

  public static void main(String[] args) {
    SpringApplication.run(BareCamundaApp.class, args);
  }
}
