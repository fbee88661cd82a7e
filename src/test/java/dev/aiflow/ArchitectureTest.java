package dev.aiflow;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * The module map of docs/architecture.md ("Modules"), kept by the build: which package may use
 * which, and that the graph has no cycles.
 */
@AnalyzeClasses(packages = "dev.aiflow", importOptions = ImportOption.DoNotIncludeTests.class)
class ArchitectureTest {

  /** The feature packages: plain Java, usable without Spring or Camunda. */
  static final String[] FEATURES = {
    "dev.aiflow.agent..",
    "dev.aiflow.attempts..",
    "dev.aiflow.budget..",
    "dev.aiflow.campaign..",
    "dev.aiflow.contract..",
    "dev.aiflow.files..",
    "dev.aiflow.gitwork..",
    "dev.aiflow.ids..",
    "dev.aiflow.intake..",
    "dev.aiflow.json..",
    "dev.aiflow.logger..",
    "dev.aiflow.metrics..",
    "dev.aiflow.negotiation..",
    "dev.aiflow.observe..",
    "dev.aiflow.protocol..",
    "dev.aiflow.qa..",
    "dev.aiflow.recovery..",
    "dev.aiflow.scoreboard..",
    "dev.aiflow.sessionlog..",
    "dev.aiflow.transparency..",
    "dev.aiflow.triage..",
    "dev.aiflow.worker.."
  };

  /** The packages that wire the features into a server and a CLI. */
  static final String[] WIRING = {
    "dev.aiflow.engine..",
    "dev.aiflow.api..",
    "dev.aiflow.cli..",
    "dev.aiflow.config..",
    "dev.aiflow.demo.."
  };

  /**
   * The engine's modules (one per process, plus the glue around them) and the other engine modules
   * each may use. The root package {@code dev.aiflow.engine} (variables, the logger registry,
   * anchors, deployment) is open to all of them.
   */
  static final Map<String, Set<String>> ENGINE_MODULES = engineModules();

  private static Map<String, Set<String>> engineModules() {
    Map<String, Set<String>> m = new LinkedHashMap<>();
    m.put("stepcycle", Set.of());
    m.put("dispatch", Set.of("stepcycle"));
    m.put("campaign", Set.of("stepcycle"));
    m.put("requirements", Set.of("stepcycle", "campaign"));
    m.put("audit", Set.of("stepcycle", "dispatch"));
    m.put("cockpit", Set.of("audit", "campaign", "requirements", "stepcycle"));
    m.put("security", Set.of());
    m.put("cluster", Set.of());
    m.put("metrics", Set.of());
    return m;
  }

  @ArchTest
  static final ArchRule camundaStaysInTheEnginePackage =
      noClasses()
          .that()
          .resideOutsideOfPackage("dev.aiflow.engine..")
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage("org.camunda..")
          .because("only dev.aiflow.engine talks to Camunda (docs/architecture.md)");

  @ArchTest
  static final ArchRule featurePackagesDoNotKnowSpring =
      noClasses()
          .that()
          .resideInAnyPackage(FEATURES)
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage("org.springframework..", "org.camunda..", "jakarta..")
          .because("a feature is plain Java, usable from the CLI without a server");

  @ArchTest
  static final ArchRule featurePackagesDoNotReachIntoTheWiring =
      noClasses()
          .that()
          .resideInAnyPackage(FEATURES)
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage(WIRING)
          .because("features are called by the wiring, never the reverse");

  @ArchTest
  static final ArchRule theEngineDoesNotKnowItsCallers =
      noClasses()
          .that()
          .resideInAPackage("dev.aiflow.engine..")
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage("dev.aiflow.api..", "dev.aiflow.cli..", "dev.aiflow.demo..")
          .because("REST, CLI and demo call the engine's services, not the other way round");

  @ArchTest
  static final ArchRule topLevelPackagesHaveNoCycles =
      slices().matching("dev.aiflow.(*)..").should().beFreeOfCycles();

  @ArchTest
  static final ArchRule engineModulesHaveNoCycles =
      slices().matching("dev.aiflow.engine.(*)..").should().beFreeOfCycles();

  /** One test per engine module: it uses only the modules the map allows. */
  @TestFactory
  List<DynamicTest> eachEngineModuleUsesOnlyWhatTheMapAllows() {
    JavaClasses classes =
        new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("dev.aiflow.engine");
    Set<String> present =
        classes.stream()
            .map(c -> moduleOf(c.getPackageName()))
            .filter(m -> !m.isEmpty())
            .collect(Collectors.toCollection(TreeSet::new));
    return ENGINE_MODULES.entrySet().stream()
        .map(
            e ->
                DynamicTest.dynamicTest(
                    "engine." + e.getKey(),
                    () -> {
                      String[] forbidden =
                          ENGINE_MODULES.keySet().stream()
                              .filter(o -> !o.equals(e.getKey()) && !e.getValue().contains(o))
                              .map(o -> "dev.aiflow.engine." + o + "..")
                              .toArray(String[]::new);
                      noClasses()
                          .that()
                          .resideInAPackage("dev.aiflow.engine." + e.getKey() + "..")
                          .should()
                          .dependOnClassesThat()
                          .resideInAnyPackage(forbidden)
                          .allowEmptyShould(true)
                          .because("docs/architecture.md, \"Modules\"")
                          .check(classes);
                    }))
        .collect(
            Collectors.collectingAndThen(
                Collectors.toList(),
                tests -> {
                  // a new engine module must be placed in the map (and the docs) first
                  Set<String> unmapped = new TreeSet<>(present);
                  unmapped.removeAll(ENGINE_MODULES.keySet());
                  if (!unmapped.isEmpty()) {
                    throw new AssertionError(
                        "engine modules missing from ArchitectureTest.ENGINE_MODULES and"
                            + " docs/architecture.md: "
                            + unmapped);
                  }
                  return tests;
                }));
  }

  private static String moduleOf(String pkg) {
    String prefix = "dev.aiflow.engine.";
    if (!pkg.startsWith(prefix)) {
      return "";
    }
    return Arrays.stream(pkg.substring(prefix.length()).split("\\.")).findFirst().orElse("");
  }
}
