package dev.aiflow.agent;

import dev.aiflow.worker.Outcome;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Classifies an agent CLI's own error text (an error event, a failed result, the end of stderr)
 * into the outcomes of docs/backends.md. Only text the CLI reports as an error is classified, never
 * tool output, so a test that prints "permission denied" does not count.
 */
final class Failures {

  private static final List<String> AUTH =
      List.of(
          "authentication_failed",
          "authentication failed",
          "authentication error",
          "unauthorized",
          "401",
          "403 forbidden",
          "invalid api key",
          "invalid x-api-key",
          "api key not valid",
          "no api key",
          "missing api key",
          "not logged in",
          "please run /login",
          "please login",
          "please log in",
          "login required",
          "oauth token has expired",
          "please set an auth method",
          "credentials");

  private static final List<String> RATE =
      List.of(
          "rate_limit",
          "rate limit",
          "rate-limit",
          "429",
          "too many requests",
          "resource_exhausted",
          "resource exhausted",
          "quota",
          "usage limit",
          "billing_error",
          "billing",
          "credit balance",
          "overloaded",
          "529");

  private static final List<String> CONTEXT =
      List.of(
          "context window",
          "context length",
          "context_length_exceeded",
          "prompt is too long",
          "maximum context",
          "input is too long",
          "too many tokens",
          "exceeds the maximum number of tokens",
          "context limit");

  private Failures() {}

  /** The outcome {@code text} names, if it names one of auth, rate limit or context. */
  static Optional<Outcome> classify(String text) {
    if (text == null || text.isBlank()) {
      return Optional.empty();
    }
    String t = text.toLowerCase(Locale.ROOT);
    if (CONTEXT.stream().anyMatch(t::contains)) {
      return Optional.of(Outcome.CONTEXT_EXHAUSTED);
    }
    if (RATE.stream().anyMatch(t::contains)) {
      return Optional.of(Outcome.RATE_LIMITED);
    }
    if (AUTH.stream().anyMatch(t::contains)) {
      return Optional.of(Outcome.AUTH_MISSING);
    }
    return Optional.empty();
  }

  /** {@link #classify}, else {@code AGENT_FAILED}. */
  static Outcome classifyOrFailed(String text) {
    return classify(text).orElse(Outcome.AGENT_FAILED);
  }

  /** The first line of {@code text}, short enough for a reason detail. */
  static String brief(String text) {
    if (text == null) {
      return "";
    }
    String t = text.strip().replace('\r', ' ');
    int nl = t.indexOf('\n');
    if (nl >= 0) {
      t = t.substring(0, nl);
    }
    return t.length() > 400 ? t.substring(0, 400) + "..." : t;
  }
}
