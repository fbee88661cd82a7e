package dev.aiflow.engine;

import dev.aiflow.config.AdminCredentials;
import dev.aiflow.config.AiflowProperties;
import org.camunda.bpm.engine.AuthorizationService;
import org.camunda.bpm.engine.IdentityService;
import org.camunda.bpm.engine.ProcessEngine;
import org.camunda.bpm.engine.authorization.Authorization;
import org.camunda.bpm.engine.authorization.Groups;
import org.camunda.bpm.engine.authorization.Permissions;
import org.camunda.bpm.engine.authorization.Resource;
import org.camunda.bpm.engine.authorization.Resources;
import org.camunda.bpm.engine.identity.Group;
import org.camunda.bpm.engine.identity.User;
import org.camunda.bpm.engine.impl.cfg.AbstractProcessEnginePlugin;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * Creates the administrator, the {@code camunda-admin} group with every permission, and aiflow's
 * approver group while the engine is built, before any HTTP request can reach the webapps' setup
 * page. The password comes from {@link AdminCredentials}; none is built in.
 */
@Component
public class AdminAccountPlugin extends AbstractProcessEnginePlugin {

  /** Candidate group of the "Approve requirements" user task. */
  public static final String APPROVERS_GROUP = "approvers";

  private static final Logger LOG = LoggerFactory.getLogger(AdminAccountPlugin.class);

  private final AiflowProperties properties;

  public AdminAccountPlugin(AiflowProperties properties) {
    this.properties = properties;
  }

  @Override
  public void postProcessEngineBuild(ProcessEngine engine) {
    IdentityService identity = engine.getIdentityService();
    AuthorizationService authorizations = engine.getAuthorizationService();
    AdminCredentials credentials = AdminCredentials.resolve(properties, System.out);

    User existing = identity.createUserQuery().userId(credentials.user()).singleResult();
    if (existing == null) {
      User admin = identity.newUser(credentials.user());
      admin.setFirstName("aiflow");
      admin.setLastName("Administrator");
      admin.setPassword(credentials.password());
      identity.saveUser(admin);
      LOG.info("created administrator '{}'", credentials.user());
    } else if (credentials.fromEnvironment()
        && !identity.checkPassword(credentials.user(), credentials.password())) {
      existing.setPassword(credentials.password());
      identity.saveUser(existing);
      LOG.info("updated the password of '{}' from AIFLOW_ADMIN_PASSWORD", credentials.user());
    }

    ensureGroup(
        identity, Groups.CAMUNDA_ADMIN, "camunda BPM Administrators", Groups.GROUP_TYPE_SYSTEM);
    ensureGroup(
        identity, APPROVERS_GROUP, "aiflow requirement approvers", Groups.GROUP_TYPE_WORKFLOW);
    for (Resource resource : Resources.values()) {
      boolean granted =
          authorizations
                  .createAuthorizationQuery()
                  .groupIdIn(Groups.CAMUNDA_ADMIN)
                  .resourceType(resource)
                  .resourceId(Authorization.ANY)
                  .count()
              > 0;
      if (!granted) {
        Authorization all = authorizations.createNewAuthorization(Authorization.AUTH_TYPE_GRANT);
        all.setGroupId(Groups.CAMUNDA_ADMIN);
        all.setResource(resource);
        all.setResourceId(Authorization.ANY);
        all.addPermission(Permissions.ALL);
        authorizations.saveAuthorization(all);
      }
    }
    // approvers open Tasklist and see the freeze workflow their tasks belong to; the tasks
    // themselves they get as candidates (Camunda's default task permission)
    grant(authorizations, APPROVERS_GROUP, Resources.APPLICATION, "tasklist", Permissions.ACCESS);
    grant(
        authorizations,
        APPROVERS_GROUP,
        Resources.PROCESS_DEFINITION,
        "requirementsFreeze",
        Permissions.READ);
    for (String group : new String[] {Groups.CAMUNDA_ADMIN, APPROVERS_GROUP}) {
      if (identity.createUserQuery().userId(credentials.user()).memberOfGroup(group).count() == 0) {
        identity.createMembership(credentials.user(), group);
      }
    }
  }

  private static void grant(
      AuthorizationService authorizations,
      String group,
      Resource resource,
      String resourceId,
      Permissions permission) {
    boolean granted =
        authorizations
                .createAuthorizationQuery()
                .groupIdIn(group)
                .resourceType(resource)
                .resourceId(resourceId)
                .count()
            > 0;
    if (!granted) {
      Authorization a = authorizations.createNewAuthorization(Authorization.AUTH_TYPE_GRANT);
      a.setGroupId(group);
      a.setResource(resource);
      a.setResourceId(resourceId);
      a.addPermission(permission);
      authorizations.saveAuthorization(a);
    }
  }

  private static void ensureGroup(IdentityService identity, String id, String name, String type) {
    if (identity.createGroupQuery().groupId(id).count() == 0) {
      Group group = identity.newGroup(id);
      group.setName(name);
      group.setType(type);
      identity.saveGroup(group);
    }
  }
}
