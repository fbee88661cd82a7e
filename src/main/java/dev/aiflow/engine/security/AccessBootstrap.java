package dev.aiflow.engine.security;

import dev.aiflow.config.AdminCredentials;
import dev.aiflow.config.AiflowProperties;
import java.util.List;
import java.util.Map;
import org.camunda.bpm.engine.AuthorizationService;
import org.camunda.bpm.engine.FilterService;
import org.camunda.bpm.engine.IdentityService;
import org.camunda.bpm.engine.ProcessEngine;
import org.camunda.bpm.engine.authorization.Authorization;
import org.camunda.bpm.engine.authorization.Groups;
import org.camunda.bpm.engine.authorization.Permission;
import org.camunda.bpm.engine.authorization.Permissions;
import org.camunda.bpm.engine.authorization.ProcessDefinitionPermissions;
import org.camunda.bpm.engine.authorization.Resource;
import org.camunda.bpm.engine.authorization.Resources;
import org.camunda.bpm.engine.filter.Filter;
import org.camunda.bpm.engine.identity.Group;
import org.camunda.bpm.engine.identity.User;
import org.camunda.bpm.engine.impl.cfg.AbstractProcessEnginePlugin;
import org.camunda.bpm.engine.impl.cfg.ProcessEngineConfigurationImpl;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * Who may do what, set up while the engine is built (before any HTTP request can reach the webapps'
 * setup page): the administrator, aiflow's groups and their Camunda authorizations, and a Tasklist
 * filter that shows each group its tasks. The table is in docs/security.md; an administrator
 * changes it in Admin like any Camunda authorization, and aiflow never takes a grant away.
 *
 * <p>Also turns Camunda's per-account login lock off: a wrong password sent for {@code admin} by
 * anyone would otherwise lock the operator out. Brute force is slowed per client address instead
 * ({@code dev.aiflow.api.LoginThrottle}).
 */
@Component
public class AccessBootstrap extends AbstractProcessEnginePlugin {

  /** Start, follow and cancel campaigns; decide escalations in Tasklist; read the audit. */
  public static final String OPERATORS = "aiflow-operators";

  /** Read campaigns, cycles and the audit; Cockpit, no changes. */
  public static final String VIEWERS = "aiflow-viewers";

  /** Approve or reject frozen requirements in Tasklist. */
  public static final String APPROVERS = "approvers";

  /** Remote workers' accounts: fetch and complete the agents' external tasks, nothing else. */
  public static final String WORKERS = "aiflow-workers";

  static final String ACCESS_VERSION_PROPERTY = "aiflow.access-table-version";
  static final String ACCESS_VERSION = "2";

  /** Read the metrics at {@code /actuator/prometheus} (a scraper's account; docs/operations.md). */
  public static final String METRICS = "aiflow-metrics";

  /** The Tasklist filter aiflow creates: the tasks of the signed-in user's groups. */
  public static final String TASK_FILTER_NAME = "aiflow: my groups' tasks";

  static final List<String> PROCESS_KEYS = List.of("campaign", "stepCycle", "requirementsFreeze");

  private static final Logger LOG = LoggerFactory.getLogger(AccessBootstrap.class);

  private final AiflowProperties properties;

  public AccessBootstrap(AiflowProperties properties) {
    this.properties = properties;
  }

  @Override
  public void preInit(ProcessEngineConfigurationImpl configuration) {
    // the engine's lock is per account: anyone could lock the operator out (docs/security.md)
    configuration.setLoginMaxAttempts(Integer.MAX_VALUE);
    configuration.setLoginDelayBase(0);
    configuration.setLoginDelayMaxTime(0);
    // aiflow's group names have a hyphen (aiflow-operators); Camunda's default allows none
    configuration.setGroupResourceWhitelistPattern("(?i)[a-z0-9]+(-[a-z0-9]+)*");
  }

  @Override
  public void postProcessEngineBuild(ProcessEngine engine) {
    IdentityService identity = engine.getIdentityService();
    AuthorizationService authorizations = engine.getAuthorizationService();
    // stderr: a CLI command's stdout carries its result alone
    AdminCredentials credentials = AdminCredentials.resolve(properties, System.err);

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
    identity.unlockUser(credentials.user()); // a lock from an older version must not linger

    ensureGroup(
        identity, Groups.CAMUNDA_ADMIN, "camunda BPM Administrators", Groups.GROUP_TYPE_SYSTEM);
    ensureGroup(identity, OPERATORS, "aiflow operators", Groups.GROUP_TYPE_WORKFLOW);
    ensureGroup(identity, VIEWERS, "aiflow viewers", Groups.GROUP_TYPE_WORKFLOW);
    ensureGroup(identity, APPROVERS, "aiflow requirement approvers", Groups.GROUP_TYPE_WORKFLOW);
    ensureGroup(identity, METRICS, "aiflow metrics readers", Groups.GROUP_TYPE_WORKFLOW);
    ensureGroup(identity, WORKERS, "aiflow remote workers", Groups.GROUP_TYPE_WORKFLOW);
    narrowOldGrants(engine);
    for (Resource resource : Resources.values()) {
      grant(authorizations, Groups.CAMUNDA_ADMIN, resource, Authorization.ANY, Permissions.ALL);
    }
    grantOperators(authorizations);
    grantViewers(authorizations);
    grantApprovers(authorizations);
    grantWorkers(authorizations);
    String filterId = ensureTaskFilter(engine.getFilterService(), engine, credentials.user());
    for (String group : List.of(OPERATORS, APPROVERS, VIEWERS)) {
      grant(authorizations, group, Resources.FILTER, filterId, Permissions.READ);
    }
    for (String group :
        List.of(Groups.CAMUNDA_ADMIN, OPERATORS, VIEWERS, APPROVERS, METRICS, WORKERS)) {
      if (identity.createUserQuery().userId(credentials.user()).memberOfGroup(group).count() == 0) {
        identity.createMembership(credentials.user(), group);
      }
    }
  }

  /**
   * Operators start and cancel campaigns, draft requirements, decide escalations and circuit
   * breakers in Tasklist, retry failed jobs and read everything. They hold no UPDATE on process
   * instances and no UPDATE_INSTANCE on {@code stepCycle}: that would let them fetch and complete
   * the agents' external tasks (a forged PASS) or rewrite a running cycle's variables (its
   * workspace). Approving requirements is the approvers' alone.
   */
  private static void grantOperators(AuthorizationService a) {
    grant(a, OPERATORS, Resources.APPLICATION, "cockpit", Permissions.ACCESS);
    grant(a, OPERATORS, Resources.APPLICATION, "tasklist", Permissions.ACCESS);
    grant(
        a,
        OPERATORS,
        Resources.PROCESS_DEFINITION,
        "campaign",
        ProcessDefinitionPermissions.READ,
        ProcessDefinitionPermissions.READ_INSTANCE,
        ProcessDefinitionPermissions.READ_HISTORY,
        ProcessDefinitionPermissions.CREATE_INSTANCE,
        // stopping one (Cockpit, or gracefully through /api); no UPDATE_INSTANCE: with it the
        // caller could rewrite a running campaign's queue, workspace or shim over /engine-rest
        ProcessDefinitionPermissions.DELETE_INSTANCE,
        ProcessDefinitionPermissions.RETRY_JOB,
        ProcessDefinitionPermissions.READ_TASK,
        ProcessDefinitionPermissions.TASK_WORK);
    grant(
        a,
        OPERATORS,
        Resources.PROCESS_DEFINITION,
        "stepCycle",
        ProcessDefinitionPermissions.READ,
        ProcessDefinitionPermissions.READ_INSTANCE,
        ProcessDefinitionPermissions.READ_HISTORY,
        ProcessDefinitionPermissions.RETRY_JOB,
        ProcessDefinitionPermissions.READ_TASK,
        ProcessDefinitionPermissions.TASK_WORK);
    grant(
        a,
        OPERATORS,
        Resources.PROCESS_DEFINITION,
        "requirementsFreeze",
        ProcessDefinitionPermissions.READ,
        ProcessDefinitionPermissions.READ_INSTANCE,
        ProcessDefinitionPermissions.READ_HISTORY,
        ProcessDefinitionPermissions.CREATE_INSTANCE,
        ProcessDefinitionPermissions.READ_TASK);
    grant(
        a,
        OPERATORS,
        Resources.PROCESS_INSTANCE,
        Authorization.ANY,
        Permissions.CREATE,
        Permissions.READ);
    grant(
        a,
        OPERATORS,
        Resources.DECISION_DEFINITION,
        Authorization.ANY,
        Permissions.READ,
        Permissions.READ_HISTORY);
    grant(a, OPERATORS, Resources.DEPLOYMENT, Authorization.ANY, Permissions.READ);
  }

  /**
   * Remote workers fetch and complete the agents' external tasks ({@code aiflow-dispatch}, {@code
   * aiflow-verify}) of {@code stepCycle}: the one group that may (docs/architecture.md, "Remote
   * workers").
   */
  private static void grantWorkers(AuthorizationService a) {
    grant(
        a,
        WORKERS,
        Resources.PROCESS_DEFINITION,
        "stepCycle",
        ProcessDefinitionPermissions.READ,
        ProcessDefinitionPermissions.READ_INSTANCE,
        ProcessDefinitionPermissions.UPDATE_INSTANCE);
    grant(
        a,
        WORKERS,
        Resources.PROCESS_INSTANCE,
        Authorization.ANY,
        Permissions.READ,
        Permissions.UPDATE);
  }

  /**
   * Grants that aiflow itself gave before version 2 of its access table and that proved unsafe (an
   * operator could forge a QA PASS, rewrite a cycle's workspace, or approve requirements). Taken
   * back once, recorded in the engine's property {@value #ACCESS_VERSION_PROPERTY}; an
   * administrator who wants them back grants them in Admin and they stay.
   */
  private static void narrowOldGrants(ProcessEngine engine) {
    String done = engine.getManagementService().getProperties().get(ACCESS_VERSION_PROPERTY);
    if (ACCESS_VERSION.equals(done)) {
      return;
    }
    AuthorizationService a = engine.getAuthorizationService();
    revoke(
        a,
        OPERATORS,
        Resources.PROCESS_DEFINITION,
        "stepCycle",
        ProcessDefinitionPermissions.CREATE_INSTANCE,
        ProcessDefinitionPermissions.UPDATE_INSTANCE,
        ProcessDefinitionPermissions.UPDATE_TASK);
    revoke(
        a,
        OPERATORS,
        Resources.PROCESS_DEFINITION,
        "requirementsFreeze",
        ProcessDefinitionPermissions.UPDATE_INSTANCE,
        ProcessDefinitionPermissions.UPDATE_TASK);
    revoke(
        a,
        OPERATORS,
        Resources.PROCESS_DEFINITION,
        "campaign",
        ProcessDefinitionPermissions.UPDATE_INSTANCE,
        ProcessDefinitionPermissions.UPDATE_TASK);
    revoke(a, OPERATORS, Resources.PROCESS_INSTANCE, Authorization.ANY, Permissions.UPDATE);
    engine.getManagementService().setProperty(ACCESS_VERSION_PROPERTY, ACCESS_VERSION);
    LOG.info("aiflow's access table is at version {}", ACCESS_VERSION);
  }

  private static void revoke(
      AuthorizationService authorizations,
      String group,
      Resource resource,
      String resourceId,
      Permission... permissions) {
    for (Authorization a :
        authorizations
            .createAuthorizationQuery()
            .groupIdIn(group)
            .resourceType(resource)
            .resourceId(resourceId)
            .authorizationType(Authorization.AUTH_TYPE_GRANT)
            .list()) {
      boolean changed = false;
      for (Permission p : permissions) {
        if (a.isPermissionGranted(p)) {
          a.removePermission(p);
          changed = true;
        }
      }
      if (changed) {
        authorizations.saveAuthorization(a);
      }
    }
  }

  private static void grantViewers(AuthorizationService a) {
    grant(a, VIEWERS, Resources.APPLICATION, "cockpit", Permissions.ACCESS);
    for (String key : PROCESS_KEYS) {
      grant(
          a,
          VIEWERS,
          Resources.PROCESS_DEFINITION,
          key,
          ProcessDefinitionPermissions.READ,
          ProcessDefinitionPermissions.READ_INSTANCE,
          ProcessDefinitionPermissions.READ_HISTORY);
    }
    grant(a, VIEWERS, Resources.PROCESS_INSTANCE, Authorization.ANY, Permissions.READ);
    grant(
        a,
        VIEWERS,
        Resources.DECISION_DEFINITION,
        Authorization.ANY,
        Permissions.READ,
        Permissions.READ_HISTORY);
    grant(a, VIEWERS, Resources.DEPLOYMENT, Authorization.ANY, Permissions.READ);
  }

  private static void grantApprovers(AuthorizationService a) {
    // approvers open Tasklist and see the freeze workflow their tasks belong to; the tasks
    // themselves they get as candidates (Camunda's default task permission)
    grant(a, APPROVERS, Resources.APPLICATION, "tasklist", Permissions.ACCESS);
    grant(
        a,
        APPROVERS,
        Resources.PROCESS_DEFINITION,
        "requirementsFreeze",
        ProcessDefinitionPermissions.READ);
  }

  /**
   * Adds the permissions to the group's grant on the resource (creating it when there is none).
   * Existing grants are widened, never narrowed: an administrator's changes stay.
   */
  static void grant(
      AuthorizationService authorizations,
      String group,
      Resource resource,
      String resourceId,
      Permission... permissions) {
    Authorization existing =
        authorizations
            .createAuthorizationQuery()
            .groupIdIn(group)
            .resourceType(resource)
            .resourceId(resourceId)
            .authorizationType(Authorization.AUTH_TYPE_GRANT)
            .list()
            .stream()
            .findFirst()
            .orElse(null);
    Authorization a = existing;
    if (a == null) {
      a = authorizations.createNewAuthorization(Authorization.AUTH_TYPE_GRANT);
      a.setGroupId(group);
      a.setResource(resource);
      a.setResourceId(resourceId);
    }
    boolean changed = existing == null;
    for (Permission p : permissions) {
      if (!a.isPermissionGranted(p)) {
        a.addPermission(p);
        changed = true;
      }
    }
    if (changed) {
      authorizations.saveAuthorization(a);
    }
  }

  private static String ensureTaskFilter(
      FilterService filters, ProcessEngine engine, String owner) {
    Filter existing = filters.createFilterQuery().filterName(TASK_FILTER_NAME).singleResult();
    if (existing != null) {
      return existing.getId();
    }
    Filter filter = filters.newTaskFilter(TASK_FILTER_NAME);
    filter.setOwner(owner);
    filter.setQuery(
        engine
            .getTaskService()
            .createTaskQuery()
            .taskCandidateGroupInExpression("${currentUserGroups()}")
            .includeAssignedTasks());
    filter.setProperties(
        Map.of(
            "description",
            "Approvals and escalations offered to your groups, and the tasks you claimed",
            "priority",
            -10,
            "color",
            "#2f6fdd",
            "refresh",
            true));
    filters.saveFilter(filter);
    return filter.getId();
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
