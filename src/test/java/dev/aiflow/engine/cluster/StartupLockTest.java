package dev.aiflow.engine.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.aiflow.support.TestDatabase;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.datasource.DriverManagerDataSource;

/**
 * The start-up lock on the database the build runs on: on PostgreSQL ({@code -Ppostgres}) a second
 * node waits for the first and gives up with a clear message after its timeout; on H2 it takes no
 * lock at all.
 */
class StartupLockTest {

  @Test
  void onPostgresASecondNodeWaitsUntilTheFirstReleases() throws Exception {
    if (!TestDatabase.postgres()) {
      StartupLock lock = new StartupLock(h2(), Duration.ofSeconds(1));
      lock.acquire();
      assertThat(lock.holding()).as("H2: nothing to lock").isFalse();
      lock.release();
      return;
    }
    TestDatabase.Server server = TestDatabase.Server.configured();
    String database = server.createDatabase("aiflow_lock_");
    try {
      DataSource ds =
          new DriverManagerDataSource(server.urlOf(database), server.user(), server.password());
      StartupLock first = new StartupLock(ds, Duration.ofSeconds(30));
      StartupLock second = new StartupLock(ds, Duration.ofSeconds(30));
      first.acquire();
      assertThat(first.holding()).isTrue();
      assertThat(advisoryLocksHeld(ds)).isEqualTo(1);

      CompletableFuture<Void> waiting = CompletableFuture.runAsync(second::acquire);
      Thread.sleep(1000);
      assertThat(waiting).as("the second node waits").isNotDone();

      first.afterSingletonsInstantiated(); // the first node's start-up is over
      waiting.get(10, TimeUnit.SECONDS);
      assertThat(second.holding()).isTrue();
      assertThat(first.holding()).isFalse();
      second.destroy();
      assertThat(advisoryLocksHeld(ds)).isZero();
    } finally {
      server.dropDatabase(database);
    }
  }

  @Test
  void aNodeThatWaitsTooLongFailsNamingTheLockAndTheSetting() throws Exception {
    if (!TestDatabase.postgres()) {
      // H2: no lock, so no wait, even with no time to wait at all
      StartupLock lock = new StartupLock(h2(), Duration.ZERO);
      lock.acquire();
      assertThat(lock.holding()).isFalse();
      return;
    }
    TestDatabase.Server server = TestDatabase.Server.configured();
    String database = server.createDatabase("aiflow_lock_");
    try {
      DataSource ds =
          new DriverManagerDataSource(server.urlOf(database), server.user(), server.password());
      StartupLock first = new StartupLock(ds, Duration.ofSeconds(30));
      first.acquire();
      StartupLock impatient = new StartupLock(ds, Duration.ofMillis(600));
      assertThatThrownBy(impatient::acquire)
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("start-up lock")
          .hasMessageContaining(String.valueOf(StartupLock.LOCK_KEY))
          .hasMessageContaining("aiflow.database.startup-lock-timeout");
      assertThat(impatient.holding()).isFalse();
      first.release();
      assertThat(advisoryLocksHeld(ds)).isZero();
    } finally {
      server.dropDatabase(database);
    }
  }

  private static DataSource h2() {
    JdbcDataSource ds = new JdbcDataSource();
    ds.setURL("jdbc:h2:mem:startup-lock;DB_CLOSE_DELAY=-1");
    return ds;
  }

  /** Sessions holding aiflow's start-up lock (pg_locks splits the key in two 32-bit halves). */
  private static int advisoryLocksHeld(DataSource ds) throws Exception {
    try (Connection c = ds.getConnection();
        PreparedStatement s =
            c.prepareStatement(
                "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted"
                    + " AND classid::bigint = ? AND objid::bigint = ?"
                    + " AND database = (SELECT oid FROM pg_database"
                    + " WHERE datname = current_database())")) {
      s.setLong(1, StartupLock.LOCK_KEY >>> 32);
      s.setLong(2, StartupLock.LOCK_KEY & 0xffffffffL);
      try (ResultSet r = s.executeQuery()) {
        r.next();
        return r.getInt(1);
      }
    }
  }
}
