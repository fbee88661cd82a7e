package dev.aiflow.engine.cluster;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import javax.sql.DataSource;
import org.camunda.bpm.engine.impl.cfg.AbstractProcessEnginePlugin;
import org.camunda.bpm.engine.impl.cfg.ProcessEngineConfigurationImpl;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;

/**
 * Lets one node at a time start its engine on a shared PostgreSQL database (docs/operations.md,
 * "PostgreSQL"). Camunda creates its schema without a lock, so two nodes started together on an
 * empty database both try, and one dies ({@code ENGINE-03015 Problem during schema operation
 * 'create'}); aiflow's own start-up (administrator, groups, authorizations, the Tasklist filter)
 * has the same race on unique keys.
 *
 * <p>Before the engine is built this takes a session-level PostgreSQL advisory lock ({@value
 * #LOCK_KEY}) on a connection of its own and holds it until every singleton of the application is
 * created: the schema check or creation, the engine's bootstrap, {@code AccessBootstrap} and the
 * deployment of processes/ all run under it. The next node then finds the schema and aiflow's
 * records in place and only checks them; its deployment is filtered as a duplicate (Camunda's own
 * deployment lock serialises that part too). A node that dies holding the lock releases it with its
 * connection. On any other database (H2) it does nothing.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE)
public class StartupLock extends AbstractProcessEnginePlugin
    implements SmartInitializingSingleton, DisposableBean {

  /** The advisory lock's key: "aiflow" and 1 in ASCII hex, so it names its owner in pg_locks. */
  public static final long LOCK_KEY = 0x616966_6c6f77_01L;

  private static final Logger LOG = LoggerFactory.getLogger(StartupLock.class);

  private final DataSource dataSource;
  private final Duration timeout;
  private Connection held;

  public StartupLock(
      DataSource dataSource,
      @Value("${aiflow.database.startup-lock-timeout:10m}") Duration timeout) {
    this.dataSource = dataSource;
    this.timeout = timeout;
  }

  @Override
  public void preInit(ProcessEngineConfigurationImpl configuration) {
    acquire();
  }

  /** Takes the lock when the database is PostgreSQL; waits at most the configured timeout. */
  synchronized void acquire() {
    if (held != null) {
      return;
    }
    Connection c = null;
    try {
      c = dataSource.getConnection();
      if (!"PostgreSQL".equals(c.getMetaData().getDatabaseProductName())) {
        c.close();
        return;
      }
      c.setAutoCommit(true);
      long deadline = System.nanoTime() + timeout.toNanos();
      boolean logged = false;
      while (!tryLock(c)) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException(
              "another aiflow node held the start-up lock (PostgreSQL advisory lock "
                  + LOCK_KEY
                  + ") for longer than "
                  + timeout
                  + " (aiflow.database.startup-lock-timeout); see pg_locks for its holder");
        }
        if (!logged) {
          LOG.info("another node is starting on this database: waiting for its start-up lock");
          logged = true;
        }
        Thread.sleep(250);
      }
      held = c;
      LOG.info("holding the start-up lock while the engine checks its schema and deploys");
    } catch (SQLException e) {
      closeQuietly(c);
      throw new IllegalStateException(
          "could not take the start-up lock on the database: " + e.getMessage(), e);
    } catch (InterruptedException e) {
      closeQuietly(c);
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for the start-up lock", e);
    } catch (RuntimeException e) {
      closeQuietly(c);
      throw e;
    }
  }

  /** Whether this node holds the lock now (tests and diagnostics). */
  synchronized boolean holding() {
    return held != null;
  }

  /** All singletons exist: the engine is built and aiflow's processes are deployed. */
  @Override
  public void afterSingletonsInstantiated() {
    release();
  }

  @Override
  public void destroy() {
    release();
  }

  synchronized void release() {
    if (held == null) {
      return;
    }
    Connection c = held;
    held = null;
    try (PreparedStatement s = c.prepareStatement("SELECT pg_advisory_unlock(?)")) {
      s.setLong(1, LOCK_KEY);
      s.execute();
      LOG.info("released the start-up lock");
    } catch (SQLException e) {
      LOG.warn("could not release the start-up lock: {}", e.getMessage());
      // a pooled connection would keep a session lock: end the session instead
      try {
        c.abort(Runnable::run);
      } catch (SQLException ignored) {
        // closing below is all that is left
      }
    } finally {
      closeQuietly(c);
    }
  }

  private static boolean tryLock(Connection c) throws SQLException {
    try (PreparedStatement s = c.prepareStatement("SELECT pg_try_advisory_lock(?)")) {
      s.setLong(1, LOCK_KEY);
      try (ResultSet r = s.executeQuery()) {
        return r.next() && r.getBoolean(1);
      }
    }
  }

  private static void closeQuietly(Connection c) {
    if (c != null) {
      try {
        c.close();
      } catch (SQLException ignored) {
        // nothing to do
      }
    }
  }
}
