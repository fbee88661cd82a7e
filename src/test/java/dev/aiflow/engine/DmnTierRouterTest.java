package dev.aiflow.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.aiflow.engine.stepcycle.DmnTierRouter;
import dev.aiflow.intake.TierDecision;
import dev.aiflow.intake.TierInputs;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** One case per rule of processes/tier-routing.dmn, each reaching its rule first. */
class DmnTierRouterTest {

  static DmnTierRouter router;

  @BeforeAll
  static void load() {
    router = new DmnTierRouter();
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "Rule_HighRisk        | high   | 1 | 2  | direct-edit  | tier3 | high risk: contract-first",
        "Rule_RiskyRoute      | low    | 1 | 2  | migration    | tier3 | the route changes data, schema or security",
        "Rule_RiskyRoute 2    | low    | 1 | 2  | schema-change| tier3 | the route changes data, schema or security",
        "Rule_RiskyRoute 3    | low    | 1 | 2  | security-fix | tier3 | the route changes data, schema or security",
        "Rule_ManySteps       | low    | 4 | 2  | refactor     | tier3 | multi-step work (more than 3 planned steps)",
        "Rule_BroadScope      | low    | 1 | 9  | refactor     | tier3 | broad change surface (more than 8 allowed paths)",
        "Rule_UnboundedScope  | low    | 1 | 0  | bug-fix      | tier3 | the scope is not bounded (no allowed paths)",
        "Rule_MediumMultiStep | medium | 2 | 2  | new-feature  | tier3 | medium risk over several steps",
        "Rule_Default         | low    | 3 | 8  | bug-fix      | tier2 | short, low-risk work with a clear route and acceptance",
        "Rule_Default medium  | medium | 1 | 1  | direct-edit  | tier2 | short, low-risk work with a clear route and acceptance"
      })
  void eachRuleDecides(
      String rule, String risk, int steps, int paths, String route, String tier, String reason) {
    TierDecision decision = router.route(new TierInputs(risk, steps, paths, route));
    assertThat(decision.tier()).isEqualTo(tier);
    assertThat(decision.reason()).isEqualTo(reason);
  }
}
