package dev.aiflow.logger;

/** The member names of stored events (see docs/chain-format.md). */
final class EventFields {
  static final String SCHEMA_VERSION = "schema_version";
  static final String PROJECT_ID = "project_id";
  static final String SEQ = "seq";
  static final String EVENT_TYPE = "event_type";
  static final String RECORDED_AT = "recorded_at";
  static final String PREV_EVENT_HASH = "prev_event_hash";
  static final String PROJECT_PREV_EVENT_HASH = "project_prev_event_hash";
  static final String EVENT_HASH = "event_hash";
  static final String TASK_ID = "task_id";
  static final String TASK_SEQ = "task_seq";
  static final String R = "r";
  static final String S = "s";
  static final String IDEMPOTENCY_KEY = "idempotency_key";
  static final String REVISION_KEY = "revision_key";
  static final String FINAL_STATUS = "final_status";
  static final String CODE_CONTENT = "code_content";
  static final String CODE_CONTENT_REF = "code_content_ref";
  static final String FROM_PROJECT_ID = "from_project_id";

  static final String TYPE_PROJECT_INITIALIZED = "project_initialized";
  static final String TYPE_PROJECT_MIGRATED = "project_migrated";
  static final String TYPE_ATTEMPT = "attempt";
  static final String TYPE_TASK_CLOSED = "task_closed";

  /** The current event schema. */
  static final int SCHEMA = 1;

  /** The previous-hash value of the first event of every chain: 64 zeros. */
  static final String GENESIS = "0".repeat(64);

  private EventFields() {}
}
