package dev.aiflow.config;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;
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

  /**
   * Creates {@code dir} with mode 700 if it does not exist, and takes group and other access away
   * from one that does (an older version, or a command line, may have created it 755): the database
   * file, the logs and the keys inherit their protection from it.
   */
  public static Path prepare(Path dir) {
    try {
      if (!Files.isDirectory(dir)) {
        Files.createDirectories(dir);
      }
      try {
        Set<PosixFilePermission> mode = Files.getPosixFilePermissions(dir);
        if (!OWNER_ONLY.containsAll(mode)) {
          Files.setPosixFilePermissions(dir, OWNER_ONLY);
        }
      } catch (UnsupportedOperationException e) {
        // not a POSIX file system: the platform's default ACLs apply
      }
      return dir;
    } catch (IOException e) {
      throw new UncheckedIOException(
          "cannot prepare the data directory " + dir.toAbsolutePath(), e);
    }
  }

  private static final Set<PosixFilePermission> OWNER_ONLY =
      PosixFilePermissions.fromString("rwx------");
}
