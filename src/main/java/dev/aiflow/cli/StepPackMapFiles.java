package dev.aiflow.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** Reading the small JSON maps the campaign commands take. */
final class StepPackMapFiles {

  private StepPackMapFiles() {}

  /** A small JSON file named on the command line: a regular file, at most 8 MiB. */
  static String read(Path file) {
    try {
      return new String(
          CliPaths.policy(null).read("file", file.toString(), 8L * 1024 * 1024),
          java.nio.charset.StandardCharsets.UTF_8);
    } catch (dev.aiflow.files.PathRefusedException e) {
      throw new CliException(ExitCodes.USAGE, e.getMessage());
    }
  }

  /** A JSON object of strings (checked by the caller). */
  static Map<String, String> stringMap(Path file) {
    try {
      JsonNode root = dev.aiflow.json.StrictJson.readTree(read(file));
      Map<String, String> out = new LinkedHashMap<>();
      root.fields().forEachRemaining(e -> out.put(e.getKey(), e.getValue().asText()));
      return out;
    } catch (dev.aiflow.json.JsonInputException e) {
      throw new CliException(ExitCodes.USAGE, file + " " + e.getMessage());
    }
  }
}
