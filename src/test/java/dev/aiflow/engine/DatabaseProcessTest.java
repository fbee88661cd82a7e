package dev.aiflow.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.aiflow.support.EngineTestBase;
import dev.aiflow.support.TestDatabase;
import java.sql.Connection;
import javax.sql.DataSource;
import org.camunda.bpm.engine.ProcessEngine;
import org.camunda.bpm.engine.impl.cfg.ProcessEngineConfigurationImpl;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * The engine tests run on the database the build asked for: H2 in memory by default, PostgreSQL
 * with {@code -Ppostgres}, a database of this context's own, so a misconfigured PostgreSQL run
 * cannot pass on H2 unnoticed.
 */
class DatabaseProcessTest extends EngineTestBase {

  @Autowired ProcessEngine engine;
  @Autowired DataSource dataSource;

  @Test
  void theEngineRunsOnTheDatabaseTheBuildChose() throws Exception {
    String type =
        ((ProcessEngineConfigurationImpl) engine.getProcessEngineConfiguration()).getDatabaseType();
    try (Connection c = dataSource.getConnection()) {
      String product = c.getMetaData().getDatabaseProductName();
      String url = c.getMetaData().getURL();
      if (TestDatabase.postgres()) {
        assertThat(type).isEqualTo("postgres");
        assertThat(product).isEqualTo("PostgreSQL");
        assertThat(url).contains("/aiflow_t_");
      } else {
        assertThat(type).isEqualTo("h2");
        assertThat(url).startsWith("jdbc:h2:mem:engine-");
      }
    }
    // the models are deployed once and the engine's schema is complete on it
    assertThat(
            engine
                .getRepositoryService()
                .createProcessDefinitionQuery()
                .processDefinitionKey("campaign")
                .count())
        .isEqualTo(1);
    assertThat(engine.getManagementService().getTableCount())
        .containsKeys("ACT_RU_EXT_TASK", "ACT_HI_PROCINST", "ACT_ID_USER");
  }
}
