package dev.aiflow.support;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Queues and step-pack maps for campaign tests, written as a user would write them. */
public final class Queues {

  private Queues() {}

  /** One task: key, priority and the mock scenario its pack steers (null: no pack). */
  public record Item(String key, int priority, String scenario, String extraJson) {
    public static Item of(String key, int priority, String scenario) {
      return new Item(key, priority, scenario, null);
    }
  }

  /** Writes {@code task_queue.json} and returns the inline step-pack map JSON. */
  public static String write(Path queueFile, Integer maxAttempts, List<Item> items)
      throws IOException {
    return write(queueFile, maxAttempts, items, 60, 20);
  }

  public static String write(
      Path queueFile, Integer maxAttempts, List<Item> items, int runtimeSec, int silenceSec)
      throws IOException {
    List<String> tasks = new ArrayList<>();
    Map<String, String> packs = new LinkedHashMap<>();
    for (Item i : items) {
      tasks.add(
          "{\"key\": \"%s\", \"title\": \"Finish %s\", \"priority\": %d%s}"
              .formatted(
                  i.key(),
                  i.key(),
                  i.priority(),
                  i.extraJson() == null ? "" : ", " + i.extraJson()));
      if (i.scenario() != null) {
        packs.put(i.key(), Packs.stepPack(i.key(), i.scenario(), runtimeSec, silenceSec));
      }
    }
    Files.createDirectories(queueFile.toAbsolutePath().getParent());
    Files.writeString(
        queueFile,
        "{\"schema_version\": 1,%s \"tasks\": [\n  %s\n]}\n"
            .formatted(
                maxAttempts == null ? "" : " \"max_attempts\": " + maxAttempts + ",",
                String.join(",\n  ", tasks)));
    StringBuilder map = new StringBuilder("{");
    packs.forEach(
        (k, v) ->
            map.append(map.length() > 1 ? "," : "").append('"').append(k).append("\":").append(v));
    return map.append('}').toString();
  }

  /** The files the packs' commands check, in their starting state. */
  public static void seedWorkspace(Path workspace, List<Item> items) throws IOException {
    Files.createDirectories(workspace.resolve("src"));
    for (Item i : items) {
      Files.writeString(workspace.resolve("src/" + i.key() + ".txt"), "status: todo\n");
    }
  }
}
