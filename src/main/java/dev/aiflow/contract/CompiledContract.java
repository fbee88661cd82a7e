package dev.aiflow.contract;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The three files of a compiled tier3 contract.
 *
 * @param masterContract {@code master_contract.md}
 * @param templateSnapshot {@code template_snapshot.md}: the template as it stood when compiled
 * @param conformanceReport {@code conformance_report.json}
 * @param conformant whether every required heading is present with content
 */
public record CompiledContract(
    String masterContract, String templateSnapshot, String conformanceReport, boolean conformant) {

  public static final String MASTER_CONTRACT = "master_contract.md";
  public static final String TEMPLATE_SNAPSHOT = "template_snapshot.md";
  public static final String CONFORMANCE_REPORT = "conformance_report.json";

  /** Writes the three files into {@code dir} (created if needed); returns the contract's path. */
  public Path writeTo(Path dir) throws IOException {
    Files.createDirectories(dir);
    Files.writeString(dir.resolve(MASTER_CONTRACT), masterContract, StandardCharsets.UTF_8);
    Files.writeString(dir.resolve(TEMPLATE_SNAPSHOT), templateSnapshot, StandardCharsets.UTF_8);
    Files.writeString(dir.resolve(CONFORMANCE_REPORT), conformanceReport, StandardCharsets.UTF_8);
    return dir.resolve(MASTER_CONTRACT);
  }
}
