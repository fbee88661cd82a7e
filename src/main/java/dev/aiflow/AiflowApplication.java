package dev.aiflow;

import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

/** The Spring Boot application: the embedded Camunda engine, its webapps and REST, aiflow's API. */
@SpringBootApplication
@ConfigurationPropertiesScan
public class AiflowApplication {}
