package dev.aiflow.agent;

import dev.aiflow.worker.AgentUsage;
import dev.aiflow.worker.Outcome;

/**
 * What the built-in shim learns about one agent run from the CLI's event stream: the thread, the
 * model, the running usage, the agent's final message, and the CLI's own failure, if any. Written
 * by one adapter on the shim's reading thread.
 */
final class AgentRun {

  String threadId;
  String model;
  Long inputTokens;
  Long outputTokens;
  Long cacheReadTokens;
  Long cacheWriteTokens;
  Long reasoningTokens;
  Double costUsd;
  Integer turns;
  private final StringBuilder finalText = new StringBuilder();
  Outcome failure;
  String failureDetail;
  int permissionDenials;
  String permissionDetail;

  /** The agent's last message so far (where the framed StepResult is looked for). */
  String finalText() {
    return finalText.toString();
  }

  void setFinalText(String text) {
    finalText.setLength(0);
    if (text != null) {
      finalText.append(text);
    }
  }

  void appendFinalText(String text) {
    finalText.append(text);
  }

  /** Records the first failure the CLI reported; later ones are consequences. */
  void fail(Outcome outcome, String detail) {
    if (failure == null) {
      failure = outcome;
      failureDetail = detail;
    }
  }

  void denied(String detail) {
    permissionDenials++;
    if (permissionDetail == null) {
      permissionDetail = detail;
    }
  }

  void tokens(Long input, Long output, Long cacheRead, Long cacheWrite, Long reasoning) {
    inputTokens = input;
    outputTokens = output;
    cacheReadTokens = cacheRead;
    cacheWriteTokens = cacheWrite;
    reasoningTokens = reasoning;
  }

  AgentUsage usage(String backend) {
    return new AgentUsage(
        backend,
        model,
        threadId,
        inputTokens,
        outputTokens,
        cacheReadTokens,
        cacheWriteTokens,
        reasoningTokens,
        costUsd,
        costUsd == null ? AgentUsage.CostSource.UNKNOWN : AgentUsage.CostSource.REPORTED,
        turns);
  }
}
