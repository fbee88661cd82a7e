package dev.aiflow.metrics;

import io.micrometer.core.instrument.Tags;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Cleans and bounds tag values: a backend, model, project or reason code is text from outside, and
 * every distinct value is a time series of its own.
 */
final class Labels {

  /** Distinct values kept per tag key; the rest count as {@value #OTHER}. */
  static final int MAX_VALUES = 100;

  static final int MAX_LENGTH = 64;
  static final String NONE = "none";
  static final String OTHER = "other";

  private final Map<String, Set<String>> seen = new ConcurrentHashMap<>();

  /** Tags from key/value pairs, each value cleaned and bounded. */
  Tags tags(String... keysAndValues) {
    Tags tags = Tags.empty();
    for (int i = 0; i + 1 < keysAndValues.length; i += 2) {
      tags = tags.and(keysAndValues[i], value(keysAndValues[i], keysAndValues[i + 1]));
    }
    return tags;
  }

  String value(String key, String raw) {
    String v = clean(raw);
    if (v.equals(NONE)) {
      return v;
    }
    Set<String> values = seen.computeIfAbsent(key, k -> ConcurrentHashMap.newKeySet());
    if (values.contains(v)) {
      return v;
    }
    synchronized (values) {
      if (values.size() >= MAX_VALUES && !values.contains(v)) {
        return OTHER;
      }
      values.add(v);
      return v;
    }
  }

  static String clean(String raw) {
    if (raw == null || raw.isBlank()) {
      return NONE;
    }
    String s = raw.strip();
    StringBuilder b = new StringBuilder(Math.min(s.length(), MAX_LENGTH));
    for (int i = 0; i < s.length() && b.length() < MAX_LENGTH; i++) {
      char c = s.charAt(i);
      boolean ok =
          (c >= 'a' && c <= 'z')
              || (c >= 'A' && c <= 'Z')
              || (c >= '0' && c <= '9')
              || c == '_'
              || c == '.'
              || c == ':'
              || c == '-';
      b.append(ok ? c : '_');
    }
    return b.toString();
  }
}
