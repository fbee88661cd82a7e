package dev.aiflow.negotiation;

import static org.assertj.core.api.Assertions.assertThat;

import dev.aiflow.files.Digests;
import dev.aiflow.protocol.AcceptanceCriterion;
import dev.aiflow.protocol.Limits;
import dev.aiflow.protocol.StepPack;
import dev.aiflow.protocol.Worker;
import java.util.List;
import org.junit.jupiter.api.Test;

class ContractGuardTest {

  static final Requirements REQ = RequirementsParser.parse(RequirementsParserTest.GOOD, "brief.md");
  static final String SHA = Digests.sha256(RequirementsParserTest.GOOD);
  static final Snapshots.Plan PLAN = Snapshots.plan(REQ, SHA);
  static final Snapshots.Boundary BOUNDARY = Snapshots.boundary(REQ, SHA);

  static StepPack pack(String task, List<String> paths, List<AcceptanceCriterion> acs) {
    return new StepPack(
        StepPack.SCHEMA,
        "R",
        task,
        "S1",
        "t",
        "o",
        List.of(),
        "tier2",
        null,
        paths,
        acs,
        List.of(),
        ".artifacts/R/" + task + "/S1",
        new Limits(60, 20, 512),
        new Worker("mock", null));
  }

  static final List<AcceptanceCriterion> FROZEN =
      List.of(
          new AcceptanceCriterion("AC-1", "prints Hello, Ada", "pytest -q"),
          new AcceptanceCriterion("AC-2", "no name   still prints Hello, world", null));

  static List<String> codes(StepPack p) {
    return ContractGuard.check(p, PLAN, BOUNDARY).stream()
        .map(ContractGuard.Finding::code)
        .toList();
  }

  @Test
  void aPackWithinTheFrozenContractPasses() {
    assertThat(codes(pack("T-1", List.of("src/greet.py"), FROZEN))).isEmpty();
  }

  @Test
  void aTaskOutsideThePlanIsRefused() {
    List<ContractGuard.Finding> f =
        ContractGuard.check(pack("T-9", List.of("src/greet.py"), FROZEN), PLAN, BOUNDARY);
    assertThat(f).extracting(ContractGuard.Finding::code).containsExactly("GUARD_TASK_NOT_IN_PLAN");
    assertThat(f.get(0).pointer()).isEqualTo("/task_id");
  }

  @Test
  void aPathOutsideTheTasksBoundaryIsRefusedWithItsPointer() {
    List<ContractGuard.Finding> f =
        ContractGuard.check(
            pack("T-1", List.of("src/greet.py", "src/other.py", "src/**"), FROZEN), PLAN, BOUNDARY);
    assertThat(f)
        .extracting(ContractGuard.Finding::pointer)
        .containsExactly("/allowed_paths/1", "/allowed_paths/2");
    assertThat(f)
        .extracting(ContractGuard.Finding::code)
        .containsOnly("GUARD_PATH_OUTSIDE_BOUNDARY");
  }

  @Test
  void acceptanceMustBeTheFrozenOne() {
    assertThat(
            codes(
                pack(
                    "T-1",
                    List.of("src/greet.py"),
                    List.of(
                        new AcceptanceCriterion("AC-1", "prints something", null),
                        new AcceptanceCriterion("AC-3", "an extra check", null)))))
        .containsExactly(
            "GUARD_ACCEPTANCE_CHANGED", "GUARD_ACCEPTANCE_NOT_FROZEN", "GUARD_ACCEPTANCE_MISSING");
  }

  @Test
  void snapshotsOfDifferentRequirementsDisagree() {
    Snapshots.Boundary other = Snapshots.boundary(REQ, Digests.sha256("another text"));
    assertThat(ContractGuard.check(pack("T-1", List.of("src/greet.py"), FROZEN), PLAN, other))
        .extracting(ContractGuard.Finding::code)
        .containsExactly("GUARD_SNAPSHOTS_DISAGREE");
  }
}
