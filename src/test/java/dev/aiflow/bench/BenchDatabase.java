package dev.aiflow.bench;

import java.nio.file.Path;
import java.util.Locale;

/**
 * The benchmarks' database. H2 in memory by default, the figures docs/performance.md has compared
 * since issue 21; {@code -Daiflow.bench.h2=file} puts it in an H2 file under the benchmark's data
 * folder instead, with the URL form the server uses by default (application.yaml), so the ratio can
 * also be read on the database aiflow ships with. {@code -Daiflow.test.db=postgres} replaces the
 * in-memory URL with PostgreSQL (dev.aiflow.support.TestDatabase); it leaves a file URL alone.
 */
final class BenchDatabase {

  static final String H2_MODE = "aiflow.bench.h2";

  private BenchDatabase() {}

  /** The datasource URL for a benchmark whose data folder is {@code data}. */
  static String url(Path data, String name) {
    if (file()) {
      return "jdbc:h2:file:" + data.resolve("h2").resolve(name) + ";DB_CLOSE_ON_EXIT=FALSE";
    }
    return "jdbc:h2:mem:" + name + ";DB_CLOSE_DELAY=-1";
  }

  static boolean file() {
    String mode = System.getProperty(H2_MODE, "mem");
    return mode.trim().toLowerCase(Locale.ROOT).equals("file");
  }
}
