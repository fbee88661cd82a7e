package dev.aiflow.logger;

import java.nio.file.Path;

/**
 * An export that was written.
 *
 * @param archive where the zip is
 * @param projectId the exported project
 * @param head hash of the last event of the project chain
 * @param events number of events in the project chain
 * @param files number of files in the archive besides its manifest
 * @param archiveSha256 SHA-256 of the zip, worth recording next to it
 */
public record ExportResult(
    Path archive, String projectId, String head, long events, int files, String archiveSha256) {}
