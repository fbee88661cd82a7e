package dev.aiflow.logger;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.NoSuchFileException;
import java.time.DateTimeException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The two project manifests, read and checked member by member (docs/chain-format.md, "Manifests"):
 * every member the logger writes is checked here or against the chain, and a member it does not
 * write is refused. Problems name the file and the member, never the file's content (a value is
 * shown only when it is a short plain string).
 */
final class ProjectManifests {

  static final String FORMAT = "aiflow-workflow-log";
  static final String HASH_ALGORITHM = "SHA-256";
  static final String CANONICALIZATION = "RFC 8785";

  private static final Set<String> SCHEMA_MEMBERS =
      Set.of("schema_version", "hash_algorithm", "canonicalization", "genesis");
  private static final Set<String> PROJECT_MEMBERS =
      Set.of("format", "project_id", "created_at", "lineage");
  private static final Set<String> LINEAGE_MEMBERS = Set.of("project_id", "head", "migrated_at");
  private static final Pattern HASH = Pattern.compile("[0-9a-f]{64}");
  private static final Pattern PLAIN = Pattern.compile("[\\x20-\\x7e]{0,80}");

  /** One migration the manifest records: the id and head before it, and when it happened. */
  record Migration(String projectId, String head, String migratedAt) {}

  /** The manifest's project id, or null when it could not be read. */
  String projectId;

  /** When the project was initialised, or null when it could not be read. */
  String createdAt;

  /** The manifest's lineage, oldest first; null when it could not be read. */
  List<Migration> lineage;

  private ProjectManifests() {}

  static ProjectManifests read(
      ProjectSource source, String expectedProjectId, List<ChainProblem> problems)
      throws IOException {
    ProjectManifests m = new ProjectManifests();
    JsonNode schema = parse(source, ProjectLayout.SCHEMA_VERSION, problems);
    if (schema != null) {
      m.checkSchema(schema, problems);
    }
    JsonNode project = parse(source, ProjectLayout.PROJECT_MANIFEST, problems);
    if (project != null) {
      m.checkProject(project, expectedProjectId, problems);
    }
    return m;
  }

  private static JsonNode parse(ProjectSource source, String file, List<ChainProblem> problems)
      throws IOException {
    try (InputStream in = source.open(file)) {
      JsonNode node = CanonicalJson.STRICT_MAPPER.readTree(in);
      if (node == null || !node.isObject()) {
        problems.add(invalid(file, "it is not a JSON object"));
        return null;
      }
      return node;
    } catch (NoSuchFileException e) {
      problems.add(new ChainProblem(file, 0, "FILE_MISSING", null, null, "the file is missing"));
    } catch (JsonProcessingException e) {
      problems.add(
          new ChainProblem(file, 0, "UNREADABLE_MANIFEST", null, null, CanonicalJson.describe(e)));
    }
    return null;
  }

  private void checkSchema(JsonNode schema, List<ChainProblem> problems) {
    String file = ProjectLayout.SCHEMA_VERSION;
    unexpected(file, "", schema, SCHEMA_MEMBERS, problems);
    JsonNode version = schema.get("schema_version");
    if (version == null || !version.isIntegralNumber() || version.asLong() != EventFields.SCHEMA) {
      problems.add(
          new ChainProblem(
              file,
              0,
              "SCHEMA_UNSUPPORTED",
              String.valueOf(EventFields.SCHEMA),
              shown(version),
              "this version of aiflow reads schema " + EventFields.SCHEMA));
    }
    constant(file, schema, "hash_algorithm", HASH_ALGORITHM, problems);
    constant(file, schema, "canonicalization", CANONICALIZATION, problems);
    constant(file, schema, "genesis", EventFields.GENESIS, problems);
  }

  private void checkProject(
      JsonNode manifest, String expectedProjectId, List<ChainProblem> problems) {
    String file = ProjectLayout.PROJECT_MANIFEST;
    unexpected(file, "", manifest, PROJECT_MEMBERS, problems);
    constant(file, manifest, "format", FORMAT, problems);
    JsonNode id = manifest.get("project_id");
    if (!isId(id)) {
      problems.add(invalid(file, "project_id is not a valid project id"));
    } else {
      projectId = id.textValue();
      if (expectedProjectId != null && !expectedProjectId.equals(projectId)) {
        problems.add(
            new ChainProblem(
                file,
                0,
                "PROJECT_ID_MISMATCH",
                expectedProjectId,
                projectId,
                "the manifest names another project than the one verified"));
      }
    }
    JsonNode created = manifest.get("created_at");
    if (!isInstant(created)) {
      problems.add(invalid(file, "created_at is not an ISO-8601 UTC instant in milliseconds"));
    } else {
      createdAt = created.textValue();
    }
    JsonNode entries = manifest.get("lineage");
    if (entries == null || !entries.isArray()) {
      problems.add(invalid(file, "lineage is not an array"));
      return;
    }
    List<Migration> found = new ArrayList<>();
    for (int i = 0; i < entries.size(); i++) {
      JsonNode e = entries.get(i);
      String where = "lineage[" + i + "]";
      if (!e.isObject()) {
        problems.add(invalid(file, where + " is not an object"));
        return;
      }
      unexpected(file, where + ".", e, LINEAGE_MEMBERS, problems);
      if (!isId(e.get("project_id"))
          || !isHash(e.get("head"))
          || !isInstant(e.get("migrated_at"))) {
        problems.add(
            invalid(
                file,
                where + " needs a project_id, a head (64 hex digits) and a migrated_at instant"));
        return;
      }
      found.add(
          new Migration(
              e.get("project_id").textValue(),
              e.get("head").textValue(),
              e.get("migrated_at").textValue()));
    }
    lineage = found;
  }

  private static void unexpected(
      String file, String prefix, JsonNode node, Set<String> allowed, List<ChainProblem> problems) {
    for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
      String name = it.next();
      if (!allowed.contains(name)) {
        problems.add(
            invalid(
                file,
                "member "
                    + prefix
                    + printable(name)
                    + " is not one aiflow writes (it would go unchecked)"));
      }
    }
  }

  private static void constant(
      String file, JsonNode node, String member, String expected, List<ChainProblem> problems) {
    JsonNode value = node.get(member);
    if (value == null || !value.isTextual() || !expected.equals(value.textValue())) {
      problems.add(
          new ChainProblem(
              file,
              0,
              "MANIFEST_MISMATCH",
              expected,
              shown(value),
              member + " must be " + expected));
    }
  }

  private static ChainProblem invalid(String file, String why) {
    return new ChainProblem(file, 0, "MANIFEST_INVALID", null, null, why);
  }

  private static boolean isId(JsonNode n) {
    if (n == null || !n.isTextual()) {
      return false;
    }
    try {
      ProjectLayout.checkId("id", n.textValue());
      return true;
    } catch (LogRefusedException e) {
      return false;
    }
  }

  static boolean isHash(JsonNode n) {
    return n != null && n.isTextual() && HASH.matcher(n.textValue()).matches();
  }

  /** An instant as the logger writes it: ISO-8601 UTC, truncated to milliseconds. */
  static boolean isInstant(JsonNode n) {
    if (n == null || !n.isTextual()) {
      return false;
    }
    try {
      Instant at = Instant.parse(n.textValue());
      return at.getNano() % 1_000_000 == 0 && at.toString().equals(n.textValue());
    } catch (DateTimeException e) {
      return false;
    }
  }

  /** A value for a report: itself when it is a short plain string, otherwise what it is. */
  static String shown(JsonNode n) {
    if (n == null) {
      return null;
    }
    if (n.isTextual()) {
      String s = n.textValue();
      return PLAIN.matcher(s).matches() ? s : "a string of " + s.length() + " characters";
    }
    if (n.isIntegralNumber() && n.canConvertToLong()) {
      return String.valueOf(n.asLong());
    }
    return "a JSON " + n.getNodeType().name().toLowerCase(java.util.Locale.ROOT);
  }

  /** A name for a report: control and non-ASCII characters escaped, at most 80 characters. */
  static String printable(String s) {
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < s.length() && out.length() < 80; i++) {
      char c = s.charAt(i);
      if (c >= 0x20 && c < 0x7f) {
        out.append(c);
      } else {
        out.append(String.format("\\u%04x", (int) c));
      }
    }
    return "'" + out + (out.length() >= 80 ? "...'" : "'");
  }
}
