package dev.aiflow.logger;

import java.nio.file.Path;

/**
 * An import that was written.
 *
 * @param projectDir the new project's directory
 * @param sourceProjectId the id the project had in the archive
 * @param targetProjectId the id it has now
 * @param sourceHead the head of the chain as exported
 * @param migrationEventHash hash of the {@code project_migrated} event appended by the import
 */
public record ImportResult(
    Path projectDir,
    String sourceProjectId,
    String targetProjectId,
    String sourceHead,
    String migrationEventHash) {}
