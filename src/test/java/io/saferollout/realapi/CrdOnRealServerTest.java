package io.saferollout.realapi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.saferollout.api.SafeRollout;
import io.saferollout.api.SpecDefaults;
import io.saferollout.lab.controlplane.ControlPlane;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The CRD as shipped, on the real API server: it installs (so every CEL rule compiles within the
 * cost budget: the server refuses a CRD whose rules do not), the server's structural defaults are
 * {@link SpecDefaults}, invalid SafeRollouts are refused with the message a user should read, and
 * {@code kubectl get sr} prints our columns.
 */
@RealApiTest
class CrdOnRealServerTest {

  private static final String NS = "crd-on-real-server";
  private static final ResourceDefinitionContext SR =
      new ResourceDefinitionContext.Builder()
          .withGroup(SafeRollout.GROUP)
          .withVersion(SafeRollout.VERSION)
          .withPlural("saferollouts")
          .withKind("SafeRollout")
          .withNamespaced(true)
          .build();

  private static KubernetesClient admin;

  @BeforeAll
  static void installCrd(ControlPlane cp) {
    admin = cp.newAdminClient();
    CustomResourceDefinition served = RealApi.installCrd(admin);
    assertThat(served.getSpec().getVersions()).isNotEmpty();
    RealApi.namespace(admin, NS);
  }

  @org.junit.jupiter.api.AfterAll
  static void closeClient() {
    if (admin != null) {
      admin.close();
    }
  }

  @Test
  void theServersDefaultsAreSpecDefaults() {
    GenericKubernetesResource created =
        admin
            .genericKubernetesResources(SR)
            .inNamespace(NS)
            .resource(safeRollout("defaults", Map.of("target", Map.of("name", "web"))))
            .create();
    Map<String, Object> spec = created.get("spec");
    assertThat(spec)
        .containsEntry("mode", SpecDefaults.MODE.name())
        .containsEntry("onDelete", SpecDefaults.ON_DELETE.name())
        .containsEntry("adoption", SpecDefaults.ADOPTION.name())
        .containsEntry("sidecars", SpecDefaults.SIDECARS.name())
        .containsEntry("drainSeconds", SpecDefaults.DRAIN_SECONDS);
    assertThat(created.<Map<String, Object>>get("spec", "preStop"))
        .containsEntry("mode", SpecDefaults.PRE_STOP_MODE.name())
        .containsEntry("delaySeconds", SpecDefaults.PRE_STOP_DELAY_SECONDS)
        .containsEntry("factor", SpecDefaults.PRE_STOP_FACTOR)
        .containsEntry("marginSeconds", SpecDefaults.PRE_STOP_MARGIN_SECONDS)
        .containsEntry("minSeconds", SpecDefaults.PRE_STOP_MIN_SECONDS)
        .containsEntry("maxSeconds", SpecDefaults.PRE_STOP_MAX_SECONDS)
        .containsEntry("applyTuning", SpecDefaults.PRE_STOP_APPLY_TUNING.name());
    assertThat(created.<Map<String, Object>>get("spec", "preStop", "dataPlane"))
        .containsEntry("source", SpecDefaults.DATA_PLANE_SOURCE.name())
        .containsEntry("metricsUrlTemplate", SpecDefaults.DATA_PLANE_METRICS_URL_TEMPLATE)
        .containsEntry("query", SpecDefaults.DATA_PLANE_QUERY);
    assertThat(created.<Map<String, Object>>get("spec", "strategy"))
        .containsEntry("maxSurge", SpecDefaults.MAX_SURGE)
        .containsEntry("minReadySeconds", SpecDefaults.MIN_READY_SECONDS);
    assertThat(created.<Map<String, Object>>get("spec", "readinessProbe"))
        .containsEntry("scheme", SpecDefaults.PROBE_SCHEME)
        .containsEntry("initialDelaySeconds", SpecDefaults.PROBE_INITIAL_DELAY_SECONDS)
        .containsEntry("periodSeconds", SpecDefaults.PROBE_PERIOD_SECONDS)
        .containsEntry("timeoutSeconds", SpecDefaults.PROBE_TIMEOUT_SECONDS)
        .containsEntry("successThreshold", SpecDefaults.PROBE_SUCCESS_THRESHOLD)
        .containsEntry("failureThreshold", SpecDefaults.PROBE_FAILURE_THRESHOLD);
  }

  /** Each invalid spec, and the words the server's refusal must carry (the field and the rule). */
  static Stream<Arguments> invalidSafeRollouts() {
    return Stream.of(
        refused(
            "name and selector",
            "{target: {name: web, selector: {matchLabels: {app: web}}}}",
            "target needs exactly one of name or selector"),
        refused(
            "neither name nor selector",
            "{target: {}}",
            "target needs exactly one of name or selector"),
        refused("no target", "{mode: Audit}", "spec.target", "Required value"),
        refused(
            "empty selector",
            "{target: {selector: {}}}",
            "selector is empty and would match every Deployment"),
        refused(
            "In without values",
            "{target: {selector: {matchExpressions: [{key: app, operator: In}]}}}",
            "matchExpressions with In or NotIn need values"),
        refused(
            "Exists with values",
            "{target: {selector: {matchExpressions: [{key: app, operator: Exists, values: [a]}]}}}",
            "matchExpressions with In or NotIn need values"),
        refused(
            "min above max",
            "{target: {name: web}, preStop: {minSeconds: 30, maxSeconds: 10}}",
            "preStop.minSeconds must not exceed preStop.maxSeconds"),
        refused(
            "maxSurge 0",
            "{target: {name: web}, strategy: {maxSurge: 0}}",
            "maxSurge must be a positive number or a percentage from 1% to 100%"),
        refused(
            "maxSurge 0%",
            "{target: {name: web}, strategy: {maxSurge: '0%'}}",
            "maxSurge must be a positive number or a percentage from 1% to 100%"),
        refused(
            "maxSurge 150%",
            "{target: {name: web}, strategy: {maxSurge: '150%'}}",
            "maxSurge must be a positive number or a percentage from 1% to 100%"),
        refused(
            "unknown mode",
            "{target: {name: web}, mode: Yolo}",
            "spec.mode",
            "Unsupported value: \"Yolo\""),
        refused(
            "unknown preStop mode",
            "{target: {name: web}, preStop: {mode: Sometimes}}",
            "spec.preStop.mode",
            "Unsupported value: \"Sometimes\""),
        refused(
            "unknown adoption",
            "{target: {name: web}, adoption: Later}",
            "spec.adoption",
            "Unsupported value: \"Later\""),
        refused(
            "negative drain",
            "{target: {name: web}, drainSeconds: -1}",
            "spec.drainSeconds",
            "greater than or equal to 0"),
        refused(
            "drain above 300",
            "{target: {name: web}, drainSeconds: 301}",
            "spec.drainSeconds",
            "less than or equal to 300"),
        refused(
            "drain as text",
            "{target: {name: web}, drainSeconds: ten}",
            "spec.drainSeconds",
            "must be of type integer"),
        refused(
            "probe path without slash",
            "{target: {name: web}, readinessProbe: {path: healthz}}",
            "spec.readinessProbe.path",
            "should match '^/.*'"),
        refused(
            "probe period 0",
            "{target: {name: web}, readinessProbe: {periodSeconds: 0}}",
            "spec.readinessProbe.periodSeconds",
            "greater than or equal to 1"),
        refused(
            "probe scheme TCP",
            "{target: {name: web}, readinessProbe: {scheme: TCP}}",
            "spec.readinessProbe.scheme",
            "should match '^(HTTP|HTTPS)$'"),
        refused(
            "factor below 1",
            "{target: {name: web}, preStop: {factor: 0.5}}",
            "spec.preStop.factor",
            "greater than or equal to 1"),
        refused(
            "budget without seconds",
            "{target: {name: web}, preStop: {budgets: [{name: ingress}]}}",
            "spec.preStop.budgets[0].seconds",
            "Required value"),
        refused(
            "target name too long",
            "{target: {name: " + "a".repeat(254) + "}}",
            "spec.target.name",
            "253"));
  }

  private static Arguments refused(String name, String specYaml, String... expected) {
    return Arguments.of(name, specYaml, List.of(expected));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("invalidSafeRollouts")
  void anInvalidSafeRolloutIsRefusedWithAMessageNamingTheProblem(
      String name, String specYaml, List<String> expected) {
    Map<String, Object> spec = new org.yaml.snakeyaml.Yaml().load(specYaml);
    KubernetesClientException refusal =
        catchThrowableOfType(
            KubernetesClientException.class,
            () ->
                admin
                    .genericKubernetesResources(SR)
                    .inNamespace(NS)
                    .resource(safeRollout("invalid", spec))
                    .create());
    assertThat(refusal).as("the server accepted %s", name).isNotNull();
    assertThat(refusal.getCode()).isEqualTo(422);
    assertThat(refusal.getMessage()).contains(expected);
  }

  @Test
  void theTargetCannotBeChangedAfterCreation() {
    GenericKubernetesResource created =
        admin
            .genericKubernetesResources(SR)
            .inNamespace(NS)
            .resource(safeRollout("immutable", Map.of("target", Map.of("name", "web"))))
            .create();
    created.<Map<String, Object>>get("spec").put("target", Map.of("name", "other"));
    KubernetesClientException refusal =
        catchThrowableOfType(
            KubernetesClientException.class,
            () -> admin.genericKubernetesResources(SR).inNamespace(NS).resource(created).update());
    assertThat(refusal).isNotNull();
    assertThat(refusal.getCode()).isEqualTo(422);
    assertThat(refusal.getMessage()).contains("target is immutable");
  }

  @Test
  void kubectlGetSrPrintsOurColumns(ControlPlane cp) throws IOException, InterruptedException {
    admin
        .genericKubernetesResources(SR)
        .inNamespace(NS)
        .resource(safeRollout("columns", Map.of("target", Map.of("name", "web"))))
        .create();
    Process kubectl =
        new ProcessBuilder(
                cp.binaries().binary("kubectl").toString(),
                "--kubeconfig=" + cp.adminKubeconfig(),
                "get",
                "sr",
                "columns",
                "-n",
                NS)
            .redirectErrorStream(true)
            .start();
    String out = new String(kubectl.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(kubectl.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(kubectl.exitValue()).as(out).isZero();
    List<String> lines = out.lines().toList();
    assertThat(lines.get(0).split("\\s+"))
        .containsExactlyInAnyOrder("NAME", "AGE", "MODE", "READY", "PHASE", "TARGET");
    // The server's default reaches the column: nothing in the object set the mode.
    assertThat(lines.get(1)).startsWith("columns").contains("FillMissing");
  }

  private static GenericKubernetesResource safeRollout(String name, Map<String, Object> spec) {
    GenericKubernetesResource sr = new GenericKubernetesResource();
    sr.setApiVersion(SafeRollout.GROUP + "/" + SafeRollout.VERSION);
    sr.setKind("SafeRollout");
    sr.setMetadata(new io.fabric8.kubernetes.api.model.ObjectMetaBuilder().withName(name).build());
    sr.setAdditionalProperty("spec", new java.util.LinkedHashMap<>(spec));
    return sr;
  }
}
