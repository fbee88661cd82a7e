package dev.aiflow.engine.requirements;

import dev.aiflow.engine.EngineVariables;
import dev.aiflow.engine.SessionRecorder;
import dev.aiflow.negotiation.DraftingInput;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.JavaDelegate;
import org.springframework.stereotype.Component;

/** {@code Task_RecordRejection}: the comment (or the freeze's refusal) joins the dialogue. */
@Component("recordRejectionDelegate")
class RecordRejectionDelegate implements JavaDelegate {

  private final SessionRecorder session;

  RecordRejectionDelegate(SessionRecorder session) {
    this.session = session;
  }

  @Override
  public void execute(DelegateExecution ex) {
    String note =
        DraftingInput.rejectionNote(
            EngineVariables.string(ex, RequirementsVars.FREEZE_REFUSAL, null),
            EngineVariables.string(ex, RequirementsVars.APPROVAL_COMMENT, null));
    List<String> notes = RequirementsSupport.reviewNotes(ex);
    if (note != null) {
      notes.add(note);
    }
    EngineVariables.setJson(ex, RequirementsVars.REVIEW_NOTES, EngineVariables.toJson(notes));
    ex.removeVariable(RequirementsVars.FREEZE_REFUSAL);
    Map<String, Object> d = new LinkedHashMap<>();
    d.put("reviewer", EngineVariables.string(ex, RequirementsVars.APPROVER, "unknown"));
    d.put("comment", note == null ? "" : note);
    d.put("draft_sha256", EngineVariables.string(ex, RequirementsVars.DRAFT_SHA256, ""));
    session.record(ex, "requirements_rejected", null, d);
  }
}
