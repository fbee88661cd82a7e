package dev.aiflow.engine.requirements;

import dev.aiflow.config.AiflowProperties;
import dev.aiflow.engine.EngineVariables;
import dev.aiflow.engine.SessionRecorder;
import dev.aiflow.files.PathPolicy;
import dev.aiflow.files.PathRefusedException;
import dev.aiflow.ids.Ids;
import dev.aiflow.negotiation.DraftException;
import dev.aiflow.negotiation.Drafter;
import dev.aiflow.negotiation.Drafters;
import dev.aiflow.negotiation.DraftingInput;
import dev.aiflow.negotiation.FreezeStore;
import dev.aiflow.negotiation.Negotiation;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import org.camunda.bpm.engine.delegate.BpmnError;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.JavaDelegate;
import org.springframework.stereotype.Component;

/**
 * {@code Task_DraftRequirements}: the dialogue plus every rejection comment, drafted by the chosen
 * controller; the draft's hash and whether it would freeze go to the approval. Bad variables (also
 * over /engine-rest) end at {@code EndEvent_InvalidInput} through BPMN error {@value
 * #INVALID_INPUT}, never a 500; a drafter that fails is an incident an operator can retry.
 */
@Component("draftRequirementsDelegate")
class DraftRequirementsDelegate implements JavaDelegate {

  static final String INVALID_INPUT = "INVALID_INPUT";

  private final AiflowProperties properties;
  private final SessionRecorder session;

  DraftRequirementsDelegate(AiflowProperties properties, SessionRecorder session) {
    this.properties = properties;
    this.session = session;
  }

  @Override
  public void execute(DelegateExecution ex) {
    try {
      draft(ex);
    } catch (IllegalArgumentException e) {
      String field =
          e instanceof PathRefusedException p
              ? p.field() + ": "
              : e instanceof Ids.InvalidIdException i ? i.kind() + ": " : "";
      throw new BpmnError(INVALID_INPUT, field + e.getMessage());
    }
  }

  private void draft(DelegateExecution ex) {
    FreezeStore store = RequirementsSupport.store(properties, ex);
    int round = EngineVariables.integer(ex, RequirementsVars.DRAFT_ROUND, 0) + 1;
    String backend = EngineVariables.string(ex, RequirementsVars.CONTROLLER_BACKEND, "heuristic");
    String model = EngineVariables.string(ex, RequirementsVars.CONTROLLER_MODEL, null);
    String commandName = EngineVariables.string(ex, RequirementsVars.CONTROLLER_COMMAND, null);
    String commandLine =
        DraftingInput.commandLine(backend, commandName, properties.controller().commands());
    String dialogue =
        DraftingInput.dialogue(dialogueText(ex, store), RequirementsSupport.reviewNotes(ex));
    Drafter drafter =
        Drafters.create(
            backend,
            model,
            commandLine,
            store.inputDir().resolve("controller-runs").resolve("round-" + round));
    Negotiation.Drafted d;
    try {
      d = Negotiation.draft(drafter, dialogue, store, model, commandName, Instant.now());
    } catch (DraftException e) {
      throw new IllegalStateException(e.getMessage(), e);
    }
    ex.setVariable(RequirementsVars.DRAFT_ROUND, round);
    ex.setVariable(RequirementsVars.DRAFT_PATH, store.draftFile().toString());
    ex.setVariable(RequirementsVars.DRAFT_SHA256, d.sha256());
    EngineVariables.setJson(
        ex,
        RequirementsVars.DRAFT_FINDINGS,
        EngineVariables.toJson(d.findings().stream().map(Object::toString).toList()));
    ex.setVariable(
        RequirementsVars.DRAFT_FINDINGS_SUMMARY,
        d.findings().isEmpty()
            ? "yes: the draft is a complete task brief"
            : "no, "
                + d.findings().size()
                + " problem(s): "
                + RequirementsSupport.summary(d.findings()));
    ex.setVariable(RequirementsVars.APPROVED, false);
    session.record(
        ex,
        "requirements_drafted",
        null,
        Map.of(
            "round", round,
            "backend", drafter.backend(),
            "draft_sha256", d.sha256(),
            "findings", d.findings().size()));
  }

  /** {@code dialogue} inline, else the project's own dialogue file; null when neither is set. */
  private String dialogueText(DelegateExecution ex, FreezeStore store) {
    String inline = EngineVariables.string(ex, RequirementsVars.DIALOGUE, null);
    String path = EngineVariables.string(ex, RequirementsVars.DIALOGUE_PATH, null);
    if (inline != null || path == null) {
      return inline;
    }
    Path real =
        properties
            .pathPolicy()
            .existingFile(RequirementsVars.DIALOGUE_PATH, path, DraftingInput.MAX_DIALOGUE_BYTES);
    Path own = store.inputDir().toAbsolutePath().normalize();
    try {
      own = own.toRealPath();
    } catch (IOException e) {
      // no input folder: nothing in it to read
    }
    DraftingInput.requireOwnDialogueFile(RequirementsVars.DIALOGUE_PATH, real, own);
    return new String(
        PathPolicy.readBounded(
            RequirementsVars.DIALOGUE_PATH, path, real, DraftingInput.MAX_DIALOGUE_BYTES),
        StandardCharsets.UTF_8);
  }
}
