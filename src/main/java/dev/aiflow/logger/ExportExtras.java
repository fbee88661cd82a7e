package dev.aiflow.logger;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

/**
 * Further string members for an export's manifest ({@code aiflow-export.json}), computed while the
 * export holds the project's lock, after the chain verified and before any file is read: they
 * describe exactly the events that are exported, and files they write in the project folder are
 * exported with it. The transparency log uses this to put a signed checkpoint of the exported chain
 * and its verifier key into the archive. The members are those of {@code
 * ProjectArchive.EXTENSION_MEMBERS}: import takes them as strings (their checker is {@code aiflow
 * log verify-bundle}) and refuses any other member it does not check.
 */
@FunctionalInterface
public interface ExportExtras {

  /**
   * @param projectId the project being exported
   * @param projectDir its folder
   * @param events the number of events in its project chain, all of them complete lines
   * @return members to add; they may not replace the manifest's own members
   */
  Map<String, String> members(String projectId, Path projectDir, long events) throws IOException;
}
