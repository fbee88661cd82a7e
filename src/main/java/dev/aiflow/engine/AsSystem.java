package dev.aiflow.engine;

import java.util.function.Supplier;
import org.camunda.bpm.engine.IdentityService;
import org.camunda.bpm.engine.impl.identity.Authentication;

/**
 * Runs one engine call without the caller's authentication, after aiflow has decided, through its
 * own check ({@code ApiAccess}), that the caller may do exactly this. Used where Camunda has no
 * permission as narrow as the action: cancelling a campaign needs a way to reach the running
 * instance, and the only Camunda grant for that (UPDATE_INSTANCE) would also let the caller rewrite
 * every variable of it over {@code /engine-rest}.
 */
public final class AsSystem {

  private AsSystem() {}

  public static <T> T call(IdentityService identity, Supplier<T> action) {
    Authentication caller = identity.getCurrentAuthentication();
    identity.clearAuthentication();
    try {
      return action.get();
    } finally {
      if (caller != null) {
        identity.setAuthentication(caller);
      }
    }
  }
}
