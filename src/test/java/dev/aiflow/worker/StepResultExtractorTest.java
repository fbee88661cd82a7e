package dev.aiflow.worker;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class StepResultExtractorTest {

  static String valid() throws Exception {
    return Files.readString(Path.of("examples/protocol/step_result.example.json"));
  }

  static String framed(String body) {
    return StepResultExtractor.OPEN + "\n" + body + "\n" + StepResultExtractor.CLOSE + "\n";
  }

  @Test
  void exactlyOneValidBlockAmidNoiseIsTheResult() throws Exception {
    var e =
        StepResultExtractor.extract(
            "thinking...\n"
                + framed(valid())
                    .replace(StepResultExtractor.CLOSE, StepResultExtractor.CLOSE + "   ")
                + "bye\n");
    assertThat(e.ok()).isTrue();
    assertThat(e.result().taskId()).isEqualTo("T-013");
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource(
      delimiter = '|',
      value = {
        "no block                | PARSE_ERROR  | no StepResult",
        "two blocks              | PARSE_ERROR  | 2 StepResult blocks",
        "unclosed block          | PARSE_ERROR  | never closed",
        "nested opening          | PARSE_ERROR  | opening marker inside",
        "closing without opening | PARSE_ERROR  | closing marker without",
        "not JSON                | PARSE_ERROR  | not JSON",
        "schema violation        | SCHEMA_ERROR | /result",
        "empty block             | PARSE_ERROR  | not JSON"
      })
  void badOutputIsClassifiedNeverThrown(String name, Outcome expected, String detail)
      throws Exception {
    String output =
        switch (name) {
          case "no block" -> "I fixed it, trust me\n";
          case "two blocks" -> framed(valid()) + framed(valid());
          case "unclosed block" -> StepResultExtractor.OPEN + "\n" + valid();
          case "nested opening" -> StepResultExtractor.OPEN + "\n" + framed(valid());
          case "closing without opening" -> StepResultExtractor.CLOSE + "\n" + framed(valid());
          case "not JSON" -> framed("{result: PASS");
          case "schema violation" -> framed(valid().replace("\"PASS\"", "\"DONE\""));
          default -> framed("");
        };
    var e = StepResultExtractor.extract(output);
    assertThat(e.ok()).isFalse();
    assertThat(e.failure()).isEqualTo(expected);
    assertThat(e.detail()).contains(detail);
  }
}
