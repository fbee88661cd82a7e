package dev.aiflow.support;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import javax.sql.DataSource;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.beans.factory.config.BeanDefinition;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.beans.factory.support.BeanDefinitionBuilder;
import org.springframework.beans.factory.support.BeanDefinitionRegistry;
import org.springframework.context.ApplicationContextInitializer;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;

/**
 * The tests' database: H2 in memory by default; with {@code -Daiflow.test.db=postgres} (the Maven
 * profile {@code postgres} sets it) every Spring context whose datasource is an in-memory H2
 * database gets a fresh PostgreSQL database of its own instead, on the server named by {@code
 * AIFLOW_TEST_DB_URL} ({@code -Daiflow.test.db.url}), with {@code AIFLOW_TEST_DB_USER} and {@code
 * AIFLOW_TEST_DB_PASSWORD}. The database is dropped when its context closes. Without a reachable
 * server the context fails to start, so the run fails: nothing falls back to H2 or skips.
 *
 * <p>A database per context, not one shared: each cached context runs its own job executor and
 * dispatch worker, which would otherwise take each other's jobs and external tasks.
 *
 * <p>Registered in {@code src/test/resources/META-INF/spring.factories}.
 */
public final class TestDatabase
    implements ApplicationContextInitializer<ConfigurableApplicationContext> {

  /** {@code h2} (default) or {@code postgres}. */
  public static final String MODE = "aiflow.test.db";

  private static final String DROPPER = "aiflowTestDatabaseDropper";

  /** Whether this run's engines run on PostgreSQL. */
  public static boolean postgres() {
    String mode = setting(MODE, "AIFLOW_TEST_DB");
    return mode != null && mode.trim().toLowerCase(Locale.ROOT).equals("postgres");
  }

  @Override
  public void initialize(ConfigurableApplicationContext context) {
    if (!postgres()) {
      return;
    }
    ConfigurableEnvironment env = context.getEnvironment();
    String url = env.getProperty("spring.datasource.url");
    if (url == null || !url.startsWith("jdbc:h2:mem:")) {
      return; // a file database a command line test chose on purpose stays
    }
    Server server = Server.configured();
    String database = server.createDatabase("aiflow_t_");
    Map<String, Object> props = new HashMap<>();
    props.put("spring.datasource.url", server.urlOf(database));
    props.put("spring.datasource.username", server.user());
    props.put("spring.datasource.password", server.password());
    props.put("spring.datasource.driver-class-name", "org.postgresql.Driver");
    // many contexts stay cached in one JVM: small pools that shrink when idle
    props.put("spring.datasource.hikari.maximum-pool-size", "8");
    props.put("spring.datasource.hikari.minimum-idle", "1");
    props.put("spring.datasource.hikari.idle-timeout", "10000");
    env.getPropertySources().addFirst(new MapPropertySource("aiflowTestDatabase", props));

    if (context.getBeanFactory() instanceof BeanDefinitionRegistry registry) {
      registry.registerBeanDefinition(
          DROPPER,
          BeanDefinitionBuilder.genericBeanDefinition(
                  Dropper.class, () -> new Dropper(server, database))
              .getBeanDefinition());
      // the datasource (and so the engine) closes before its database is dropped
      context.addBeanFactoryPostProcessor(TestDatabase::dataSourcesDependOnDropper);
    }
  }

  private static void dataSourcesDependOnDropper(ConfigurableListableBeanFactory factory) {
    for (String name : factory.getBeanNamesForType(DataSource.class, true, false)) {
      if (!factory.containsBeanDefinition(name)) {
        continue;
      }
      BeanDefinition bd = factory.getBeanDefinition(name);
      List<String> dependsOn =
          new ArrayList<>(bd.getDependsOn() == null ? List.of() : Arrays.asList(bd.getDependsOn()));
      dependsOn.add(DROPPER);
      bd.setDependsOn(dependsOn.toArray(String[]::new));
    }
  }

  private static String setting(String property, String env) {
    String v = System.getProperty(property);
    if (v == null || v.isBlank()) {
      v = System.getenv(env);
    }
    return v == null || v.isBlank() ? null : v;
  }

  /** Drops its database when the context closes (after the datasource, which depends on it). */
  static final class Dropper implements DisposableBean {
    private final Server server;
    private final String database;

    Dropper(Server server, String database) {
      this.server = server;
      this.database = database;
    }

    @Override
    public void destroy() {
      server.dropDatabase(database);
    }
  }

  /** The PostgreSQL server the tests use. */
  public record Server(String url, String user, String password) {

    /** From {@code aiflow.test.db.url} / {@code AIFLOW_TEST_DB_URL} and the user and password. */
    public static Server configured() {
      String url = setting("aiflow.test.db.url", "AIFLOW_TEST_DB_URL");
      if (url == null) {
        throw new IllegalStateException(
            "the PostgreSQL tests need a server: set AIFLOW_TEST_DB_URL (or -Daiflow.test.db.url)"
                + " to a jdbc:postgresql:// URL; .ci/postgres starts one (docs/operations.md)");
      }
      if (!url.startsWith("jdbc:postgresql://")) {
        throw new IllegalStateException("AIFLOW_TEST_DB_URL is not a jdbc:postgresql:// URL");
      }
      String user = setting("aiflow.test.db.user", "AIFLOW_TEST_DB_USER");
      String password = setting("aiflow.test.db.password", "AIFLOW_TEST_DB_PASSWORD");
      return new Server(url, user == null ? "postgres" : user, password == null ? "" : password);
    }

    /** A new, empty database whose name starts with {@code prefix}. */
    public String createDatabase(String prefix) {
      String name =
          prefix + UUID.randomUUID().toString().replace("-", "").substring(0, 16).toLowerCase();
      execute("CREATE DATABASE " + name);
      return name;
    }

    public void dropDatabase(String name) {
      // FORCE: a connection a failed test left open must not keep the database
      execute("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
    }

    /** The JDBC URL of {@code database} on this server (the URL's parameters kept). */
    public String urlOf(String database) {
      String rest = url.substring("jdbc:postgresql://".length());
      int query = rest.indexOf('?');
      return "jdbc:postgresql://"
          + hostPort()
          + "/"
          + database
          + (query < 0 ? "" : rest.substring(query));
    }

    /** host:port, for messages (the URL's parameters may hold a password). */
    public String hostPort() {
      String rest = url.substring("jdbc:postgresql://".length());
      int end = rest.length();
      for (char c : new char[] {'/', '?'}) {
        int i = rest.indexOf(c);
        if (i >= 0 && i < end) {
          end = i;
        }
      }
      return rest.substring(0, end);
    }

    private void execute(String sql) {
      try (Connection c = DriverManager.getConnection(url, user, password);
          Statement s = c.createStatement()) {
        s.execute(sql);
      } catch (SQLException e) {
        throw new IllegalStateException(
            "the PostgreSQL test server at "
                + hostPort()
                + " refused '"
                + sql
                + "': "
                + e.getMessage()
                + " (is it running? .ci/postgres starts one)",
            e);
      }
    }
  }
}
