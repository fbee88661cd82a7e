package dev.aiflow.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.aiflow.logger.LoggerOptions;
import dev.aiflow.logger.PostgresChains;
import dev.aiflow.logger.WorkflowLogger;
import dev.aiflow.support.TestDatabase;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code aiflow log --store postgres}: a cluster's chain verified and exported from its database
 * alone, a rewritten row named, and the commands that would append refused (a fresh database on the
 * server {@code AIFLOW_TEST_DB_URL} names; without one the test fails, it never skips).
 */
class LogStorePostgresIT {

  @TempDir Path tmp;
  TestDatabase.Server server;
  String database;
  HikariDataSource pool;
  Path passwordFile;

  record Run(int exit, String out, String err) {}

  @BeforeEach
  void database() throws Exception {
    server = TestDatabase.Server.configured();
    database = server.createDatabase("aiflow_logcli_");
    HikariConfig config = new HikariConfig();
    config.setJdbcUrl(server.urlOf(database));
    config.setUsername(server.user());
    config.setPassword(server.password());
    config.setMaximumPoolSize(2);
    pool = new HikariDataSource(config);
    passwordFile = tmp.resolve("db-password");
    Files.writeString(passwordFile, server.password() == null ? "" : server.password());
    try (WorkflowLogger log =
        new PostgresChains(pool).openOrInit("cluster", LoggerOptions.defaults())) {
      log.logTaskEvent("T-1", "qa_review", Map.of("verdict", "PASS"), "review:1");
      log.closeTask("T-1", "accepted", "done");
    }
  }

  @AfterEach
  void drop() {
    pool.close();
    server.dropDatabase(database);
  }

  Run log(String... args) {
    List<String> all =
        new ArrayList<>(
            List.of(
                "log",
                "--store",
                "postgres",
                "--db-url",
                server.urlOf(database),
                "--db-user",
                server.user(),
                "--db-password-file",
                passwordFile.toString(),
                "--project-id",
                "cluster"));
    all.addAll(List.of(args));
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cli = Cli.commandLine();
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    int exit = cli.execute(all.toArray(String[]::new));
    return new Run(exit, out.toString(), err.toString());
  }

  @Test
  void theChainInTheDatabaseVerifiesAndExports() throws Exception {
    Run verify = log("verify");
    assertThat(verify.exit()).as(verify.out() + verify.err()).isZero();
    assertThat(verify.out()).contains("cluster");

    Path archive = tmp.resolve("cluster.zip");
    Run export = log("export", "--archive", archive.toString());
    assertThat(export.exit()).as(export.out() + export.err()).isZero();
    assertThat(archive).isNotEmptyFile();
    // the archive is the one a single node exports: verify-bundle's checks pass without a key
    Path imported = tmp.resolve("imported");
    assertThat(WorkflowLogger.importProject(imported, archive, "copy").sourceProjectId())
        .isEqualTo("cluster");
    assertThat(WorkflowLogger.verify(imported, "copy", null, null).problems()).isEmpty();
  }

  @Test
  void aRowRewrittenInTheDatabaseFailsVerification() throws Exception {
    try (var c = pool.getConnection();
        var ps =
            c.prepareStatement(
                "UPDATE aiflow_chain_event SET line = convert_to(replace(convert_from(line,"
                    + " 'UTF8'), 'PASS', 'FAIL'), 'UTF8') WHERE project_id = 'cluster'"
                    + " AND event_type = 'qa_review'")) {
      assertThat(ps.executeUpdate()).isEqualTo(1);
    }
    Run verify = log("verify");
    assertThat(verify.exit()).as(verify.out() + verify.err()).isEqualTo(1);
  }

  @Test
  void commandsThatAppendAreRefusedWithOneLine() {
    Run close = log("close", "--task-id", "T-2", "--final-status", "accepted");
    assertThat(close.exit()).isEqualTo(2);
    assertThat(close.err().strip()).contains("only verify and export").doesNotContain("\n");
  }

  @Test
  void anUnknownProjectOrAMissingUrlIsAUsageError() {
    List<String> args =
        List.of(
            "log",
            "--store",
            "postgres",
            "--db-url",
            server.urlOf(database),
            "--db-user",
            server.user(),
            "--db-password-file",
            passwordFile.toString(),
            "--project-id",
            "nobody",
            "verify");
    StringWriter err = new StringWriter();
    CommandLine cli = Cli.commandLine();
    cli.setErr(new PrintWriter(err, true));
    cli.setOut(new PrintWriter(new StringWriter(), true));
    assertThat(cli.execute(args.toArray(String[]::new))).isEqualTo(2);
    assertThat(err.toString()).contains("not initialised in PostgreSQL");

    StringWriter err2 = new StringWriter();
    CommandLine cli2 = Cli.commandLine();
    cli2.setErr(new PrintWriter(err2, true));
    cli2.setOut(new PrintWriter(new StringWriter(), true));
    assertThat(
            cli2.execute(
                "log",
                "--store",
                "postgres",
                "--db-url",
                "jdbc:h2:mem:x",
                "--project-id",
                "p",
                "verify"))
        .isEqualTo(2);
    assertThat(err2.toString()).contains("jdbc:postgresql:");
  }
}
