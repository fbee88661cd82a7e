package dev.aiflow.engine.security;

/**
 * What the credential checks of one request said, for the login throttle: every place that checks a
 * password against Camunda's users records the result here ({@link
 * CamundaIdentityAuthenticationProvider} for {@code /api} and the actuator, {@link
 * ThrottledHttpBasicProvider} for {@code /engine-rest}). The throttle counts checks, not response
 * codes: a webapp page answers 200 to a request whose Basic header nobody looked at, and must not
 * reset an attacker's count.
 */
public final class LoginChecks {

  private static final ThreadLocal<Boolean[]> CURRENT = new ThreadLocal<>();

  private LoginChecks() {}

  /** Starts recording for the request on this thread. */
  public static void begin() {
    CURRENT.set(new Boolean[1]);
  }

  /** Records one check; a failure is never overwritten by a later success in the same request. */
  static void record(boolean matched) {
    Boolean[] slot = CURRENT.get();
    if (slot != null && !Boolean.FALSE.equals(slot[0])) {
      slot[0] = matched;
    }
  }

  /** Ends recording: what the checks said, or null when no password was checked. */
  public static Boolean end() {
    Boolean[] slot = CURRENT.get();
    CURRENT.remove();
    return slot == null ? null : slot[0];
  }
}
