package dev.aiflow.cli;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.aiflow.logger.LogRefusedException;
import dev.aiflow.logger.PostgresChains;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Set;
import java.util.stream.Stream;

/**
 * {@code aiflow log --store postgres}: a cluster's project chain, read from its database and
 * written out in the file layout into a temporary folder, so {@code verify} and {@code export} run
 * on it unchanged. Nothing is written to the database but the chain tables' creation when they are
 * missing (docs/operations.md, "One chain per project across nodes").
 */
final class ClusterChains {

  /** What may run on a chain read from the database: the rest appends or signs. */
  static final Set<String> READ_ONLY = Set.of("verify", "export");

  private ClusterChains() {}

  static Path writeOut(LogCommand log) {
    if (!READ_ONLY.contains(log.subcommand())) {
      throw new CliException(
          ExitCodes.USAGE,
          "log "
              + log.subcommand()
              + " does not run with --store postgres (only verify and export do): appends and"
              + " checkpoints go through a node");
    }
    String url = first(log.dbUrl, System.getenv("AIFLOW_DB_URL"));
    if (url == null || !url.startsWith("jdbc:postgresql:")) {
      throw new CliException(
          ExitCodes.USAGE,
          "--store postgres needs a jdbc:postgresql: URL (--db-url or $AIFLOW_DB_URL)");
    }
    HikariConfig config = new HikariConfig();
    config.setJdbcUrl(url);
    config.setUsername(first(log.dbUser, System.getenv("AIFLOW_DB_USER")));
    config.setPassword(password(log));
    config.setMaximumPoolSize(1);
    config.setPoolName("aiflow-log");
    config.setConnectionTimeout(10_000);
    Path root;
    try {
      // <tmp>/workflow: a key generated for an export without --signing-key-file lands in <tmp>
      Path tmp = Files.createTempDirectory("aiflow-log-");
      Runtime.getRuntime().addShutdownHook(new Thread(() -> delete(tmp)));
      root = tmp.resolve("workflow");
    } catch (IOException e) {
      throw new CliException(ExitCodes.USAGE, "no temporary folder: " + e.getMessage());
    }
    try (HikariDataSource ds = new HikariDataSource(config)) {
      new PostgresChains(ds).materialize(log.projectId, root);
      return root;
    } catch (LogRefusedException e) {
      // a project that is not there is a usage error; a chain that does not write out is broken
      throw new CliException(
          "NOT_INITIALISED".equals(e.code()) ? ExitCodes.USAGE : ExitCodes.FAILED, e.getMessage());
    } catch (RuntimeException e) {
      // the driver's message names the host and the refusal, never the password
      throw new CliException(
          ExitCodes.USAGE, "cannot read the chain from PostgreSQL: " + rootCause(e).getMessage());
    }
  }

  private static String password(LogCommand log) {
    if (log.dbPasswordFile != null) {
      try {
        return Files.readString(log.dbPasswordFile, StandardCharsets.UTF_8).strip();
      } catch (IOException e) {
        throw new CliException(ExitCodes.USAGE, "cannot read " + log.dbPasswordFile);
      }
    }
    return System.getenv("AIFLOW_DB_PASSWORD");
  }

  private static String first(String a, String b) {
    return a != null && !a.isBlank() ? a : (b == null || b.isBlank() ? null : b);
  }

  private static Throwable rootCause(Throwable t) {
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    return t;
  }

  private static void delete(Path root) {
    try (Stream<Path> all = Files.walk(root)) {
      all.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException ignored) {
      // a temporary folder: the system cleans it up
    }
  }
}
