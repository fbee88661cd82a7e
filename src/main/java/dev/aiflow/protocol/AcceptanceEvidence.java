package dev.aiflow.protocol;

import java.util.List;

/** The evidence a worker offers for one acceptance criterion. */
public record AcceptanceEvidence(String criterionId, List<String> evidencePaths, String note) {

  public AcceptanceEvidence {
    evidencePaths = evidencePaths == null ? List.of() : List.copyOf(evidencePaths);
  }
}
