package dev.aiflow.worker;

import static org.assertj.core.api.Assertions.assertThat;

import dev.aiflow.protocol.Limits;
import org.junit.jupiter.api.Test;

/** The optional usage and outcome lines of a shim, and the meter that enforces a budget. */
class UsageLinesTest {

  static final AgentUsage CLAUDE =
      new AgentUsage(
          "claude",
          "claude-sonnet-4-5",
          "s-1",
          100L,
          50L,
          1000L,
          200L,
          null,
          0.0123,
          AgentUsage.CostSource.REPORTED,
          3);

  @Test
  void aUsageLineRoundTripsAndLeavesOutWhatWasNotReported() {
    String line = UsageLines.usage(CLAUDE);
    assertThat(line).startsWith("AIFLOW-USAGE {").doesNotContain("reasoning_tokens");
    assertThat(UsageLines.parseUsage(line)).hasValue(CLAUDE);
    assertThat(CLAUDE.totalTokens()).isEqualTo(1350);
    assertThat(AgentUsage.UNKNOWN.totalTokens()).isNull();
    assertThat(AgentUsage.UNKNOWN.reported()).isFalse();
  }

  @Test
  void badLinesAreNotUsage() {
    assertThat(UsageLines.parseUsage("AIFLOW-USAGE not json")).isEmpty();
    assertThat(UsageLines.parseUsage("[claude] AIFLOW-USAGE {}")).isEmpty();
    assertThat(UsageLines.parseUsage("AIFLOW-USAGE [1]")).isEmpty();
    // wrong types and negative numbers count as not reported, never as zero
    AgentUsage u =
        UsageLines.parseUsage(
                "AIFLOW-USAGE {\"input_tokens\":\"12\",\"output_tokens\":-4,\"cost_usd\":-1,"
                    + "\"turns\":2}")
            .orElseThrow();
    assertThat(u.inputTokens()).isNull();
    assertThat(u.outputTokens()).isNull();
    assertThat(u.costUsd()).isNull();
    assertThat(u.costSource()).isEqualTo(AgentUsage.CostSource.UNKNOWN);
    assertThat(u.turns()).isEqualTo(2);
  }

  @Test
  void onlyOutcomesAShimMayReportAreTaken() {
    assertThat(UsageLines.parseOutcome(UsageLines.outcome(Outcome.RATE_LIMITED, "429\nslow down")))
        .hasValueSatisfying(
            r -> {
              assertThat(r.outcome()).isEqualTo(Outcome.RATE_LIMITED);
              assertThat(r.detail()).isEqualTo("429 slow down");
            });
    assertThat(UsageLines.parseOutcome("AIFLOW-OUTCOME {\"code\":\"OK\"}")).isEmpty();
    assertThat(UsageLines.parseOutcome("AIFLOW-OUTCOME {\"code\":\"TIMEOUT\"}")).isEmpty();
    assertThat(UsageLines.parseOutcome("AIFLOW-OUTCOME {\"code\":\"MARTIAN\"}")).isEmpty();
  }

  @Test
  void theMeterKeepsTheLatestTotalsAndAsksForAStopPastTheBudget() {
    UsageMeter meter =
        new UsageMeter(StepBudget.of(new Limits(60, 30, 512).withBudget(2000L, 0.05, 5)));
    assertThat(meter.onStdoutLine("[claude] working")).isNull();
    assertThat(meter.onStdoutLine(UsageLines.usage(CLAUDE))).isNull();
    assertThat(meter.usage()).isEqualTo(CLAUDE);
    // a later line without the thread keeps the thread known
    assertThat(meter.onStdoutLine("AIFLOW-USAGE {\"input_tokens\":1000,\"output_tokens\":1500}"))
        .isEqualTo(
            new OutputObserver.Stop(
                Outcome.BUDGET, "the agent used 2500 tokens, over max_tokens=2000"));
    assertThat(meter.usage().threadId()).isEqualTo("s-1");
    assertThat(meter.exceeded()).hasValue("the agent used 2500 tokens, over max_tokens=2000");

    UsageMeter cost = new UsageMeter(new StepBudget(null, 0.01, null));
    assertThat(cost.onStdoutLine(UsageLines.usage(CLAUDE))).isNotNull();
    assertThat(cost.exceeded().orElseThrow())
        .contains("$0.012300 (reported), over max_cost_usd=0.01");

    UsageMeter turns = new UsageMeter(new StepBudget(null, null, 2));
    assertThat(turns.onStdoutLine(UsageLines.usage(CLAUDE)).detail())
        .isEqualTo("the agent took 3 turns, over max_turns=2");

    UsageMeter reported = new UsageMeter(StepBudget.none());
    reported.onStdoutLine(UsageLines.outcome(Outcome.AUTH_MISSING, "please log in"));
    reported.onStdoutLine(UsageLines.outcome(Outcome.RATE_LIMITED, "a consequence"));
    assertThat(reported.reported().orElseThrow().outcome()).isEqualTo(Outcome.AUTH_MISSING);
  }

  @Test
  void aBudgetSaysWhatItCannotEnforce() {
    StepBudget b = new StepBudget(100L, 1.0, 3);
    assertThat(b.unenforceable(AgentUsage.UNKNOWN).orElseThrow())
        .contains("max_tokens")
        .contains("max_cost_usd")
        .contains("max_turns");
    assertThat(b.unenforceable(CLAUDE)).isEmpty();
  }

  @Test
  void theChainSeesIntegersAndStringsOnly() {
    var fields = CLAUDE.chainFields(1234);
    assertThat(fields)
        .containsEntry("reported", true)
        .containsEntry("total_tokens", 1350L)
        .containsEntry("cost_usd", "0.012300")
        .containsEntry("cost_usd_micros", 12300L)
        .containsEntry("cost_source", "reported")
        .containsEntry("turns", 3L)
        .containsEntry("wall_ms", 1234L)
        .doesNotContainKey("reasoning_tokens");
    assertThat(fields.values())
        .allMatch(v -> v instanceof String || v instanceof Long || v instanceof Boolean);
  }
}
