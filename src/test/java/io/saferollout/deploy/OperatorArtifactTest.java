package io.saferollout.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.Dependency;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarFile;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The jar the operator's image is built from (target/saferollout-operator.jar, shade execution
 * "operator"): the operator, the rules, the api and the CLI's commands, without the lab, the demo,
 * the mock API server or what only they need; complete, and it starts.
 */
@io.saferollout.PackagedArtifactTest
class OperatorArtifactTest {
  static final Path OPERATOR_JAR = Path.of("target", "saferollout-operator.jar");
  static final Path FULL_JAR = Path.of("target", "saferollout.jar");

  /**
   * Path prefixes of what only the lab needs: our lab and demo, the mock API server, its TLS and
   * web stack.
   */
  static final List<String> LAB_ONLY =
      List.of(
          "io/saferollout/lab/",
          "io/saferollout/cli/DemoCommand",
          "io/saferollout/cli/ControlPlaneBuild",
          "io/saferollout/cli/DemoTable",
          "io/saferollout/cli/ProgressLine",
          "META-INF/services/io.saferollout.cli.LabCommand",
          "io/fabric8/kubernetes/client/server/mock/",
          "io/fabric8/mockwebserver/",
          "org/bouncycastle/",
          "io/vertx/ext/web/Router");

  static Set<String> entries;

  @BeforeAll
  static void readTheJar() throws IOException {
    assertThat(OPERATOR_JAR).as("built by `./mvnw package` (this test runs in `verify`)").exists();
    try (JarFile jar = new JarFile(OPERATOR_JAR.toFile())) {
      entries = jar.stream().map(e -> e.getName()).collect(Collectors.toCollection(TreeSet::new));
    }
  }

  @Test
  void holdsNothingOnlyTheLabNeeds() {
    assertThat(
            entries.stream()
                .filter(e -> LAB_ONLY.stream().anyMatch(e::startsWith))
                .limit(20)
                .toList())
        .as("lab-only entries in %s", OPERATOR_JAR)
        .isEmpty();
  }

  @Test
  void holdsTheOperatorTheRulesTheModelAndTheClusterCommands() {
    assertThat(entries)
        .contains(
            "io/saferollout/operator/SafeRolloutOperator.class",
            "io/saferollout/rules/DeploymentHardener.class",
            "io/saferollout/api/SafeRollout.class",
            "io/saferollout/cli/RunCommand.class",
            "io/saferollout/cli/VerifyCommand.class",
            // fabric8's HTTP client runs on Vert.x; it has to be there.
            "io/vertx/core/Vertx.class");
  }

  @Test
  void everyClassOfOursFindsTheClassesOfOursItUses() throws IOException {
    Set<String> missing = new TreeSet<>();
    try (JarFile jar = new JarFile(OPERATOR_JAR.toFile())) {
      // Only our classes are parsed: the rest of the jar is 25 MB of libraries.
      var ours =
          new ClassFileImporter()
              .withImportOption(location -> location.contains("!/io/saferollout/"))
              .importJar(jar);
      assertThat(ours.contain("io.saferollout.operator.SafeRolloutOperator"))
          .as("our classes were read")
          .isTrue();
      for (JavaClass c : ours) {
        for (Dependency d : c.getDirectDependenciesFromSelf()) {
          JavaClass target = d.getTargetClass().getBaseComponentType();
          if (target.getPackageName().startsWith("io.saferollout")
              && !entries.contains(target.getName().replace('.', '/') + ".class")) {
            missing.add(c.getName() + " -> " + target.getName());
          }
        }
      }
    }
    assertThat(missing).as("classes the operator artifact needs but leaves out").isEmpty();
  }

  @Test
  void startsWithoutTheLabAndOffersNoDemo() throws Exception {
    String help = run(OPERATOR_JAR, "--help");

    assertThat(help).contains("run ", "verify ", "lint ").doesNotContain("demo ");
    assertThat(run(OPERATOR_JAR, "run", "--help")).contains("--leader-election");
  }

  @Test
  void theFullCliStillOffersTheDemo() throws Exception {
    assertThat(run(FULL_JAR, "--help")).contains("demo ", "run ");
  }

  private static String run(Path jar, String... args) throws IOException, InterruptedException {
    List<String> command =
        new java.util.ArrayList<>(
            List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar",
                jar.toString()));
    command.addAll(List.of(args));
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    process.getOutputStream().close();
    // A JVM starting on a loaded machine: seconds, not a minute.
    boolean ended = process.waitFor(60, TimeUnit.SECONDS);
    if (!ended) {
      process.destroyForcibly();
    }
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(ended).as("%s %s ended within 60 s", jar, String.join(" ", args)).isTrue();
    assertThat(process.exitValue()).as(output).isZero();
    return output;
  }
}
