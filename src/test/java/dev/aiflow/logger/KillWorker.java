package dev.aiflow.logger;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A separate OS process that appends to a project until it is killed, for {@link
 * KillNineCampaignTest}: each thread works through fresh tasks (three attempts, one of them with
 * content large enough for an attachment every few tasks, a note, a note on a task shared with the
 * other process, a close). Prints the hash of every acknowledged event, one per line, after the
 * append returned.
 */
public final class KillWorker {

  private KillWorker() {}

  public static void main(String[] args) throws Exception {
    Path root = Path.of(args[0]);
    String project = args[1];
    String prefix = args[2];
    Durability durability = Durability.valueOf(args[3]);
    int threads = Integer.parseInt(args[4]);
    try (WorkflowLogger log =
        WorkflowLogger.open(root, project, LoggerOptions.defaults().withDurability(durability))) {
      List<Thread> workers = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        String name = prefix + "-" + t;
        Thread worker = new Thread(() -> work(log, name));
        worker.start();
        workers.add(worker);
      }
      for (Thread w : workers) {
        w.join();
      }
    }
  }

  private static void work(WorkflowLogger log, String name) {
    for (int n = 0; ; n++) {
      String task = name + "-" + n;
      ack(log.logAttempt(attempt(task, 0, 0, null)));
      ack(log.logAttempt(attempt(task, 0, 1, n % 4 == 0 ? "x".repeat(70_000) : null)));
      ack(log.logTaskEvent(task, "qa_review", Map.of("verdict", "REWORK"), null));
      ack(log.logAttempt(attempt(task, 1, 0, null)));
      ack(log.logTaskEvent("SHARED", "note", Map.of("from", task), null));
      ack(log.closeTask(task, "accepted", "done"));
    }
  }

  private static AttemptRecord attempt(String task, int r, int s, String content) {
    return AttemptRecord.builder(task)
        .pointer(r, s)
        .result(s == 0 && r == 0 ? "FAIL" : "PASS")
        .reasonCode("CAMPAIGN")
        .codeContent(content)
        .build();
  }

  private static void ack(ChainEvent e) {
    synchronized (System.out) {
      System.out.println(e.eventHash());
      System.out.flush();
    }
  }
}
