package dev.aiflow.ids;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.InputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The one id grammar, and the protocol schema kept equal to it. */
class IdsTest {

  @ParameterizedTest
  @ValueSource(strings = {"a", "T-013", "ford-ai-flow", "R1_20260219T130000Z_ab12cd3", "x.y"})
  void validIds(String id) {
    assertThat(Ids.isValid(id)).isTrue();
    assertThat(Ids.require("task id", id)).isEqualTo(id);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {"", "..", "a..b", "../etc", "a/b", "a:b", "-a", ".a", "a b", "é", "a\u0000"})
  void invalidIds(String id) {
    assertThat(Ids.isValid(id)).isFalse();
    assertThatThrownBy(() -> Ids.require("project id", id))
        .isInstanceOf(Ids.InvalidIdException.class)
        // the value may come from a file someone named: the message never quotes it
        .hasMessage("not a valid project id: use " + Ids.RULE);
  }

  @Test
  void atMost128Characters() {
    assertThat(Ids.isValid("a".repeat(128))).isTrue();
    assertThat(Ids.isValid("a".repeat(129))).isFalse();
    assertThat(Ids.isValid(null)).isFalse();
  }

  @Test
  void theProtocolSchemaUsesTheSameGrammar() throws Exception {
    try (InputStream in =
        getClass().getClassLoader().getResourceAsStream("aiflow/schemas/defs.v1.json")) {
      JsonNode id = new ObjectMapper().readTree(in).path("$defs").path("id");
      assertThat(id.path("pattern").asText()).isEqualTo(Ids.PATTERN);
      assertThat(id.path("not").path("pattern").asText()).isEqualTo("\\.\\.");
    }
  }
}
