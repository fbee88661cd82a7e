package dev.aiflow.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** Reading the small JSON maps the campaign commands take. */
final class StepPackMapFiles {

  private StepPackMapFiles() {}

  static String read(Path file) {
    try {
      return Files.readString(file);
    } catch (NoSuchFileException e) {
      throw new CliException(ExitCodes.USAGE, "no such file: " + file);
    } catch (IOException e) {
      throw new CliException(ExitCodes.USAGE, "cannot read " + file + ": " + e.getMessage());
    }
  }

  /** A JSON object of strings (checked by the caller). */
  static Map<String, String> stringMap(Path file) {
    try {
      JsonNode root = new ObjectMapper().readTree(read(file));
      Map<String, String> out = new LinkedHashMap<>();
      root.fields().forEachRemaining(e -> out.put(e.getKey(), e.getValue().asText()));
      return out;
    } catch (IOException e) {
      throw new CliException(ExitCodes.USAGE, file + " is not JSON: " + e.getMessage());
    }
  }
}
