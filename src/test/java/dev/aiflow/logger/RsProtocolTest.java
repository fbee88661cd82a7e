package dev.aiflow.logger;

import static dev.aiflow.logger.Attempts.attempt;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RsProtocolTest {

  @TempDir Path root;
  WorkflowLogger log;

  @BeforeEach
  void open() {
    assertThat(WorkflowLogger.init(root, "p1")).isTrue();
    log = WorkflowLogger.open(root, "p1");
  }

  @AfterEach
  void close() {
    log.close();
  }

  @Test
  void firstAttemptIsR0S0ThenRetryAndRevisionAreAccepted() {
    log.logAttempt(attempt("T-1", 0, 0));
    log.logAttempt(attempt("T-1", 0, 1)); // retry
    log.logAttempt(attempt("T-1", 0, 2)); // retry
    log.logAttempt(attempt("T-1", 1, 0)); // new revision
    log.logAttempt(attempt("T-1", 1, 1));
    TaskSnapshot t = log.task("T-1");
    assertThat(t.attempts()).isEqualTo(5);
    assertThat(t.lastR()).isEqualTo(1);
    assertThat(t.lastS()).isEqualTo(1);
    assertThat(log.verifyProject(null).ok()).isTrue();
  }

  @ParameterizedTest(name = "first attempt R{0}/S{1} is refused")
  @CsvSource({"0,1", "1,0", "2,3", "-1,0", "0,-1"})
  void firstAttemptMustBeR0S0(int r, int s) throws Exception {
    long before = Files.size(root.resolve("p1/events.jsonl"));
    assertThatThrownBy(() -> log.logAttempt(attempt("T-1", r, s)))
        .isInstanceOf(LogRefusedException.class)
        .satisfies(e -> assertThat(((LogRefusedException) e).code()).isEqualTo("RS_OUT_OF_ORDER"));
    assertThat(Files.size(root.resolve("p1/events.jsonl"))).isEqualTo(before);
    assertThat(log.task("T-1").events()).isZero();
  }

  @ParameterizedTest(name = "after R1/S2, R{0}/S{1} is refused")
  @CsvSource({"1,2", "1,4", "1,0", "0,3", "2,1", "3,0", "0,0"})
  void outOfOrderPointersAreRefusedNamingWhatWouldBeAccepted(int r, int s) {
    log.logAttempt(attempt("T-1", 0, 0));
    log.logAttempt(attempt("T-1", 1, 0));
    log.logAttempt(attempt("T-1", 1, 1));
    log.logAttempt(attempt("T-1", 1, 2));
    assertThatThrownBy(() -> log.logAttempt(attempt("T-1", r, s)))
        .isInstanceOf(LogRefusedException.class)
        .hasMessageContaining("R1/S3 (retry)")
        .hasMessageContaining("R2/S0 (new revision)");
    assertThat(log.task("T-1").attempts()).isEqualTo(4);
  }

  @Test
  void tasksHaveIndependentPointers() {
    log.logAttempt(attempt("T-1", 0, 0));
    log.logAttempt(attempt("T-2", 0, 0));
    log.logAttempt(attempt("T-1", 0, 1));
    assertThat(log.task("T-2").lastS()).isZero();
  }

  @Test
  void aTaskClosesOnceAndNothingIsAppendedAfterwards() throws Exception {
    log.logAttempt(attempt("T-1", 0, 0));
    log.closeTask("T-1", "accepted", "Accepted with full evidence.");
    long before = Files.size(root.resolve("p1/events.jsonl"));

    assertThatThrownBy(() -> log.closeTask("T-1", "accepted", "again"))
        .isInstanceOf(LogRefusedException.class)
        .hasMessageContaining("closes once");
    assertThatThrownBy(() -> log.logAttempt(attempt("T-1", 0, 1)))
        .hasMessageContaining("was closed (accepted)");
    assertThatThrownBy(() -> log.logTaskEvent("T-1", "note", Map.of("text", "late"), null))
        .hasMessageContaining("was closed");

    assertThat(Files.size(root.resolve("p1/events.jsonl"))).isEqualTo(before);
    assertThat(log.task("T-1").closed()).isTrue();
    assertThat(log.task("T-1").finalStatus()).isEqualTo("accepted");
  }

  @Test
  void aTaskMayBeClosedWithoutAttempts() {
    log.closeTask("T-9", "abandoned", "Never started.");
    assertThat(log.task("T-9").closed()).isTrue();
  }

  @Test
  void refusesUnknownResultsStatusesAndUnsafeIds() {
    assertThatThrownBy(
            () ->
                log.logAttempt(
                    AttemptRecord.builder("T-1")
                        .pointer(0, 0)
                        .result("OK")
                        .reasonCode("X")
                        .build()))
        .hasMessageContaining("result must be one of");
    assertThatThrownBy(
            () -> log.logAttempt(AttemptRecord.builder("T-1").pointer(0, 0).result("PASS").build()))
        .hasMessageContaining("reason_code");
    assertThatThrownBy(() -> log.closeTask("T-1", "done", "x"))
        .hasMessageContaining("final_status must be one of");
    for (String bad : new String[] {"../x", "a/b", "", ".hidden", "a b", "x".repeat(129)}) {
      assertThatThrownBy(() -> log.logAttempt(attempt(bad, 0, 0)))
          .as(bad)
          .isInstanceOf(LogRefusedException.class)
          .hasMessageContaining("is not valid");
    }
  }

  @Test
  void nextPointerTellsRetriesFromRevisions() {
    assertThat(log.nextPointer("T-1", "pack-a")).isEqualTo(new AttemptPointer(0, 0));
    log.logAttempt(
        AttemptRecord.builder("T-1")
            .pointer(0, 0)
            .result("FAIL")
            .reasonCode("X")
            .revisionKey("pack-a")
            .build());
    assertThat(log.nextPointer("T-1", "pack-a")).isEqualTo(new AttemptPointer(0, 1));
    assertThat(log.nextPointer("T-1", "pack-b")).isEqualTo(new AttemptPointer(1, 0));
  }

  @Test
  void anIdempotentAppendIsWrittenOnce() {
    AttemptRecord a =
        AttemptRecord.builder("T-1")
            .pointer(0, 0)
            .result("PASS")
            .reasonCode("PASS_ALL_CRITERIA")
            .idempotencyKey("external-task-42")
            .build();
    ChainEvent first = log.logAttempt(a);
    // the retry may even carry another pointer: the key decides
    ChainEvent again =
        log.logAttempt(
            AttemptRecord.builder("T-1")
                .pointer(0, 1)
                .result("PASS")
                .reasonCode("PASS_ALL_CRITERIA")
                .idempotencyKey("external-task-42")
                .build());
    assertThat(first.replayed()).isFalse();
    assertThat(again.replayed()).isTrue();
    assertThat(again.eventHash()).isEqualTo(first.eventHash());
    assertThat(log.task("T-1").attempts()).isEqualTo(1);
  }

  @Test
  void aBatchIsWrittenWithOneFsyncAndRefusesOnlyItsBadMembers() throws Exception {
    List<ChainEvent> events =
        log.logAttempts(List.of(attempt("T-1", 0, 0), attempt("T-1", 0, 1), attempt("T-2", 0, 0)));
    assertThat(events).extracting(ChainEvent::seq).containsExactly(2L, 3L, 4L);

    long before = Files.size(root.resolve("p1/events.jsonl"));
    assertThatThrownBy(
            () ->
                log.logAttempts(
                    List.of(attempt("T-1", 0, 2), attempt("T-1", 5, 5), attempt("T-2", 0, 1))))
        .isInstanceOf(LogRefusedException.class)
        .hasMessageContaining("1 of 3 attempts refused")
        .hasMessageContaining("#1: attempt R5/S5 refused");
    assertThat(Files.size(root.resolve("p1/events.jsonl"))).isGreaterThan(before);
    assertThat(log.task("T-1").lastS()).isEqualTo(2);
    assertThat(log.task("T-2").lastS()).isEqualTo(1);
    assertThat(log.verifyProject(null).ok()).isTrue();
  }

  @Test
  void initIsIdempotentAndOpenRequiresInit() {
    assertThat(WorkflowLogger.init(root, "p1")).isFalse();
    assertThatThrownBy(() -> WorkflowLogger.open(root, "nope"))
        .isInstanceOf(LogRefusedException.class)
        .hasMessageContaining("not initialised");
  }
}
