package dev.aiflow.engine.cockpit;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;

/**
 * The links aiflow prints (CLI, REST, logs) into Cockpit: the aiflow plugin's own views, which show
 * finished instances too (Community Cockpit's stock pages show running instances only, so a link to
 * {@code #/process-instance/<id>} of a finished campaign lands on an empty page). Paths are
 * relative to the server's root; {@link #absolute} puts a base URL in front. Plain Java: the API
 * and the CLI use it without touching Camunda.
 */
public final class CockpitLinks {

  /** Cockpit of the default engine, where the plugin's routes live. */
  public static final String COCKPIT = "/camunda/app/cockpit/default/";

  /** The plugin's list of every campaign, running and finished. */
  public static final String CAMPAIGNS = COCKPIT + "#/aiflow/campaigns";

  /** Tasklist of the default engine, where people decide approvals and escalations. */
  public static final String TASKLIST = "/camunda/app/tasklist/default/";

  private CockpitLinks() {}

  /** A campaign's detail view: its cycles, scoreboard and trend chart. */
  public static String campaign(String campaignId) {
    return CAMPAIGNS + "/" + segment("campaign id", campaignId);
  }

  /**
   * The audit view of any process instance, running or finished (a step cycle: its task's chain
   * events, the chain's verification and the history reconcile).
   */
  public static String audit(String processInstanceId) {
    return COCKPIT + "#/aiflow/audit/" + segment("process instance id", processInstanceId);
  }

  /** {@code link} under {@code baseUrl} (for example {@code http://127.0.0.1:8080}). */
  public static String absolute(String baseUrl, String link) {
    String base = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
    return base + link;
  }

  private static String segment(String what, String id) {
    if (id == null || id.isBlank()) {
      throw new IllegalArgumentException(what + " is required for a Cockpit link");
    }
    // engine ids are UUIDs; anything else still makes a link that cannot leave its route
    return URLEncoder.encode(id, StandardCharsets.UTF_8).replace("+", "%20");
  }
}
