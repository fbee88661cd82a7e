package dev.aiflow.engine.security;

import java.util.List;
import org.camunda.bpm.engine.AuthorizationService;
import org.camunda.bpm.engine.authorization.Permission;
import org.camunda.bpm.engine.authorization.Permissions;
import org.camunda.bpm.engine.authorization.ProcessDefinitionPermissions;
import org.camunda.bpm.engine.authorization.Resource;
import org.camunda.bpm.engine.authorization.Resources;
import org.springframework.security.access.AccessDeniedException;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.GrantedAuthority;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.stereotype.Component;

/**
 * What a caller of aiflow's REST API may do, decided by Camunda's own authorizations (the ones an
 * administrator edits in Admin), so {@code /api} and {@code /engine-rest} answer the same question
 * the same way. Each action is one or more grants on Camunda resources (docs/security.md).
 */
@Component
public class ApiAccess {

  /** An action of aiflow's API and the Camunda grants it needs (all of them). */
  public enum Action {
    START_CAMPAIGN(
        grant(
            Resources.PROCESS_DEFINITION, "campaign", ProcessDefinitionPermissions.CREATE_INSTANCE),
        grant(Resources.PROCESS_INSTANCE, "*", Permissions.CREATE)),
    READ_CAMPAIGNS(
        grant(Resources.PROCESS_DEFINITION, "campaign", ProcessDefinitionPermissions.READ_HISTORY)),
    /**
     * DELETE_INSTANCE: the grant that lets an operator stop a campaign abruptly in Cockpit also
     * lets them stop it gracefully here (the running cycle finishes first).
     */
    CANCEL_CAMPAIGN(
        grant(
            Resources.PROCESS_DEFINITION,
            "campaign",
            ProcessDefinitionPermissions.DELETE_INSTANCE)),
    DRAFT_REQUIREMENTS(
        grant(
            Resources.PROCESS_DEFINITION,
            "requirementsFreeze",
            ProcessDefinitionPermissions.CREATE_INSTANCE),
        grant(Resources.PROCESS_INSTANCE, "*", Permissions.CREATE)),
    READ_REQUIREMENTS(
        grant(
            Resources.PROCESS_DEFINITION, "requirementsFreeze", ProcessDefinitionPermissions.READ)),
    READ_AUDIT(
        grant(
            Resources.PROCESS_DEFINITION, "stepCycle", ProcessDefinitionPermissions.READ_HISTORY));

    private final List<Grant> grants;

    Action(Grant... grants) {
      this.grants = List.of(grants);
    }

    /** The grants this action needs, for docs and messages. */
    public List<Grant> grants() {
      return grants;
    }
  }

  /** One Camunda grant: a permission on a resource id ({@code *}: any). */
  public record Grant(Resource resource, String resourceId, Permission permission) {
    @Override
    public String toString() {
      return permission.getName() + " on " + resource.resourceName() + " " + resourceId;
    }
  }

  private static Grant grant(Resource resource, String id, Permission permission) {
    return new Grant(resource, id, permission);
  }

  private final AuthorizationService authorizations;

  public ApiAccess(AuthorizationService authorizations) {
    this.authorizations = authorizations;
  }

  /** Whether the signed-in caller may do {@code action}. */
  public boolean can(Action action) {
    Authentication auth = SecurityContextHolder.getContext().getAuthentication();
    if (auth == null || !auth.isAuthenticated() || auth.getName() == null) {
      return false;
    }
    List<String> groups = groups(auth);
    for (Grant g : action.grants) {
      if (!authorizations.isUserAuthorized(
          auth.getName(), groups, g.permission(), g.resource(), g.resourceId())) {
        return false;
      }
    }
    return true;
  }

  /**
   * Refuses the request unless the caller may do {@code action}.
   *
   * @throws AccessDeniedException answered as 403 problem+json naming the action
   */
  public void require(Action action) {
    if (!can(action)) {
      throw new AccessDeniedException(
          "you may not "
              + action.name().toLowerCase(java.util.Locale.ROOT).replace('_', ' ')
              + ": it needs "
              + action.grants
              + " (a Camunda authorization; docs/security.md)");
    }
  }

  /** The caller's Camunda groups, from the authorities the identity provider gave. */
  static List<String> groups(Authentication auth) {
    return auth.getAuthorities().stream()
        .map(GrantedAuthority::getAuthority)
        .filter(a -> a.startsWith(CamundaIdentityAuthenticationProvider.GROUP_PREFIX))
        .map(a -> a.substring(CamundaIdentityAuthenticationProvider.GROUP_PREFIX.length()))
        .toList();
  }
}
