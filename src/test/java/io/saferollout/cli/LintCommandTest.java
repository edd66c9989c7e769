package io.saferollout.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The manifest corpus, file by file, with the findings each must produce. A finding is written
 * {@code SR001+} when {@code harden} fixes it and {@code SR001} when only the user can.
 */
class LintCommandTest {
  static final String CORPUS = "src/test/resources/manifests/";
  private static final ObjectMapper JSON = new ObjectMapper();

  /** Object -> findings, from lint's JSON output at INFO. */
  static Map<String, List<String>> findings(CliRun run) throws Exception {
    Map<String, List<String>> byObject = new LinkedHashMap<>();
    for (JsonNode object : JSON.readTree(run.out()).get("objects")) {
      List<String> ids = new ArrayList<>();
      for (JsonNode f : object.get("findings")) {
        ids.add(f.get("rule").asText() + (f.get("fixable").asBoolean() ? "+" : ""));
      }
      String ns = object.has("namespace") ? object.get("namespace").asText() + "/" : "";
      byObject.put(object.get("kind").asText() + "/" + ns + object.get("name").asText(), ids);
    }
    return byObject;
  }

  private static Map<String, List<String>> lintAtInfo(String file) throws Exception {
    CliRun run = CliRun.of("lint", "--format", "json", "--min-severity", "INFO", CORPUS + file);
    assertThat(run.err()).isEmpty();
    return findings(run);
  }

  @Test
  void goodManifestIsCleanEvenAtInfoAndExitsZero() throws Exception {
    assertThat(lintAtInfo("good.yaml"))
        .containsOnlyKeys("Deployment/shop/web", "Service/shop/web")
        .allSatisfy((object, ids) -> assertThat(ids).isEmpty());
    assertThat(CliRun.of("lint", "--min-severity", "INFO", CORPUS + "good.yaml").exitCode())
        .isZero();
  }

  @Test
  void naiveManifestHasEveryGapAndExitsOne() throws Exception {
    assertThat(lintAtInfo("naive.yaml"))
        .containsExactly(
            Map.entry(
                "Deployment/shop",
                List.of(
                    "SR001+", "SR005+", "SR012+", "SR013+", "SR014+", "SR002", "SR016", "SR018")),
            Map.entry("Service/shop", List.of()));
    CliRun text = CliRun.of("lint", CORPUS + "naive.yaml");
    assertThat(text.exitCode()).isEqualTo(1);
    assertThat(text.out())
        .contains("Deployment/shop (" + CORPUS + "naive.yaml:2)")
        .contains("ERROR   SR001  spec.template.spec.containers[shop].readinessProbe (line 17)")
        .contains("harden: container 'shop' had no readiness probe: TCP connect to port 8080")
        .contains("fix: Add a readinessProbe")
        // INFO findings are below the default threshold (WARNING).
        .doesNotContain("SR014");
  }

  @Test
  void partiallyHardenedManifestReportsTheUsersUnsafeValuesAsUnfixable() throws Exception {
    assertThat(lintAtInfo("partial.yaml").get("Deployment/backend/api"))
        .containsExactlyInAnyOrder("SR013+", "SR014+", "SR007", "SR009", "SR012");
  }

  @Test
  void istioAnnotatedPodsGetTheProxyOrderingFix() throws Exception {
    assertThat(lintAtInfo("istio.yaml").get("Deployment/mesh/checkout"))
        .containsExactlyInAnyOrder("SR005+", "SR004+", "SR012+", "SR013+", "SR014+", "SR016");
  }

  @Test
  void linkerdAnnotatedPodsGetProxyAwaitAndAShortWaitBeforeExitIsReported() throws Exception {
    assertThat(lintAtInfo("linkerd.yaml").get("Deployment/mesh/search"))
        .containsExactlyInAnyOrder(
            "SR005+", "SR004+", "SR004", "SR012+", "SR013+", "SR014+", "SR016");
  }

  @Test
  void nativeSidecarWithoutProbeIsReportedAndTheAnnotationSilencesSR018() throws Exception {
    // The longer user preStop (20 s) needs 20 + 10 + 5 = 35 s of grace, more than the default 30.
    assertThat(lintAtInfo("native-sidecar.yaml").get("Deployment/pay/billing"))
        .containsExactlyInAnyOrder("SR009+", "SR012+", "SR013+", "SR014+", "SR003", "SR016");
  }

  @Test
  void proxySidecarInPlainContainersBecomesANativeSidecar() throws Exception {
    assertThat(lintAtInfo("multi-container.yaml").get("Deployment/edge/gateway"))
        .containsExactlyInAnyOrder(
            "SR005+", "SR004+", "SR004+", "SR012+", "SR013+", "SR014+", "SR003", "SR016");
  }

  @Test
  void helmRenderedOutputIsCheckedAcrossDocumentsAndTheStatefulSetGetsANote() throws Exception {
    CliRun run =
        CliRun.of(
            "lint", "--format", "json", "--min-severity", "INFO", CORPUS + "helm-rendered.yaml");
    assertThat(findings(run))
        .containsExactly(
            Map.entry("Service/storefront", List.of("SR021")),
            Map.entry(
                "Deployment/storefront",
                List.of(
                    "SR001+", "SR005+", "SR012+", "SR013+", "SR014+", "SR002", "SR016", "SR018")));
    JsonNode notice = JSON.readTree(run.out()).get("notices").get(0);
    assertThat(notice.get("id").asText()).isEqualTo("uncovered-kind");
    assertThat(notice.get("subject").asText()).isEqualTo("StatefulSet/storefront-cache");
    assertThat(notice.get("line").asInt()).isEqualTo(53);
    assertThat(CliRun.of("lint", CORPUS + "helm-rendered.yaml").out())
        .contains(
            "note: StatefulSet/storefront-cache ("
                + CORPUS
                + "helm-rendered.yaml:53): StatefulSet is not checked yet");
  }

  @Test
  void kindListItemsAreCheckedOneByOne() throws Exception {
    assertThat(lintAtInfo("list.yaml"))
        .containsExactly(
            Map.entry(
                "Deployment/jobs/worker",
                List.of("SR001+", "SR005+", "SR014+", "SR002", "SR011", "SR016", "SR018")),
            Map.entry("Service/jobs/worker", List.of("SR020")));
  }

  @Test
  void jsonManifestIsChecked() throws Exception {
    assertThat(lintAtInfo("deployment.json").get("Deployment/old/legacy"))
        .containsExactly(
            "SR001+", "SR005+", "SR012+", "SR013+", "SR014+", "SR002", "SR016", "SR018");
  }

  @Test
  void malformedYamlIsBadInputWithFileAndLine() {
    CliRun run = CliRun.of("lint", CORPUS + "malformed.yaml");
    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err().strip())
        .startsWith("saferollout: " + CORPUS + "malformed.yaml:12: not valid YAML")
        .doesNotContain("\n")
        .doesNotContain("Exception");
  }

  @Test
  void badInputExitsTwo() {
    assertThat(CliRun.of("lint", "no/such/file.yaml").exitCode()).isEqualTo(2);
    assertThat(CliRun.of("lint", "--disable", "SR999", CORPUS + "good.yaml").err())
        .contains("unknown rule 'SR999'");
    assertThat(CliRun.of("lint", "--format", "xml", CORPUS + "good.yaml").exitCode()).isEqualTo(2);
    assertThat(CliRun.of("lint", "--server-version", "one", CORPUS + "good.yaml").exitCode())
        .isEqualTo(2);
    assertThat(CliRun.of("lint", "--no-such-option", CORPUS + "good.yaml").exitCode()).isEqualTo(2);
    assertThat(CliRun.of("lint").err()).contains("give at least one PATH");
  }

  @Test
  void minSeverityAndDisableDecideWhatIsReportedAndTheExitCode() throws Exception {
    CliRun errorsOnly =
        CliRun.of("lint", "--format", "json", "--min-severity", "error", CORPUS + "naive.yaml");
    assertThat(findings(errorsOnly).get("Deployment/shop")).containsExactly("SR001+", "SR005+");
    assertThat(errorsOnly.exitCode()).isEqualTo(1);

    CliRun disabled =
        CliRun.of(
            "lint",
            "--min-severity",
            "ERROR",
            "--disable",
            "SR001",
            "--disable",
            "sr005",
            CORPUS + "naive.yaml");
    assertThat(disabled.exitCode()).isZero();
    assertThat(
            CliRun.of(
                    "lint",
                    "--min-severity",
                    "ERROR",
                    "--disable",
                    "SR001,SR005",
                    CORPUS + "naive.yaml")
                .exitCode())
        .isZero();
  }

  @Test
  void lintDisableAnnotationSwitchesRulesOffPerObject(@TempDir Path dir) throws Exception {
    String naive = Files.readString(Path.of(CORPUS + "naive.yaml"));
    Path some = dir.resolve("some.yaml");
    Files.writeString(
        some,
        naive.replace(
            "  name: shop\nspec:",
            "  name: shop\n  annotations:\n    saferollout.io/lint-disable: \"SR016, SR018\"\nspec:"));
    assertThat(
            findings(CliRun.of("lint", "--format", "json", some.toString())).get("Deployment/shop"))
        .containsExactly("SR001+", "SR005+", "SR012+", "SR013+");

    Path all = dir.resolve("all.yaml");
    Files.writeString(
        all,
        naive.replace(
            "  name: shop\nspec:",
            "  name: shop\n  annotations:\n    saferollout.io/lint-disable: all\nspec:"));
    assertThat(CliRun.of("lint", all.toString()).exitCode()).isZero();

    Path unknown = dir.resolve("unknown.yaml");
    Files.writeString(
        unknown,
        naive.replace(
            "  name: shop\nspec:",
            "  name: shop\n  annotations:\n    saferollout.io/lint-disable: SR404\nspec:"));
    CliRun run = CliRun.of("lint", unknown.toString());
    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err())
        .contains(
            "unknown.yaml:7: annotation saferollout.io/lint-disable names unknown rule 'SR404'");
  }

  @Test
  void pdbInTheInputSatisfiesSR016OnlyInItsNamespace(@TempDir Path dir) throws Exception {
    String pdb =
        "---\napiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata:\n  name: shop\n  namespace: %s\n"
            + "spec:\n  maxUnavailable: 1\n  selector:\n    matchLabels:\n      app: shop\n";
    String naive =
        Files.readString(Path.of(CORPUS + "naive.yaml"))
            .replace(
                "  name: shop\nspec:\n  replicas",
                "  name: shop\n  namespace: shop\nspec:\n  replicas");
    Path same = dir.resolve("same.yaml");
    Files.writeString(same, naive + pdb.formatted("shop"));
    Path other = dir.resolve("other.yaml");
    Files.writeString(other, naive + pdb.formatted("elsewhere"));

    assertThat(
            findings(CliRun.of("lint", "--format", "json", same.toString()))
                .get("Deployment/shop/shop"))
        .doesNotContain("SR016");
    assertThat(
            findings(CliRun.of("lint", "--format", "json", other.toString()))
                .get("Deployment/shop/shop"))
        .contains("SR016");
  }

  @Test
  void serverVersionChangesTheRules() throws Exception {
    // Before 1.30 there is no preStop sleep action: the fix is an exec sleep, which needs a shell.
    CliRun old =
        CliRun.of("lint", "--format", "json", "--server-version", "v1.28.3", CORPUS + "naive.yaml");
    assertThat(findings(old).get("Deployment/shop")).contains("SR006");
    assertThat(JSON.readTree(old.out()).get("serverVersion").asText()).isEqualTo("1.28");
    assertThat(
            findings(CliRun.of("lint", "--format", "json", CORPUS + "naive.yaml"))
                .get("Deployment/shop"))
        .doesNotContain("SR006");
  }

  @Test
  void directoriesAreSearchedRecursivelyAndStdinIsRead(@TempDir Path dir) throws Exception {
    Path nested = Files.createDirectories(dir.resolve("a/b"));
    Files.copy(Path.of(CORPUS + "good.yaml"), dir.resolve("a/good.yml"));
    Files.copy(Path.of(CORPUS + "naive.yaml"), nested.resolve("naive.yaml"));
    Files.writeString(dir.resolve("README.md"), "not a manifest");
    assertThat(findings(CliRun.of("lint", "--format", "json", dir.toString())))
        .containsOnlyKeys(
            "Deployment/shop/web", "Service/shop/web", "Deployment/shop", "Service/shop");

    CliRun stdin = CliRun.withStdin(Files.readString(Path.of(CORPUS + "naive.yaml")), "lint", "-");
    assertThat(stdin.exitCode()).isEqualTo(1);
    assertThat(stdin.out()).contains("Deployment/shop (<stdin>:2)");
  }

  @Test
  void explainPrintsTheRuleFromTheCatalogue() {
    CliRun run = CliRun.of("lint", "--explain", "sr005");
    assertThat(run.exitCode()).isZero();
    assertThat(run.out())
        .startsWith("SR005 (ERROR): " + io.saferollout.rules.Rule.SR005.title())
        .contains("What fails at rollout time:")
        .contains("Fix:")
        .contains("lifecycle.preStop.sleep.seconds: 15");
    assertThat(CliRun.of("explain", "SR005").out()).isEqualTo(run.out());
    assertThat(CliRun.of("explain").out().lines())
        .hasSize(io.saferollout.rules.Rule.values().length);
    assertThat(CliRun.of("explain", "SR100").exitCode()).isEqualTo(2);
  }
}
