package dev.aiflow.intake;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RouteDodValidatorTest {

  static final String READY =
      """
      {
        "task_title": "Parse labels with surrounding whitespace",
        "target": "src/parser.py: parse_label()",
        "execution_route": "bug-fix",
        "risk": "low",
        "allowed_paths": ["src/parser.py", "tests/test_parser.py"],
        "acceptance_criteria": [
          {"id": "AC-1", "description": "Parser tests pass", "verification": "python -m unittest tests.test_parser"},
          "AC-2: python -m unittest returns 0"
        ]
      }
      """;

  static List<IntakeFinding> findings(String json) {
    IntakeReader.Reading reading = IntakeReader.read(json);
    List<IntakeFinding> all = new java.util.ArrayList<>(reading.findings());
    all.addAll(RouteDodValidator.validate(reading.task()));
    return all;
  }

  @Test
  void aCompleteTaskIsReady() {
    assertThat(findings(READY)).isEmpty();
    IntakeTask task = IntakeReader.read(READY).task();
    assertThat(task.acceptanceCriteria().get(1).id()).isEqualTo("AC-2");
    assertThat(task.tierInputs()).isEqualTo(new TierInputs("low", 1, 2, "bug-fix"));
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "missing title          | \"task_title\": \"Parse labels with surrounding whitespace\", | | INTAKE_MISSING_TASK_TITLE | /task_title",
        "blank title            | \"Parse labels with surrounding whitespace\" | \"  \" | INTAKE_MISSING_TASK_TITLE | /task_title",
        "missing target         | \"target\": \"src/parser.py: parse_label()\", | | INTAKE_MISSING_TARGET | /target",
        "missing route          | \"execution_route\": \"bug-fix\", | | INTAKE_MISSING_EXECUTION_ROUTE | /execution_route",
        "unknown route          | \"bug-fix\" | \"yolo\" | INTAKE_UNKNOWN_EXECUTION_ROUTE | /execution_route",
        "unknown risk           | \"low\" | \"spicy\" | INTAKE_UNKNOWN_RISK | /risk",
        "no criteria            | \"acceptance_criteria\": [ | \"acceptance_criteria\": [], \"x_\": [ | INTAKE_MISSING_ACCEPTANCE_CRITERIA | /acceptance_criteria",
        "untestable criterion   | \"AC-2: python -m unittest returns 0\" | \"AC-2: the code is nicer\" | INTAKE_UNTESTABLE_CRITERION | /acceptance_criteria/1",
        "criterion without id   | \"AC-2: python -m unittest returns 0\" | \"python -m unittest returns 0\" | INTAKE_CRITERION_WITHOUT_ID | /acceptance_criteria/1",
        "duplicate criterion id | \"AC-2: python | \"AC-1: python | INTAKE_DUPLICATE_CRITERION_ID | /acceptance_criteria/1",
        "empty criterion        | \"AC-2: python -m unittest returns 0\" | {\"id\": \"AC-2\"} | INTAKE_EMPTY_CRITERION | /acceptance_criteria/1",
        "escaping allowed path  | \"src/parser.py\", | \"../etc/passwd\", | INTAKE_UNSAFE_ALLOWED_PATH | /allowed_paths/0",
        "absolute allowed path  | \"src/parser.py\", | \"/etc/passwd\", | INTAKE_UNSAFE_ALLOWED_PATH | /allowed_paths/0",
        "unknown field          | \"risk\": | \"acceptence\": 1, \"risk\": | INTAKE_UNKNOWN_FIELD | /acceptence",
        "wrong type             | \"low\" | 3 | INTAKE_WRONG_TYPE | /risk"
      })
  void eachMissingOrWrongFieldIsOneCodedFinding(
      String name, String find, String replace, String code, String field) {
    String json = READY.replace(find.strip(), replace == null ? "" : replace.strip());
    assertThat(json).isNotEqualTo(READY);
    List<IntakeFinding> findings = findings(json);
    assertThat(findings)
        .as(json)
        .anySatisfy(
            f -> {
              assertThat(f.code()).isEqualTo(code);
              assertThat(f.field()).isEqualTo(field);
            });
  }

  @Test
  void everyProblemIsReportedAtOnce() {
    List<IntakeFinding> findings = findings("{\"acceptance_criteria\": []}");
    assertThat(findings)
        .extracting(IntakeFinding::code)
        .containsExactlyInAnyOrder(
            "INTAKE_MISSING_TASK_TITLE",
            "INTAKE_MISSING_TARGET",
            "INTAKE_MISSING_EXECUTION_ROUTE",
            "INTAKE_MISSING_ACCEPTANCE_CRITERIA");
  }

  @Test
  void aFileThatIsNotJsonIsRefused() {
    assertThatThrownBy(() -> IntakeReader.read("task_title: x"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("not valid JSON");
    assertThatThrownBy(() -> IntakeReader.read("[]")).hasMessageContaining("JSON object");
  }
}
