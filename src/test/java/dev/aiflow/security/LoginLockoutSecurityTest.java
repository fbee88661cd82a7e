package dev.aiflow.security;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * Finding 5: wrong passwords sent for {@code admin} by an unauthenticated client kept the admin
 * locked out for everyone (Camunda's per-account lock). Brute force is now slowed per client
 * address: the attacker's address gets 429, the operator's address keeps working.
 */
class LoginLockoutSecurityTest extends SecurityTestBase {

  static final String ATTACKER = "127.0.0.2";
  static final String OPERATOR = "127.0.0.1";

  @Test
  void anAttackerLocksOutOnlyItself() throws Exception {
    String wrong = basic("admin", "not-the-password");
    int throttled = 0;
    for (int i = 0; i < 12; i++) {
      Raw r = raw(ATTACKER, "GET", "/engine-rest/process-definition/count", wrong);
      assertThat(r.status()).isIn(401, 429);
      if (r.status() == 429) {
        throttled++;
        assertThat(r.text()).contains("Retry-After");
      }
      // between the attacker's attempts the operator signs in, on every API and every time
      for (String path : new String[] {"/engine-rest/process-definition/count", "/api/campaigns"}) {
        Raw ok = raw(OPERATOR, "GET", path, basic("admin", adminPassword()));
        assertThat(ok.status()).as(path + " at attempt " + i).isEqualTo(200);
      }
      Thread.sleep(500); // two attempts a second, as in the finding
    }
    assertThat(throttled).as("the attacker's address is slowed down").isGreaterThan(0);
    // the account itself is not locked: Camunda's per-account lock is off
    assertThat(engine.getIdentityService().createUserQuery().userId("admin").singleResult())
        .isNotNull();
    assertThat(raw(OPERATOR, "GET", "/api/campaigns", basic("admin", adminPassword())).status())
        .isEqualTo(200);
    // while blocked, the attacker's address is refused before its credentials are checked
    assertThat(raw(ATTACKER, "GET", "/api/campaigns", basic("admin", adminPassword())).status())
        .isEqualTo(429);
  }

  @Test
  void theWebappLoginFormIsThrottledTheSameWay() throws Exception {
    // failed form logins from one address count like failed Basic logins
    int status = 0;
    for (int i = 0; i < 8; i++) {
      status =
          raw("127.0.0.3", "POST", "/camunda/api/admin/auth/user/default/login/cockpit", null)
              .status();
    }
    assertThat(status).isIn(401, 403, 429);
    assertThat(raw(OPERATOR, "GET", "/api/campaigns", basic("admin", adminPassword())).status())
        .isEqualTo(200);
  }
}
