package dev.aiflow.observe;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.UncheckedIOException;

/** JSON of the kernel's records (snake_case like the protocol; absent values omitted). */
final class ObserveJson {

  static final ObjectMapper MAPPER =
      JsonMapper.builder()
          .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
          .serializationInclusion(JsonInclude.Include.NON_NULL)
          .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
          .build();

  private static final ObjectMapper PRETTY =
      MAPPER.copy().enable(SerializationFeature.INDENT_OUTPUT);

  private ObserveJson() {}

  static String write(Object value, boolean pretty) {
    try {
      return (pretty ? PRETTY : MAPPER).writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }

  static <T> T read(String json, Class<T> type, String what) {
    try {
      T value = MAPPER.readValue(json, type);
      if (value == null) {
        throw new ObserveException("INVALID_JSON", "the " + what + " is empty");
      }
      return value;
    } catch (JsonProcessingException e) {
      throw new ObserveException(
          "INVALID_JSON",
          "the "
              + what
              + " is not valid JSON"
              + (e.getLocation() == null ? "" : " (line " + e.getLocation().getLineNr() + ")"));
    }
  }
}
