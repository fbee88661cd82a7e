package dev.aiflow.cli;

import java.nio.file.Path;
import java.util.Map;

/**
 * A second aiflow engine in a process of its own, for tests that need a data directory in use:
 * starts the engine on {@code args[0]}, prints {@code ready}, and holds the H2 database until its
 * standard input closes.
 */
public final class EngineHolder {

  private EngineHolder() {}

  public static void main(String[] args) throws Exception {
    try (EngineContext engine = EngineContext.start(Path.of(args[0]), Map.of())) {
      System.out.println("ready");
      System.out.flush();
      while (System.in.read() >= 0) {
        // until the test closes our stdin (or dies)
      }
    }
    System.exit(0);
  }
}
