package dev.aiflow.config;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.springframework.boot.context.event.ApplicationEnvironmentPreparedEvent;
import org.springframework.context.ApplicationListener;

/**
 * Creates the data directory, readable only by its owner, before the database opens a file in it:
 * the database, the logs and the generated admin password live there.
 */
public class DataDirectoryPreparer
    implements ApplicationListener<ApplicationEnvironmentPreparedEvent> {

  @Override
  public void onApplicationEvent(ApplicationEnvironmentPreparedEvent event) {
    String dir = event.getEnvironment().getProperty("aiflow.data-dir");
    if (dir != null && !dir.isBlank()) {
      prepare(Path.of(dir));
    }
  }

  /** Creates {@code dir} with mode 700 if it does not exist. */
  public static Path prepare(Path dir) {
    try {
      if (!Files.isDirectory(dir)) {
        Files.createDirectories(dir);
        try {
          Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
        } catch (UnsupportedOperationException e) {
          // not a POSIX file system: the platform's default ACLs apply
        }
      }
      return dir;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create the data directory " + dir.toAbsolutePath(), e);
    }
  }
}
