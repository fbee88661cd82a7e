package dev.aiflow.qa;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.UncheckedIOException;

/** JSON of QA reviews (snake_case, like the protocol), for files, logs and the engine. */
public final class QaJson {

  private static final ObjectMapper MAPPER =
      JsonMapper.builder()
          .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
          .enable(SerializationFeature.INDENT_OUTPUT)
          .build();

  private QaJson() {}

  public static String toJson(QaReview review) {
    try {
      return MAPPER.writeValueAsString(review);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static QaReview fromJson(String json) {
    try {
      return MAPPER.readValue(json, QaReview.class);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }
}
