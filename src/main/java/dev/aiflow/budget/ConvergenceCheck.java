package dev.aiflow.budget;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.aiflow.logger.ChainEvent;
import dev.aiflow.qa.CheckResult;
import dev.aiflow.qa.Finding;
import dev.aiflow.qa.QaReview;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;

/**
 * The circuit breaker's first half: does a rework round's QA review repeat the previous round's?
 * Two reviews repeat when they fail the same checks with the same reason codes and the same
 * findings. Findings are compared after the round's own markers are blanked ({@code -R<n>} in step
 * ids and evidence paths, runs of digits), so "AC-1: no evidence at .../S-1-R2/x.log" repeats
 * ".../S-1-R1/x.log". A round that repeats its predecessor is not converging: the engine should
 * stop with {@value #NOT_CONVERGING} instead of spending the remaining rounds.
 */
public final class ConvergenceCheck {

  public static final String NOT_CONVERGING = "REWORK_NOT_CONVERGING";

  private static final ObjectMapper JSON = new ObjectMapper();

  private ConvergenceCheck() {}

  /**
   * The verdict.
   *
   * @param repeats whether the latest review repeats the one before
   * @param signature what both reviews failed on, normalised (empty when nothing failed)
   */
  public record Result(boolean repeats, List<String> signature) {}

  public static Result compare(QaReview previous, QaReview current) {
    return compare(signature(previous), signature(current));
  }

  /** The last two {@code qa_review} events of a task's chain, if it has two. */
  public static Optional<Result> latest(List<ChainEvent> taskEvents) {
    List<JsonNode> reviews = new ArrayList<>();
    for (ChainEvent e : taskEvents) {
      if ("qa_review".equals(e.eventType())) {
        try {
          reviews.add(JSON.readTree(e.json()));
        } catch (IOException ex) {
          // an unreadable line is for verification to report
        }
      }
    }
    if (reviews.size() < 2) {
      return Optional.empty();
    }
    return Optional.of(
        compare(
            signature(reviews.get(reviews.size() - 2)),
            signature(reviews.get(reviews.size() - 1))));
  }

  static Result compare(List<String> previous, List<String> current) {
    boolean repeats = !current.isEmpty() && current.equals(previous);
    return new Result(repeats, current);
  }

  static List<String> signature(QaReview review) {
    TreeSet<String> s = new TreeSet<>();
    for (CheckResult c : review.checks()) {
      if (c.passed()) {
        continue;
      }
      s.add(c.check().name() + " " + c.reasonCode());
      for (Finding f : c.findings()) {
        s.add(c.check().name() + " " + normalise(f.reasonCode() + ": " + f.detail()));
      }
    }
    return List.copyOf(s);
  }

  /** From a chain {@code qa_review} event (its {@code checks} member). */
  static List<String> signature(JsonNode review) {
    TreeSet<String> s = new TreeSet<>();
    for (JsonNode c : review.path("checks")) {
      if (c.path("passed").asBoolean(false)) {
        continue;
      }
      String check = c.path("check").asText();
      s.add(check + " " + c.path("reason_code").asText());
      for (JsonNode f : c.path("findings")) {
        s.add(check + " " + normalise(f.asText()));
      }
    }
    return List.copyOf(s);
  }

  static String normalise(String finding) {
    return finding
        .replaceAll("-R\\d+", "-R#")
        .replaceAll("\\d+", "#")
        .replaceAll("\\s+", " ")
        .strip();
  }
}
