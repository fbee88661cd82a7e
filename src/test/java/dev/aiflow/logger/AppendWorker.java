package dev.aiflow.logger;

import java.nio.file.Path;
import java.util.Map;

/**
 * A separate OS process appending to a project, for {@link ConcurrentAppendTest}. Prints the hash
 * of every acknowledged event, one per line, after the append returned.
 */
public final class AppendWorker {

  private AppendWorker() {}

  public static void main(String[] args) {
    Path root = Path.of(args[0]);
    String project = args[1];
    String prefix = args[2];
    int count = Integer.parseInt(args[3]);
    Durability durability = Durability.valueOf(args[4]);
    try (WorkflowLogger log =
        WorkflowLogger.open(root, project, LoggerOptions.defaults().withDurability(durability))) {
      for (int i = 0; i < count; i++) {
        ChainEvent e =
            i % 2 == 0
                ? log.logAttempt(
                    AttemptRecord.builder(prefix)
                        .pointer(0, i / 2)
                        .result("FAIL")
                        .reasonCode("RETRY")
                        .build())
                : log.logTaskEvent("SHARED", "note", Map.of("from", prefix, "i", i), null);
        System.out.println(e.eventHash());
        System.out.flush();
      }
    }
  }
}
