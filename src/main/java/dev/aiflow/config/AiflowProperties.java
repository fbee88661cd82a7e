package dev.aiflow.config;

import java.nio.file.Path;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * aiflow's own settings ({@code aiflow.*}).
 *
 * @param dataDir where the H2 database, workflow logs, projects and generated secrets live
 * @param admin the initial administrator
 */
@ConfigurationProperties("aiflow")
public record AiflowProperties(Path dataDir, Admin admin) {

  public AiflowProperties {
    dataDir = dataDir == null ? Path.of("data") : dataDir;
    admin = admin == null ? new Admin("admin", null) : admin;
  }

  /**
   * @param user the administrator's id (AIFLOW_ADMIN_USER)
   * @param password the administrator's password (AIFLOW_ADMIN_PASSWORD); generated when empty
   */
  public record Admin(String user, String password) {}
}
