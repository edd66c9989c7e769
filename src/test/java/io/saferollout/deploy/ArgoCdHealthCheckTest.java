package io.saferollout.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.saferollout.api.SafeRollout;
import io.saferollout.api.SafeRolloutStatus;
import io.saferollout.api.TargetRef;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The Argo CD health check, run by a real Lua interpreter on SafeRollouts serialized from the Java
 * model. Argo CD embeds Lua 5.1 (gopher-lua), so 5.1 is preferred; without any Lua the interpreter
 * tests skip.
 */
class ArgoCdHealthCheckTest {
  static final Path SCRIPT = Path.of("deploy", "gitops", "argocd", "saferollout-health.lua");
  static final Path ARGOCD_CM = Path.of("deploy", "gitops", "argocd", "argocd-cm.yaml");
  static final String HEALTH_KEY = "resource.customizations.health.saferollout.io_SafeRollout";

  private static Optional<Path> lua;

  @BeforeAll
  static void findLua() {
    lua =
        Stream.of("lua5.1", "lua")
            .flatMap(
                name ->
                    Stream.of(System.getenv().getOrDefault("PATH", "").split(":"))
                        .map(dir -> Path.of(dir, name)))
            .filter(Files::isExecutable)
            .findFirst();
  }

  @Test
  void argoCdConfigMapCarriesExactlyTheScript() throws IOException {
    ConfigMap cm = Serialization.unmarshal(Files.readString(ARGOCD_CM), ConfigMap.class);

    assertThat(cm.getData()).containsEntry(HEALTH_KEY, Files.readString(SCRIPT));
  }

  @Test
  void noStatusYetIsProgressing() throws Exception {
    assertThat(health(safeRollout(1L, null)))
        .isEqualTo(new Health("Progressing", "Waiting for the SafeRollout operator to report"));
  }

  @Test
  void aStatusForAnOlderGenerationIsProgressingEvenIfItSaidReady() throws Exception {
    SafeRolloutStatus status =
        status(1L, condition("Ready", "True", "Hardened", "1 Deployment hardened"));

    assertThat(health(safeRollout(2L, status)))
        .isEqualTo(new Health("Progressing", "Waiting for the operator to observe generation 2"));
  }

  @Test
  void readyIsHealthyWithTheOperatorsMessage() throws Exception {
    SafeRolloutStatus status =
        status(
            3L,
            condition("Ready", "True", "Hardened", "web: readiness probe, preStop 15s, grace 30s"),
            condition("Progressing", "False", "Idle", ""),
            condition("Degraded", "False", "AsExpected", ""));

    assertThat(health(safeRollout(3L, status)))
        .isEqualTo(new Health("Healthy", "web: readiness probe, preStop 15s, grace 30s"));
  }

  @Test
  void degradedWinsOverReady() throws Exception {
    SafeRolloutStatus status =
        status(
            1L,
            condition("Ready", "True", "Hardened", "hardened"),
            condition(
                "Degraded",
                "True",
                "ReadinessPathNotFound",
                "readiness path /readyz answers 404: change reverted"));

    assertThat(health(safeRollout(1L, status)))
        .isEqualTo(new Health("Degraded", "readiness path /readyz answers 404: change reverted"));
  }

  @Test
  void aRolloutBeingFollowedIsProgressing() throws Exception {
    SafeRolloutStatus status =
        status(
            1L,
            condition("Ready", "True", "Hardened", "hardened"),
            condition("Progressing", "True", "RolloutInProgress", "web: 2 of 3 new pods ready"));

    assertThat(health(safeRollout(1L, status)))
        .isEqualTo(new Health("Progressing", "web: 2 of 3 new pods ready"));
  }

  @Test
  void notReadyWithoutMessageReportsTheReason() throws Exception {
    SafeRolloutStatus status = status(1L, condition("Ready", "False", "TargetNotFound", ""));

    assertThat(health(safeRollout(1L, status)))
        .isEqualTo(new Health("Progressing", "TargetNotFound"));
  }

  record Health(String status, String message) {}

  private Health health(SafeRollout safeRollout) throws IOException, InterruptedException {
    assumeTrue(
        lua.isPresent(), "no Lua interpreter (apt-get install lua5.1) to run the health check");
    Map<?, ?> obj = Serialization.jsonMapper().convertValue(safeRollout, Map.class);
    Path driver = Files.createTempFile("health", ".lua");
    try {
      Files.writeString(
          driver,
          "obj = "
              + luaLiteral(obj)
              + "\n"
              + "local hs = dofile("
              + luaLiteral(SCRIPT.toAbsolutePath().toString())
              + ")\n"
              + "io.write(hs.status, '\\n', hs.message)\n");
      Process process =
          new ProcessBuilder(lua.get().toString(), driver.toString())
              .redirectErrorStream(true)
              .start();
      String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(process.waitFor(10, TimeUnit.SECONDS)).isTrue();
      assertThat(process.exitValue()).as(output).isZero();
      String[] lines = output.split("\n", 2);
      return new Health(lines[0], lines.length > 1 ? lines[1] : "");
    } finally {
      Files.deleteIfExists(driver);
    }
  }

  /** The object as a Lua table, the way Argo CD hands it to the script. */
  static String luaLiteral(Object value) {
    if (value == null) {
      return "nil";
    }
    if (value instanceof Map<?, ?> map) {
      return map.entrySet().stream()
          .map(e -> "[" + luaLiteral(e.getKey().toString()) + "]=" + luaLiteral(e.getValue()))
          .collect(Collectors.joining(",", "{", "}"));
    }
    if (value instanceof List<?> list) {
      return list.stream()
          .map(ArgoCdHealthCheckTest::luaLiteral)
          .collect(Collectors.joining(",", "{", "}"));
    }
    if (value instanceof Number || value instanceof Boolean) {
      return value.toString();
    }
    return "\""
        + value.toString().replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n")
        + "\"";
  }

  private static SafeRollout safeRollout(Long generation, SafeRolloutStatus status) {
    SafeRollout safeRollout = new SafeRollout();
    safeRollout.getMetadata().setName("web");
    safeRollout.getMetadata().setNamespace("shop");
    safeRollout.getMetadata().setGeneration(generation);
    safeRollout.getSpec().setTarget(TargetRef.byName("web"));
    safeRollout.setStatus(status);
    return safeRollout;
  }

  private static SafeRolloutStatus status(Long observedGeneration, Condition... conditions) {
    SafeRolloutStatus status = new SafeRolloutStatus();
    status.setObservedGeneration(observedGeneration);
    status.setConditions(List.of(conditions));
    return status;
  }

  private static Condition condition(String type, String status, String reason, String message) {
    return new ConditionBuilder()
        .withType(type)
        .withStatus(status)
        .withReason(reason)
        .withMessage(message)
        .withLastTransitionTime("2025-01-01T00:00:00Z")
        .build();
  }
}
