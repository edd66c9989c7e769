package io.saferollout.architecture;

import static com.tngtech.archunit.base.DescribedPredicate.describe;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * What may reach what in the production code. The operator artifact and its image are the code
 * minus {@link #LAB_ONLY} (see the shade execution "operator" in pom.xml, checked by
 * OperatorArtifactTest); these rules keep that cut clean, so the operator ships alone.
 */
class ProductionBoundariesTest {
  static final String ROOT = "io.saferollout";

  /** The lab and the commands that run it: the only code that may use the lab or the mock API. */
  static final Set<String> LAB_COMMANDS =
      Set.of(
          "io.saferollout.cli.DemoCommand",
          "io.saferollout.cli.ControlPlaneBuild",
          "io.saferollout.cli.DemoTable",
          "io.saferollout.cli.ProgressLine");

  static final DescribedPredicate<JavaClass> LAB_ONLY =
      describe(
          "the lab and its commands (demo)",
          c ->
              c.getPackageName().equals(ROOT + ".lab")
                  || c.getPackageName().startsWith(ROOT + ".lab.")
                  || LAB_COMMANDS.contains(c.getName())
                  || LAB_COMMANDS.contains(outermost(c).getName()));

  /**
   * Talking to a server: fabric8's client, the JDK's network and HTTP classes, Netty, Vert.x, the
   * operator framework. Exempt: fabric8's KubernetesSerialization, the Jackson mapper that knows
   * the Kubernetes model types; it lives in the client's jar but does no I/O.
   */
  static final DescribedPredicate<JavaClass> CLIENT_IO =
      describe(
          "client I/O (fabric8 client, java.net, Netty, Vert.x, JOSDK)",
          c ->
              (c.getPackageName().startsWith("io.fabric8.kubernetes.client")
                      && !c.getName()
                          .equals("io.fabric8.kubernetes.client.utils.KubernetesSerialization"))
                  || c.getPackageName().startsWith("java.net")
                  || c.getPackageName().startsWith("io.netty")
                  || c.getPackageName().startsWith("io.vertx")
                  || c.getPackageName().startsWith("io.javaoperatorsdk"));

  static JavaClasses production;

  @BeforeAll
  static void importProductionCode() {
    production =
        new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages(ROOT);
  }

  @Test
  void rulesAreDecisionsWithoutClientIo() {
    noClasses()
        .that()
        .resideInAPackage(ROOT + ".rules..")
        .should()
        .dependOnClassesThat(CLIENT_IO)
        .because("the rules are pure functions over manifests, tested without a server")
        .check(production);
  }

  @Test
  void nothingOutsideTheLabReachesTheLab() {
    noClasses()
        .that(DescribedPredicate.not(LAB_ONLY))
        .should()
        .dependOnClassesThat(LAB_ONLY)
        .because(
            "the operator artifact leaves the lab out, and must still start; the CLI finds the"
                + " lab's commands through ServiceLoader (LabCommand), never by name")
        .check(production);
  }

  @Test
  void theOperatorNeverReachesTheLab() {
    noClasses()
        .that()
        .resideInAPackage(ROOT + ".operator..")
        .should()
        .dependOnClassesThat()
        .resideInAPackage(ROOT + ".lab..")
        .check(production);
  }

  @Test
  void onlyTheLabUsesTheMockApiServer() {
    noClasses()
        .that(DescribedPredicate.not(LAB_ONLY))
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(
            "io.fabric8.kubernetes.client.server.mock..",
            "io.fabric8.mockwebserver..",
            "org.bouncycastle..")
        .because("the mock API server is a test harness; it does not ship in the operator")
        .check(production);
  }

  @Test
  void theApiModelReachesNothingElseOfOurs() {
    classes()
        .that()
        .resideInAPackage(ROOT + ".api..")
        .should()
        .onlyDependOnClassesThat(
            describe(
                "in io.saferollout.api or not ours",
                c ->
                    !c.getPackageName().startsWith(ROOT)
                        || c.getPackageName().startsWith(ROOT + ".api")))
        .because("the CRD is generated from the model; the model depends on no behaviour")
        .check(production);
  }

  @Test
  void capabilitiesHaveNoCycles() {
    slices().matching(ROOT + ".(*)..").should().beFreeOfCycles().check(production);
  }

  @Test
  void packagesHaveNoCycles() {
    slices().matching(ROOT + ".(**)").should().beFreeOfCycles().check(production);
  }

  private static JavaClass outermost(JavaClass c) {
    JavaClass outer = c;
    while (outer.getEnclosingClass().isPresent()) {
      outer = outer.getEnclosingClass().get();
    }
    return outer;
  }
}
