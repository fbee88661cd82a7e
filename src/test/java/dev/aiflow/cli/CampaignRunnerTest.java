package dev.aiflow.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.aiflow.campaign.CampaignView;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class CampaignRunnerTest {

  @Test
  void theSummaryShowsEachPreflightWarningOnItsOwnLine() {
    CampaignView v =
        new CampaignView(
            "pi-1",
            "campaign-p",
            "p",
            "completed",
            "queue_drained",
            "1 completed",
            1,
            "A",
            true,
            null,
            null,
            "q.json",
            "progress",
            null,
            null,
            List.of(),
            List.of("SANDBOX_DISABLED: agents are NOT sandboxed"));
    StringWriter out = new StringWriter();
    int exit = CampaignRunner.summary(v, Path.of("progress"), new PrintWriter(out, true));
    assertThat(exit).isZero();
    assertThat(out.toString())
        .contains("ended: queue_drained (1 completed)\n")
        .contains("\nwarning: SANDBOX_DISABLED: agents are NOT sandboxed\n");
  }
}
