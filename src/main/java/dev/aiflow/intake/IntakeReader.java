package dev.aiflow.intake;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.aiflow.protocol.AcceptanceCriterion;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads a task file (JSON) into an {@link IntakeTask}. Shape problems (an unknown field, a number
 * where text belongs) become findings like any other, so the author sees all of them at once.
 */
public final class IntakeReader {

  /** The fields a task file may have. */
  public static final Set<String> FIELDS =
      Set.of(
          "task_title",
          "target",
          "execution_route",
          "acceptance_criteria",
          "objective",
          "risk",
          "steps",
          "allowed_paths",
          "required_commands",
          "out_of_scope",
          "risks",
          "rollback");

  private static final ObjectMapper JSON =
      JsonMapper.builder().enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION).build();

  /** {@code "AC-1: text"}: the seed's string form of a criterion (letters, digits, a colon). */
  private static final Pattern CRITERION =
      Pattern.compile("^\\s*([A-Za-z]{1,16}-?[0-9]{1,8})\\s*[:.)]\\s*(.+)$");

  private IntakeReader() {}

  /** A task and the shape problems found while reading it. */
  public record Reading(IntakeTask task, List<IntakeFinding> findings) {}

  /** Reads the task file; throws {@link IllegalArgumentException} when it is not JSON at all. */
  public static Reading read(String json) {
    JsonNode root;
    try {
      root = dev.aiflow.json.StrictJson.readTree(json);
    } catch (dev.aiflow.json.JsonInputException e) {
      throw new IllegalArgumentException("the task file " + e.getMessage());
    }
    if (root == null || !root.isObject()) {
      throw new IllegalArgumentException("the task file must hold a JSON object");
    }
    List<IntakeFinding> findings = new ArrayList<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
      String name = it.next().getKey();
      if (!FIELDS.contains(name)) {
        findings.add(
            new IntakeFinding(
                "INTAKE_UNKNOWN_FIELD",
                "/" + name,
                "unknown field (known: " + FIELDS.stream().sorted().toList() + ")"));
      }
    }
    IntakeTask task =
        new IntakeTask(
            text(root, "task_title", findings),
            text(root, "target", findings),
            text(root, "execution_route", findings),
            criteria(root, findings),
            text(root, "objective", findings),
            text(root, "risk", findings),
            texts(root, "steps", findings),
            texts(root, "allowed_paths", findings),
            texts(root, "required_commands", findings),
            texts(root, "out_of_scope", findings),
            texts(root, "risks", findings),
            text(root, "rollback", findings));
    return new Reading(task, findings);
  }

  private static String text(JsonNode root, String name, List<IntakeFinding> findings) {
    JsonNode n = root.get(name);
    if (n == null || n.isNull()) {
      return null;
    }
    if (!n.isTextual()) {
      findings.add(new IntakeFinding("INTAKE_WRONG_TYPE", "/" + name, "must be text"));
      return null;
    }
    return n.textValue();
  }

  private static List<String> texts(JsonNode root, String name, List<IntakeFinding> findings) {
    JsonNode n = root.get(name);
    if (n == null || n.isNull()) {
      return List.of();
    }
    if (!n.isArray()) {
      findings.add(new IntakeFinding("INTAKE_WRONG_TYPE", "/" + name, "must be a list of text"));
      return List.of();
    }
    List<String> out = new ArrayList<>();
    for (int i = 0; i < n.size(); i++) {
      if (n.get(i).isTextual()) {
        out.add(n.get(i).textValue());
      } else {
        findings.add(new IntakeFinding("INTAKE_WRONG_TYPE", "/" + name + "/" + i, "must be text"));
      }
    }
    return out;
  }

  private static List<AcceptanceCriterion> criteria(JsonNode root, List<IntakeFinding> findings) {
    JsonNode n = root.get("acceptance_criteria");
    if (n == null || n.isNull()) {
      return List.of();
    }
    if (!n.isArray()) {
      findings.add(
          new IntakeFinding("INTAKE_WRONG_TYPE", "/acceptance_criteria", "must be a list"));
      return List.of();
    }
    List<AcceptanceCriterion> out = new ArrayList<>();
    for (int i = 0; i < n.size(); i++) {
      JsonNode c = n.get(i);
      if (c.isTextual()) {
        Matcher m = CRITERION.matcher(c.textValue());
        out.add(
            m.matches()
                ? new AcceptanceCriterion(m.group(1), m.group(2).trim(), null)
                : new AcceptanceCriterion(null, c.textValue().trim(), null));
      } else if (c.isObject()) {
        out.add(
            new AcceptanceCriterion(
                c.path("id").isTextual() ? c.get("id").textValue() : null,
                c.path("description").isTextual() ? c.get("description").textValue() : null,
                c.path("verification").isTextual() ? c.get("verification").textValue() : null));
        for (Iterator<String> it = c.fieldNames(); it.hasNext(); ) {
          String f = it.next();
          if (!Set.of("id", "description", "verification").contains(f)) {
            findings.add(
                new IntakeFinding(
                    "INTAKE_UNKNOWN_FIELD",
                    "/acceptance_criteria/" + i + "/" + f,
                    "unknown field (known: id, description, verification)"));
          }
        }
      } else {
        findings.add(
            new IntakeFinding(
                "INTAKE_WRONG_TYPE", "/acceptance_criteria/" + i, "must be text or an object"));
      }
    }
    return out;
  }
}
