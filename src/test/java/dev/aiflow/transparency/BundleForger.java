package dev.aiflow.transparency;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.aiflow.files.Digests;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Enumeration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;

/**
 * Rewrites an exported archive the way someone without the signing key would: unpack it, tamper
 * with the project's files, and pack it again with a manifest whose hashes, head and event count
 * all match the tampered files, so that the archive's own checks (and {@code log import}) pass.
 */
public final class BundleForger {

  static final ObjectMapper JSON = new ObjectMapper();

  /** Something done to the unpacked project folder. */
  @FunctionalInterface
  public interface Tamper {
    void apply(Path projectDir) throws IOException;
  }

  private BundleForger() {}

  /** Unpacks {@code archive} into {@code dir} (the manifest included). */
  public static void unpack(Path archive, Path dir) throws IOException {
    try (ZipFile zip = new ZipFile(archive.toFile())) {
      for (Enumeration<? extends ZipEntry> e = zip.entries(); e.hasMoreElements(); ) {
        ZipEntry entry = e.nextElement();
        Path out = dir.resolve(entry.getName());
        Files.createDirectories(out.getParent());
        try (InputStream in = zip.getInputStream(entry)) {
          Files.copy(in, out);
        }
      }
    }
  }

  /**
   * A tampered copy of {@code archive} at {@code out}. {@code editCheckpoint} may change the signed
   * checkpoint note too (in the manifest and as the checkpoint log's last record).
   */
  public static Path forge(
      Path archive, Path out, Tamper tamper, UnaryOperator<String> editCheckpoint)
      throws IOException {
    Path dir = Files.createTempDirectory(out.getParent(), "forge");
    unpack(archive, dir);
    Path manifestFile = dir.resolve(BundleVerifier.MANIFEST);
    ObjectNode manifest = (ObjectNode) JSON.readTree(manifestFile.toFile());
    Files.delete(manifestFile);
    tamper.apply(dir);
    String note = manifest.path("checkpoint").asText(null);
    if (note != null) {
      String edited = editCheckpoint.apply(note);
      if (!edited.equals(note)) {
        manifest.put("checkpoint", edited);
        Path log = dir.resolve(CheckpointLog.FILE);
        String text = Files.readString(log, StandardCharsets.UTF_8);
        Files.writeString(log, text.replace(note, edited), StandardCharsets.UTF_8);
      }
    }
    // every hash, the head and the count made to match what is there now
    Map<String, byte[]> files = new TreeMap<>();
    try (Stream<Path> walk = Files.walk(dir)) {
      for (Path p : (Iterable<Path>) walk.filter(Files::isRegularFile)::iterator) {
        files.put(dir.relativize(p).toString().replace('\\', '/'), Files.readAllBytes(p));
      }
    }
    ArrayNode list = manifest.putArray("files");
    files.forEach(
        (path, bytes) ->
            list.addObject()
                .put("path", path)
                .put("sha256", Digests.sha256(bytes))
                .put("bytes", bytes.length));
    List<String> lines = lines(files.get("events.jsonl"));
    manifest.put("events", lines.size());
    manifest.put("project_head", eventHash(lines.get(lines.size() - 1)));
    ArrayNode chains = manifest.putArray("chains");
    chains
        .addObject()
        .put("path", "events.jsonl")
        .put("head", eventHash(lines.get(lines.size() - 1)));
    files.forEach(
        (path, bytes) -> {
          if (path.startsWith("tasks/") && path.endsWith("/events.jsonl")) {
            List<String> task = lines(bytes);
            if (!task.isEmpty()) {
              chains
                  .addObject()
                  .put("path", path)
                  .put("head", eventHash(task.get(task.size() - 1)));
            }
          }
        });
    try (OutputStream os = Files.newOutputStream(out);
        ZipOutputStream zip = new ZipOutputStream(os)) {
      zip.putNextEntry(new ZipEntry(BundleVerifier.MANIFEST));
      zip.write(JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(manifest));
      zip.closeEntry();
      for (Map.Entry<String, byte[]> f : files.entrySet()) {
        zip.putNextEntry(new ZipEntry(f.getKey()));
        zip.write(f.getValue());
        zip.closeEntry();
      }
    }
    return out;
  }

  public static Path forge(Path archive, Path out, Tamper tamper) throws IOException {
    return forge(archive, out, tamper, UnaryOperator.identity());
  }

  static List<String> lines(byte[] bytes) {
    String s = new String(bytes, StandardCharsets.UTF_8);
    return s.isEmpty() ? List.of() : List.of(s.split("\n"));
  }

  static String eventHash(String line) {
    try {
      JsonNode n = JSON.readTree(line);
      return n.path("event_hash").asText();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }
}
