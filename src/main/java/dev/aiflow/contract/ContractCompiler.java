package dev.aiflow.contract;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.aiflow.files.Digests;
import dev.aiflow.intake.IntakeTask;
import dev.aiflow.protocol.AcceptanceCriterion;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Compiles a tier3 master contract from an intake task and the contract template ({@code
 * docs/templates/master_contract.template.md}, in the jar as {@code
 * aiflow/templates/master_contract.template.md}). No clock, no randomness: the same task, ids and
 * template give the same bytes.
 */
public final class ContractCompiler {

  public static final String TEMPLATE_RESOURCE = "aiflow/templates/master_contract.template.md";

  private static final Pattern PLACEHOLDER = Pattern.compile("\\{\\{([a-z_0-9]+)}}");
  private static final Pattern HEADING = Pattern.compile("(?m)^## (.+)$");
  private static final ObjectMapper JSON =
      JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT).build();

  private final String template;

  public ContractCompiler(String template) {
    this.template = template.replace("\r\n", "\n");
  }

  /** A compiler for the template shipped in the jar. */
  public static ContractCompiler withBundledTemplate() {
    try (InputStream in =
        ContractCompiler.class.getClassLoader().getResourceAsStream(TEMPLATE_RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException(TEMPLATE_RESOURCE + " is not on the classpath");
      }
      return new ContractCompiler(new String(in.readAllBytes(), StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public CompiledContract compile(IntakeTask task, String runId, String taskId) {
    Map<String, String> values = new LinkedHashMap<>();
    values.put("task_title", text(task.taskTitle()));
    values.put("task_id", text(taskId));
    values.put("run_id", text(runId));
    values.put("risk", text(task.riskOrDefault()));
    values.put("template_sha256", Digests.sha256(template));
    values.put("objective", text(task.objectiveOrTitle()));
    values.put("target", text(task.target()));
    values.put("execution_route", text(task.executionRoute()));
    values.put("allowed_paths", bullets(task.allowedPaths(), true));
    values.put("out_of_scope", bullets(task.outOfScope(), false));
    values.put("steps", numbered(task.steps()));
    values.put("acceptance_criteria", criteria(task.acceptanceCriteria()));
    values.put("required_commands", bullets(commands(task), true));
    values.put("risks", bullets(task.risks(), false));
    values.put("rollback", text(task.rollback()));

    TreeSet<String> unresolved = new TreeSet<>();
    Matcher m = PLACEHOLDER.matcher(template);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      String value = values.get(m.group(1));
      if (value == null) {
        unresolved.add(m.group(1));
        value = "";
      }
      m.appendReplacement(out, Matcher.quoteReplacement(value));
    }
    m.appendTail(out);
    String contract = out.toString().replaceAll("\n{3,}", "\n\n");
    return conformance(contract, unresolved);
  }

  /** The commands that verify the task: its own, then each criterion's verification. */
  private static List<String> commands(IntakeTask task) {
    List<String> all = new ArrayList<>(task.requiredCommands());
    for (AcceptanceCriterion c : task.acceptanceCriteria()) {
      if (c.verification() != null
          && !c.verification().isBlank()
          && !all.contains(c.verification())) {
        all.add(c.verification());
      }
    }
    return all;
  }

  private CompiledContract conformance(String contract, TreeSet<String> unresolved) {
    ObjectNode report = JSON.createObjectNode();
    report.put("template", "master_contract.template.md");
    report.put("template_sha256", Digests.sha256(template));
    report.put("contract_sha256", Digests.sha256(contract));
    ArrayNode headings = report.putArray("required_headings");
    boolean conformant = unresolved.isEmpty();
    List<String> required = headings(template);
    for (String heading : required) {
      String status = status(contract, heading);
      conformant &= status.equals("present");
      headings.addObject().put("heading", heading).put("status", status);
    }
    ArrayNode missingPlaceholders = report.putArray("unresolved_placeholders");
    unresolved.forEach(missingPlaceholders::add);
    report.put("conformant", conformant);
    try {
      return new CompiledContract(
          contract, template, JSON.writeValueAsString(report) + "\n", conformant);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The template's required headings: every "## " heading, in order. */
  static List<String> headings(String markdown) {
    List<String> out = new ArrayList<>();
    Matcher m = HEADING.matcher(markdown);
    while (m.find()) {
      out.add(m.group(1).strip());
    }
    return out;
  }

  /** {@code present} (with content), {@code empty} (heading only) or {@code missing}. */
  static String status(String contract, String heading) {
    Matcher m = Pattern.compile("(?m)^## " + Pattern.quote(heading) + "\\s*$").matcher(contract);
    if (!m.find()) {
      return "missing";
    }
    int end = contract.indexOf("\n## ", m.end());
    String body = contract.substring(m.end(), end < 0 ? contract.length() : end);
    return body.replaceAll("<!--(?s).*?-->", "").isBlank() ? "empty" : "present";
  }

  private static String text(String v) {
    return v == null ? "" : v.strip();
  }

  private static String bullets(List<String> items, boolean code) {
    StringBuilder s = new StringBuilder();
    for (String item : items) {
      s.append("- ").append(code ? "`" + item.replace("`", "'") + "`" : item.strip()).append('\n');
    }
    return s.toString().stripTrailing();
  }

  private static String numbered(List<String> items) {
    StringBuilder s = new StringBuilder();
    for (int i = 0; i < items.size(); i++) {
      s.append(i + 1).append(". ").append(items.get(i).strip()).append('\n');
    }
    return s.toString().stripTrailing();
  }

  private static String criteria(List<AcceptanceCriterion> criteria) {
    StringBuilder s = new StringBuilder();
    for (AcceptanceCriterion c : criteria) {
      s.append("- **").append(text(c.id())).append("**: ").append(text(c.description()));
      if (c.verification() != null && !c.verification().isBlank()) {
        s.append(" (verify: `").append(c.verification().replace("`", "'")).append("`)");
      }
      s.append('\n');
    }
    return s.toString().stripTrailing();
  }
}
