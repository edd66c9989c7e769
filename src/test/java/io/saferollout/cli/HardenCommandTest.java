package io.saferollout.cli;

import static io.saferollout.cli.LintCommandTest.CORPUS;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class HardenCommandTest {
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  private static List<JsonNode> documents(String text) throws Exception {
    List<JsonNode> docs = new ArrayList<>();
    try (YAMLParser parser = new YAMLFactory().createParser(text)) {
      YAML.readValues(parser, JsonNode.class)
          .forEachRemaining(
              d -> {
                if (d != null && !d.isNull() && !d.isMissingNode()) {
                  docs.add(d);
                }
              });
    }
    return docs;
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "naive.yaml",
        "partial.yaml",
        "istio.yaml",
        "linkerd.yaml",
        "native-sidecar.yaml",
        "multi-container.yaml",
        "helm-rendered.yaml",
        "list.yaml",
        "deployment.json",
        "good.yaml"
      })
  void lintOfHardenedOutputHasNoFixableGapsLeft(String file, @TempDir Path dir) throws Exception {
    CliRun hardened = CliRun.of("harden", CORPUS + file);
    assertThat(hardened.exitCode()).isZero();
    Path out = dir.resolve(file);
    Files.writeString(out, hardened.out());

    CliRun lint = CliRun.of("lint", "--format", "json", "--min-severity", "INFO", out.toString());
    assertThat(lint.exitCode()).as(lint.err()).isIn(0, 1);
    for (Map.Entry<String, List<String>> object : LintCommandTest.findings(lint).entrySet()) {
      assertThat(object.getValue()).as(object.getKey()).noneMatch(id -> id.endsWith("+"));
    }
    // Hardening is stable: the hardened manifest needs nothing more, byte for byte.
    assertThat(CliRun.of("harden", out.toString()).out()).isEqualTo(hardened.out());
  }

  @Test
  void onlyDeploymentsChangeAndEverythingElsePassesThroughInOrder() throws Exception {
    String original = Files.readString(Path.of(CORPUS + "helm-rendered.yaml"));
    String hardened = CliRun.of("harden", CORPUS + "helm-rendered.yaml").out();

    String[] before = original.split("(?m)^---\n");
    String[] after = hardened.split("(?m)^---\n");
    assertThat(after).hasSameSizeAs(before);
    for (int i = 0; i < before.length; i++) {
      if (before[i].contains("kind: Deployment")) {
        assertThat(after[i])
            .startsWith("# Source: storefront/templates/deployment.yaml\n")
            .isNotEqualTo(before[i]);
      } else {
        assertThat(after[i]).as("document %d", i).isEqualTo(before[i]);
      }
    }
    // The Deployment keeps its fields and their order; new fields come in after them.
    JsonNode deployment = documents(hardened).get(2);
    JsonNode originalDeployment = documents(original).get(2);
    assertThat(fieldNames(deployment)).containsExactly("apiVersion", "kind", "metadata", "spec");
    assertThat(fieldNames(deployment.get("spec")))
        .startsWith("replicas", "selector", "template")
        .contains("strategy", "minReadySeconds");
    assertThat(deployment.get("metadata")).isEqualTo(originalDeployment.get("metadata"));
    assertThat(deployment.at("/spec/template/spec/containers/0/image").asText())
        .isEqualTo("registry.example.com/storefront:1.0.0");
    assertThat(
            deployment
                .at("/spec/template/spec/containers/0/lifecycle/preStop/sleep/seconds")
                .asInt())
        .isEqualTo(15);
  }

  @Test
  void aManifestThatNeedsNothingIsPrintedByteForByte() throws Exception {
    CliRun run = CliRun.of("harden", CORPUS + "good.yaml");
    assertThat(run.out()).isEqualTo(Files.readString(Path.of(CORPUS + "good.yaml")));
    assertThat(run.err()).contains("0 of 1 Deployments hardened (0 changes)");
    assertThat(CliRun.of("harden", "--diff", CORPUS + "good.yaml").out()).isEmpty();
  }

  @Test
  void diffShowsTheChangesAsAUnifiedDiff() {
    CliRun run =
        CliRun.of("harden", "--diff", "--readiness-path", "/healthz", CORPUS + "naive.yaml");
    assertThat(run.exitCode()).isZero();
    assertThat(run.out())
        .startsWith("--- a/" + CORPUS + "naive.yaml\n+++ b/" + CORPUS + "naive.yaml\n@@ ")
        .contains("+          readinessProbe:\n")
        .contains("+              path: /healthz\n")
        .contains("+                seconds: 15\n")
        .contains("+      maxUnavailable: 0\n");
    assertThat(run.out().lines().filter(l -> l.startsWith("-") && !l.startsWith("---")))
        .as("the file is edited, not rewritten: nothing of the original is removed")
        .isEmpty();
  }

  @Test
  void serverVersionChoosesExecSleepBefore130AndModeEnforceReplacesUnsafeValues() throws Exception {
    JsonNode old =
        documents(CliRun.of("harden", "--server-version", "1.28", CORPUS + "naive.yaml").out())
            .get(0);
    assertThat(old.at("/spec/template/spec/containers/0/lifecycle/preStop/exec/command").toString())
        .isEqualTo("[\"sh\",\"-c\",\"sleep 15\"]");

    JsonNode kept = documents(CliRun.of("harden", CORPUS + "partial.yaml").out()).get(0);
    assertThat(kept.at("/spec/template/spec/terminationGracePeriodSeconds").asInt()).isEqualTo(10);
    JsonNode enforced =
        documents(CliRun.of("harden", "--mode", "Enforce", CORPUS + "partial.yaml").out()).get(0);
    assertThat(enforced.at("/spec/template/spec/terminationGracePeriodSeconds").asInt())
        .isEqualTo(30);
    assertThat(enforced.at("/spec/strategy/rollingUpdate/maxUnavailable").asInt()).isZero();
    // The user's own preStop hook is kept even in Enforce mode.
    assertThat(
            enforced
                .at("/spec/template/spec/containers/0/lifecycle/preStop/exec/command/2")
                .asText())
        .isEqualTo("sleep 5");
  }

  /**
   * maxUnavailable 0 beside maxSurge 0 is the pair the API server rejects ("may not be 0 when
   * `maxSurge` is 0"), so applying such output would fail as a whole.
   */
  @Test
  void aZeroSurgeGetsNoZeroMaxUnavailableBesideItButTheRestIsHardened() throws Exception {
    String file = "src/test/resources/harden/zero-surge.yaml";
    CliRun run = CliRun.of("harden", file);
    assertThat(run.exitCode()).isZero();

    JsonNode hardened = documents(run.out()).get(0);
    assertThat(hardened.at("/spec/strategy/rollingUpdate/maxSurge").asInt()).isZero();
    assertThat(hardened.at("/spec/strategy/rollingUpdate").has("maxUnavailable"))
        .as("maxUnavailable is left to the user (and the Kubernetes default of 25%%)")
        .isFalse();
    // Negative control: the file was hardened, only the invalid pair is left out.
    assertThat(hardened.at("/spec/template/spec/containers/0/lifecycle/preStop").isMissingNode())
        .isFalse();
    assertThat(hardened.at("/spec/minReadySeconds").asInt()).isEqualTo(5);
    assertThat(run.err()).contains("findings need you");

    Path out = Files.createTempFile("zero-surge", ".yaml");
    try {
      Files.writeString(out, run.out());
      assertThat(CliRun.of("lint", "--min-severity", "INFO", out.toString()).out())
          .contains("SR013")
          .contains("maxUnavailable cannot be set to 0");
    } finally {
      Files.deleteIfExists(out);
    }
  }

  @Test
  void listsAndJsonAreHardenedInTheirOwnShape() throws Exception {
    JsonNode list = documents(CliRun.of("harden", CORPUS + "list.yaml").out()).get(0);
    assertThat(list.get("kind").asText()).isEqualTo("List");
    assertThat(
            list.at("/items/0/spec/template/spec/containers/0/readinessProbe/tcpSocket/port")
                .asInt())
        .isEqualTo(7000);
    assertThat(list.at("/items/1"))
        .isEqualTo(
            documents(Files.readString(Path.of(CORPUS + "list.yaml"))).get(0).at("/items/1"));

    String json = CliRun.of("harden", CORPUS + "deployment.json").out();
    JsonNode tree = new ObjectMapper().readTree(json);
    assertThat(tree.at("/spec/minReadySeconds").asInt()).isEqualTo(5);
  }

  @Test
  void inPlaceRewritesOnlyTheFilesThatChange(@TempDir Path dir) throws Exception {
    Path naive = Files.copy(Path.of(CORPUS + "naive.yaml"), dir.resolve("naive.yaml"));
    Path good = Files.copy(Path.of(CORPUS + "good.yaml"), dir.resolve("good.yaml"));
    String goodBefore = Files.readString(good);

    CliRun run = CliRun.of("harden", "--in-place", dir.toString());
    assertThat(run.exitCode()).isZero();
    assertThat(run.out()).isEmpty();
    assertThat(Files.readString(good)).isEqualTo(goodBefore);
    assertThat(Files.readString(naive)).contains("preStop:");
    assertThat(CliRun.of("lint", "--min-severity", "ERROR", naive.toString()).exitCode()).isZero();
    try (var files = Files.list(dir)) {
      assertThat(files.map(p -> p.getFileName().toString()))
          .containsExactlyInAnyOrder("naive.yaml", "good.yaml");
    }
  }

  @Test
  void inPlaceKeepsEveryLineOfTheFileAndOnlyAddsTheFixes(@TempDir Path dir) throws Exception {
    Path file =
        Files.copy(Path.of("src/test/resources/harden/helm-output.yaml"), dir.resolve("shop.yaml"));
    String before = Files.readString(file);
    assertThat(CliRun.of("harden", "--in-place", file.toString()).exitCode()).isZero();
    String after = Files.readString(file);
    assertThat(after.lines().toList())
        .containsSubsequence(before.lines().toList())
        .hasSizeGreaterThan((int) before.lines().count());
    assertThat(after)
        .contains(
            "              value: \"8080\"\n",
            "    version: \"2.10\"      # a string, not the number 2.1\n",
            "    prometheus.io/port: \"9797\"\n",
            "          args: [\"--workers\", \"8\", \"--verbose=on\"]\n",
            "# Source: shop/templates/deployment.yaml\n",
            "      # Trailing comment at the end of the pod spec.\n");
  }

  @Test
  void badInputExitsTwo() {
    assertThat(CliRun.of("harden", "--mode", "Audit", CORPUS + "naive.yaml").exitCode())
        .isEqualTo(2);
    assertThat(CliRun.withStdin("", "harden", "--in-place", "-").err())
        .contains("--in-place cannot rewrite standard input");
    assertThat(CliRun.of("harden", "--readiness-path", "healthz", CORPUS + "naive.yaml").err())
        .contains("--readiness-path: must start with '/', got 'healthz'");
    assertThat(CliRun.of("harden", CORPUS + "malformed.yaml").exitCode()).isEqualTo(2);
    assertThat(CliRun.of("harden").exitCode()).isEqualTo(2);
  }

  @Test
  void helpSaysTheFileIsEditedNotRewrittenAndShowsExamples() {
    String help = CliRun.of("harden", "--help").out();
    assertThat(help.replaceAll("\\s+", " "))
        .contains("edited, not rewritten")
        .contains("Examples:")
        .contains("--diff");
    assertThat(CliRun.of("lint", "--help").out()).contains("Examples:").contains("--format");
    assertThat(CliRun.of("verify", "--help").out()).contains("Examples:").contains("port-forward");
  }

  private static List<String> fieldNames(JsonNode node) {
    List<String> names = new ArrayList<>();
    node.fieldNames().forEachRemaining(names::add);
    return names;
  }
}
