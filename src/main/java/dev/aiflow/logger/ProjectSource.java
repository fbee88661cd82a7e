package dev.aiflow.logger;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * The files of a project, wherever they are: a directory, or the entries of an archive that is
 * verified before anything is extracted. Paths are relative and use '/'.
 */
interface ProjectSource {

  /** Opens a file; throws {@link java.nio.file.NoSuchFileException} when it does not exist. */
  InputStream open(String path) throws IOException;

  boolean exists(String path);

  /** Ids of the task folders under {@code tasks/}. */
  List<String> taskDirectories() throws IOException;

  static ProjectSource directory(Path dir) {
    return new ProjectSource() {
      @Override
      public InputStream open(String path) throws IOException {
        return Files.newInputStream(dir.resolve(path));
      }

      @Override
      public boolean exists(String path) {
        return Files.isRegularFile(dir.resolve(path));
      }

      @Override
      public List<String> taskDirectories() throws IOException {
        Path tasks = dir.resolve(ProjectLayout.TASKS);
        if (!Files.isDirectory(tasks)) {
          return List.of();
        }
        List<String> ids = new ArrayList<>();
        try (Stream<Path> children = Files.list(tasks)) {
          children.filter(Files::isDirectory).forEach(p -> ids.add(p.getFileName().toString()));
        }
        return ids;
      }
    };
  }
}
