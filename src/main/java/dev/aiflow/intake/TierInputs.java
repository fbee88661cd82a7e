package dev.aiflow.intake;

/**
 * The inputs of the tier-routing decision table ({@code processes/tier-routing.dmn}); the names are
 * the DMN input expressions and the process variables the BPMN business-rule task reads.
 *
 * @param risk {@code low}, {@code medium} or {@code high}
 * @param stepCount planned steps (1 when none were listed)
 * @param allowedPathCount allowed paths (0 means the scope is not bounded)
 * @param executionRoute one of {@link RouteDodValidator#ROUTES}
 */
public record TierInputs(String risk, int stepCount, int allowedPathCount, String executionRoute) {}
