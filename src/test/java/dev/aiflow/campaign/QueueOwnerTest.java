package dev.aiflow.campaign;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** One running campaign per queue: the owner record next to the queue file. */
class QueueOwnerTest {

  @TempDir Path dir;

  static final Instant NOW = Instant.parse("2026-12-01T10:00:00Z");

  @Test
  void theFirstCampaignTakesTheQueueAndASecondOneWhileItRunsIsRefusedNamingIt() throws Exception {
    Path queue = dir.resolve("task_queue.json");
    QueueOwner owner = new QueueOwner(queue);

    QueueOwner.Claim first = owner.claim("pi-1", h -> true, NOW);
    QueueOwner.Claim second =
        owner.claim("pi-2", h -> Set.of("pi-1").contains(h.campaignId()), NOW);

    assertThat(first.taken()).isTrue();
    assertThat(Files.readString(dir.resolve("task_queue.json.owner")))
        .contains("\"campaign_id\":\"pi-1\"", NOW.toString());
    assertThat(second.taken()).isFalse();
    assertThat(second.holder()).isEqualTo("pi-1");
    assertThat(owner.read()).map(QueueOwner.Holder::campaignId).contains("pi-1");
  }

  @Test
  void theHolderClaimingAgainKeepsItAndARetriedStartIsNotRefusedByItself() {
    QueueOwner owner = new QueueOwner(dir.resolve("q.json"));
    owner.claim("pi-1", h -> true, NOW);
    QueueOwner.Claim again = owner.claim("pi-1", h -> true, NOW.plusSeconds(5));
    assertThat(again.taken()).isTrue();
    assertThat(again.takenOverFrom()).isNull();
    assertThat(owner.read().orElseThrow().since()).isEqualTo(NOW);
  }

  @Test
  void aRecordLeftByACampaignThatNoLongerRunsIsTakenOver() {
    QueueOwner owner = new QueueOwner(dir.resolve("q.json"));
    owner.claim("gone", h -> true, NOW);

    QueueOwner.Claim claim = owner.claim("pi-2", h -> false, NOW.plusSeconds(60));

    assertThat(claim.taken()).isTrue();
    assertThat(claim.takenOverFrom()).isEqualTo("gone");
    assertThat(owner.read().orElseThrow().campaignId()).isEqualTo("pi-2");
  }

  @Test
  void onlyTheHolderReleasesAndReleasingTwiceIsHarmless() {
    QueueOwner owner = new QueueOwner(dir.resolve("q.json"));
    owner.claim("pi-1", h -> true, NOW);

    owner.release("pi-2");
    assertThat(owner.file()).exists();
    owner.release("pi-1");
    owner.release("pi-1");
    assertThat(owner.file()).doesNotExist();
    assertThat(owner.claim("pi-2", h -> true, NOW).taken()).isTrue();
  }

  @Test
  void anUnreadableRecordCountsAsNoneAndIsReplaced() throws Exception {
    QueueOwner owner = new QueueOwner(dir.resolve("q.json"));
    Files.writeString(owner.file(), "not json");
    assertThat(owner.read()).isEmpty();
    assertThat(owner.claim("pi-1", h -> true, NOW).taken()).isTrue();
    assertThat(owner.read().orElseThrow().campaignId()).isEqualTo("pi-1");
  }
}
