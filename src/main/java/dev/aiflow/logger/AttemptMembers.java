package dev.aiflow.logger;

import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * The canonical members of an attempt's payload, written straight from its {@link AttemptRecord}:
 * no Jackson tree is built, sorted or walked. The member names are known, so they are emitted in
 * their RFC 8785 order (UTF-16 code units) by construction; only the open maps ({@code context},
 * {@code usage}) are sorted. The result is byte for byte what {@link EventEncoder#members} makes of
 * the equivalent tree ({@code AttemptMembersTest} compares the two on generated attempts).
 */
final class AttemptMembers {

  /** Where an attempt's code content went when it was too large to inline. */
  record ContentRef(String path, String sha256, long bytes) {}

  private static final int MAX = 19;

  private final String[] keys = new String[MAX];
  private final String[] texts = new String[MAX];
  private final StringBuilder s = new StringBuilder(128);
  private int n;

  private AttemptMembers() {}

  /**
   * The payload members of an attempt; {@code ref} replaces the inline {@code code_content} when
   * set.
   */
  static EventEncoder.Members of(AttemptRecord a, ContentRef ref) {
    AttemptMembers m = new AttemptMembers();
    // the calls below follow the members' sorted order; a misplaced one fails the differential test
    m.begin("acceptance_snapshot");
    m.strings(a.acceptanceSnapshot());
    m.end();
    m.string("code_artifact_ref", a.codeArtifactRef());
    m.string("code_change_summary", a.codeChangeSummary());
    if (ref == null) {
      m.string(EventFields.CODE_CONTENT, a.codeContent());
    }
    if (ref != null) {
      m.begin(EventFields.CODE_CONTENT_REF);
      m.s.append("{\"bytes\":").append(ref.bytes()).append(",\"path\":");
      CanonicalJson.writeString(ref.path(), m.s);
      m.s.append(",\"sha256\":");
      CanonicalJson.writeString(ref.sha256(), m.s);
      m.s.append('}');
      m.end();
    }
    if (!a.context().isEmpty()) {
      m.begin("context");
      m.object(a.context());
      m.end();
    }
    EngineCorrelation e = a.engine();
    if (!e.isEmpty()) {
      m.begin("engine");
      m.s.append('{');
      boolean first = true;
      first = m.inner("activity_id", e.activityId(), first);
      first = m.inner("activity_instance_id", e.activityInstanceId(), first);
      first = m.inner("external_task_id", e.externalTaskId(), first);
      m.inner("process_instance_id", e.processInstanceId(), first);
      m.s.append('}');
      m.end();
    }
    m.begin("executed_commands");
    m.strings(a.executedCommands());
    m.end();
    m.begin("executed_files");
    m.strings(a.executedFiles());
    m.end();
    m.string(EventFields.IDEMPOTENCY_KEY, a.idempotencyKey());
    m.string("next_action", a.nextAction());
    m.begin(EventFields.R);
    m.s.append(a.r());
    m.end();
    m.string("reason_code", a.reasonCode());
    m.string("reason_detail", a.reasonDetail());
    m.string("result", a.result());
    m.string(EventFields.REVISION_KEY, a.revisionKey());
    m.begin(EventFields.S);
    m.s.append(a.s());
    m.end();
    m.string("test_results", a.testResults());
    if (!a.usage().isEmpty()) {
      m.begin("usage");
      m.object(a.usage());
      m.end();
    }
    return new EventEncoder.Members(Arrays.copyOf(m.keys, m.n), Arrays.copyOf(m.texts, m.n));
  }

  private void begin(String key) {
    keys[n] = key;
    s.setLength(0);
    // every key here is a plain lower-case word: nothing to escape
    s.append('"').append(key).append("\":");
  }

  private void end() {
    texts[n++] = s.toString();
  }

  private void string(String key, String value) {
    if (value != null) {
      begin(key);
      CanonicalJson.writeString(value, s);
      end();
    }
  }

  private boolean inner(String key, String value, boolean first) {
    if (value == null) {
      return first;
    }
    if (!first) {
      s.append(',');
    }
    s.append('"').append(key).append("\":");
    CanonicalJson.writeString(value, s);
    return false;
  }

  private void strings(List<String> values) {
    s.append('[');
    for (int i = 0; i < values.size(); i++) {
      if (i > 0) {
        s.append(',');
      }
      String v = values.get(i);
      if (v == null) {
        s.append("null");
      } else {
        CanonicalJson.writeString(v, s);
      }
    }
    s.append(']');
  }

  /** A map of strings, booleans and integers below 2^53 (what AttemptRecord admits). */
  private void object(Map<String, ?> values) {
    String[] names = values.keySet().toArray(String[]::new);
    Arrays.sort(names); // String order is UTF-16 code-unit order, as RFC 8785 sorts
    s.append('{');
    for (int i = 0; i < names.length; i++) {
      if (i > 0) {
        s.append(',');
      }
      CanonicalJson.writeString(names[i], s);
      s.append(':');
      Object v = values.get(names[i]);
      if (v instanceof String t) {
        CanonicalJson.writeString(t, s);
      } else if (v instanceof Boolean b) {
        s.append(b ? "true" : "false");
      } else if (v == null) {
        s.append("null");
      } else {
        s.append(((Number) v).longValue());
      }
    }
    s.append('}');
  }
}
