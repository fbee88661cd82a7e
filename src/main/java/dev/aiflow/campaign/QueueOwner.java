package dev.aiflow.campaign;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.aiflow.files.AtomicFile;
import dev.aiflow.files.SharedFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * The durable record of which campaign owns a queue: {@code <queue>.owner} next to the queue file.
 * One running campaign per queue: a second start over it is refused naming the owner, and a record
 * left by a campaign that no longer runs is taken over. Every read and write happens under the
 * queue owner file's lock (within the JVM and across processes), so two starts take turns.
 */
public final class QueueOwner {

  private static final ObjectMapper JSON = new ObjectMapper();

  /** Who holds the queue, since when. */
  public record Holder(String campaignId, Instant since) {}

  /**
   * What {@link #claim} found.
   *
   * @param taken whether the caller owns the queue now
   * @param holder the running campaign that owns it when not taken
   * @param takenOverFrom the campaign whose stale record was replaced, or null
   */
  public record Claim(boolean taken, String holder, String takenOverFrom) {}

  private final Path file;

  public QueueOwner(Path queuePath) {
    this.file = fileOf(queuePath);
  }

  public static Path fileOf(Path queuePath) {
    Path abs = queuePath.toAbsolutePath().normalize();
    return abs.resolveSibling(abs.getFileName() + ".owner");
  }

  public Path file() {
    return file;
  }

  /**
   * Takes the queue for {@code campaignId}, unless a live campaign holds it.
   *
   * @param alive whether a holder still runs (a holder not known to run is stale)
   */
  public Claim claim(String campaignId, Predicate<Holder> alive, Instant now) {
    return SharedFiles.withLock(
        file,
        () -> {
          Optional<Holder> held = read();
          if (held.isPresent() && !held.get().campaignId().equals(campaignId)) {
            if (alive.test(held.get())) {
              return new Claim(false, held.get().campaignId(), null);
            }
          }
          if (held.isEmpty() || !held.get().campaignId().equals(campaignId)) {
            write(new Holder(campaignId, now));
          }
          String staleFrom =
              held.filter(h -> !h.campaignId().equals(campaignId))
                  .map(Holder::campaignId)
                  .orElse(null);
          return new Claim(true, campaignId, staleFrom);
        });
  }

  /** Gives the queue up, if {@code campaignId} holds it; safe to repeat. */
  public void release(String campaignId) {
    SharedFiles.withLock(
        file,
        () -> {
          Optional<Holder> held = read();
          if (held.isPresent() && held.get().campaignId().equals(campaignId)) {
            Files.deleteIfExists(file);
            SharedFiles.written(file);
          }
          return null;
        });
  }

  /** The holder on record, if any (an unreadable record counts as none: it is replaced). */
  public Optional<Holder> read() {
    SharedFiles.refresh();
    if (!Files.exists(file)) {
      return Optional.empty();
    }
    try {
      JsonNode n = JSON.readTree(Files.readString(file, StandardCharsets.UTF_8));
      String id = n.path("campaign_id").asText(null);
      if (id == null || id.isBlank()) {
        return Optional.empty();
      }
      Instant since = Instant.parse(n.path("since").asText(Instant.EPOCH.toString()));
      return Optional.of(new Holder(id, since));
    } catch (IOException | RuntimeException e) {
      return Optional.empty();
    }
  }

  private void write(Holder h) throws IOException {
    Map<String, String> body = new LinkedHashMap<>();
    body.put("campaign_id", h.campaignId());
    body.put("since", h.since().toString());
    AtomicFile.write(file, JSON.writeValueAsBytes(body));
  }
}
