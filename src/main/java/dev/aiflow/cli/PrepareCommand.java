package dev.aiflow.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.aiflow.contract.CompiledContract;
import dev.aiflow.contract.ContractCompiler;
import dev.aiflow.engine.stepcycle.DmnTierRouter;
import dev.aiflow.intake.IntakeFinding;
import dev.aiflow.intake.IntakeReader;
import dev.aiflow.intake.IntakeTask;
import dev.aiflow.intake.RouteDodValidator;
import dev.aiflow.intake.TierDecision;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code aiflow prepare}: intake validation, the tier decision, and for tier3 the contract. */
@Command(
    name = "prepare",
    mixinStandardHelpOptions = true,
    description = {
      "Check a task file for Route/DoD readiness, decide its tier with processes/tier-routing.dmn,",
      "and for tier3 compile master_contract.md, template_snapshot.md and conformance_report.json.",
      "Exit 0 when ready, 1 when not ready (findings are listed), 2 on unreadable input."
    })
public class PrepareCommand implements Callable<Integer> {

  private static final ObjectMapper JSON =
      JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT).build();

  @Spec CommandSpec spec;

  @Option(
      names = "--task-file",
      required = true,
      description = "The task (JSON, see docs/intake.md).")
  Path taskFile;

  @Option(
      converter = IdConverter.class,
      names = "--run-id",
      required = true,
      description = "The run the StepPack is prepared for.")
  String runId;

  @Option(
      converter = IdConverter.class,
      names = "--task-id",
      required = true,
      description = "The task the StepPack is for.")
  String taskId;

  @Option(
      names = "--out-dir",
      description = "Where to write (default: <data-dir>/prepared/<task-id>).")
  Path outDir;

  @Option(names = "--data-dir", description = "Default: $AIFLOW_DATA_DIR or ./data.")
  Path dataDir;

  @Override
  public Integer call() throws IOException {
    PrintWriter out = spec.commandLine().getOut();
    String text;
    try {
      text = Files.readString(taskFile);
    } catch (NoSuchFileException e) {
      throw new CliException(ExitCodes.USAGE, "no task file at " + taskFile);
    }
    IntakeReader.Reading reading;
    try {
      reading = IntakeReader.read(text);
    } catch (IllegalArgumentException e) {
      throw new CliException(ExitCodes.USAGE, taskFile + ": " + e.getMessage());
    }
    Path dir =
        outDir != null
            ? outDir
            : EngineContext.dataDir(dataDir).resolve("prepared").resolve(taskId);
    return prepare(reading.task(), reading.findings(), runId, taskId, dir, out);
  }

  /**
   * Checks an intake, routes its tier and compiles a tier3 contract into {@code dir}; writes {@code
   * intake_report.json} there. Shared with {@code prepare-next}.
   *
   * @return 0 when ready, 1 when not
   */
  static int prepare(
      IntakeTask task,
      List<IntakeFinding> readingFindings,
      String runId,
      String taskId,
      Path dir,
      PrintWriter out)
      throws IOException {
    List<IntakeFinding> findings = new ArrayList<>(readingFindings);
    findings.addAll(RouteDodValidator.validate(task));
    Files.createDirectories(dir);
    ObjectNode report = JSON.createObjectNode();
    report.put("task_id", taskId);
    report.put("run_id", runId);
    report.put("ready", findings.isEmpty());
    var list = report.putArray("findings");
    findings.forEach(
        f ->
            list.addObject()
                .put("code", f.code())
                .put("field", f.field())
                .put("message", f.message()));
    if (!findings.isEmpty()) {
      Files.writeString(dir.resolve("intake_report.json"), JSON.writeValueAsString(report) + "\n");
      out.printf("NOT READY %s: %d finding(s)%n", taskId, findings.size());
      findings.forEach(f -> out.println("  " + f));
      out.println("report: " + dir.resolve("intake_report.json"));
      return ExitCodes.FAILED;
    }
    TierDecision decision = new DmnTierRouter().route(task.tierInputs());
    report.put("tier", decision.tier());
    report.put("tier_reason", decision.reason());
    report.set("tier_inputs", JSON.valueToTree(task.tierInputs()));
    out.printf("READY %s (run %s)%n", taskId, runId);
    out.printf("tier: %s (%s)%n", decision.tier(), decision.reason());
    if (decision.contractFirst()) {
      CompiledContract contract =
          ContractCompiler.withBundledTemplate().compile(task, runId, taskId);
      Path master = contract.writeTo(dir);
      report.put("contract_ref", master.toString());
      report.put("contract_conformant", contract.conformant());
      out.printf(
          "contract: %s (%s)%n",
          master,
          contract.conformant() ? "conformant" : "NOT conformant, see conformance_report.json");
    }
    Files.writeString(dir.resolve("intake_report.json"), JSON.writeValueAsString(report) + "\n");
    out.println("report: " + dir.resolve("intake_report.json"));
    return ExitCodes.OK;
  }
}
