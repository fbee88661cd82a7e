package dev.aiflow;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/** The boundaries DESIGN.md draws, kept by the build. */
@AnalyzeClasses(packages = "dev.aiflow", importOptions = ImportOption.DoNotIncludeTests.class)
class ArchitectureTest {

  /** The feature packages: plain Java, usable without Spring or Camunda. */
  static final String[] FEATURES = {
    "dev.aiflow.logger..",
    "dev.aiflow.protocol..",
    "dev.aiflow.intake..",
    "dev.aiflow.contract..",
    "dev.aiflow.worker..",
    "dev.aiflow.qa..",
    "dev.aiflow.triage..",
    "dev.aiflow.scoreboard..",
    "dev.aiflow.negotiation..",
    "dev.aiflow.recovery..",
    "dev.aiflow.sessionlog..",
    "dev.aiflow.agent..",
    "dev.aiflow.budget..",
    "dev.aiflow.observe..",
    "dev.aiflow.transparency.."
  };

  @ArchTest
  static final ArchRule camundaStaysInTheEnginePackage =
      noClasses()
          .that()
          .resideOutsideOfPackage("dev.aiflow.engine..")
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage("org.camunda..")
          .because("only dev.aiflow.engine talks to Camunda (DESIGN.md)");

  @ArchTest
  static final ArchRule theLoggerIsPlainJava =
      noClasses()
          .that()
          .resideInAPackage("dev.aiflow.logger..")
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage("org.springframework..", "org.camunda..", "jakarta..");

  @ArchTest
  static final ArchRule featurePackagesDoNotKnowSpring =
      noClasses()
          .that()
          .resideInAnyPackage(FEATURES)
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage("org.springframework..", "org.camunda..", "jakarta..")
          .allowEmptyShould(true);

  @ArchTest
  static final ArchRule featurePackagesDoNotReachIntoTheWiring =
      noClasses()
          .that()
          .resideInAnyPackage(FEATURES)
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage("dev.aiflow.engine..", "dev.aiflow.api..", "dev.aiflow.cli..")
          .allowEmptyShould(true);
}
