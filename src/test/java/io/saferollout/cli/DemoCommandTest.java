package io.saferollout.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** `saferollout demo` from the outside: exit codes, messages and the files it writes. */
@io.saferollout.WallClockTest
class DemoCommandTest {

  private static final List<String> LAB_THREADS =
      List.of("lab-", "vert.x-", "saferollout-", "ReconcilerExecutor", "InformerWrapper");

  @TempDir Path dir;

  @Test
  void unknownScenarioListsTheValidOnes() {
    Result r = demo("--scenario", "chaos");
    assertThat(r.code).isEqualTo(2);
    assertThat(r.err)
        .contains("unknown scenario 'chaos'")
        .contains(
            "rolling-update, restart, scale-down, pod-kills, kills-during-rollout, node-drain, one-replica, keepalive, mix")
        .doesNotContain("Exception");
  }

  @Test
  void nonPositiveRatesAndCountsAreBadInput() {
    assertThat(demo("--rps", "0").err).contains("--rps must be a positive number");
    assertThat(demo("--rps", "-5").code).isEqualTo(2);
    assertThat(demo("--rollouts", "0").err).contains("--rollouts must be a positive number");
    assertThat(demo("--kills", "-1").err).contains("--kills must be 0 or more");
    assertThat(demo("--rps", "lots").code).as("not a number: picocli's own message").isEqualTo(2);
    assertThat(demo("--server-version", "latest").err)
        .contains("invalid Kubernetes version 'latest'");
    assertThat(demo("--scenario", "scale-down", "--replicas", "1").err)
        .contains("--replicas must be at least 2");
    assertThat(demo("--prestop-seconds", "-1").err)
        .contains("--prestop-seconds must be between 0 and 300");
    assertThat(demo("--app", "sometimes").err)
        .contains("--app must be graceful, immediate or ignore");
  }

  @Test
  void anUnknownControlPlaneOrASimulatedVersionOnTheRealOneIsBadInput() {
    Result unknown = demo("--control-plane", "kind");
    assertThat(unknown.code).isEqualTo(2);
    assertThat(unknown.err).contains("expected 'simulated' or 'real'");
    Result version = demo("--control-plane", "real", "--server-version", "1.30");
    assertThat(version.code).isEqualTo(2);
    assertThat(version.err)
        .contains("--server-version sets the simulated control plane's version")
        .doesNotContain("\tat ");
  }

  @Test
  void aPortInUseOrANonLoopbackAddressIsBadInput() throws Exception {
    try (ServerSocket taken = new ServerSocket()) {
      taken.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0));
      Result r = demo("--port", Integer.toString(taken.getLocalPort()));
      assertThat(r.code).isEqualTo(2);
      assertThat(r.err)
          .contains("cannot listen on 127.0.0.1:" + taken.getLocalPort())
          .doesNotContain("\tat ");
    }
    Result r = demo("--address", "192.0.2.1");
    assertThat(r.code).isEqualTo(2);
    assertThat(r.err).contains("--address '192.0.2.1' is not an IPv4 loopback address");
    assertThat(demo("--json", dir.resolve("no/such/dir/out.json").toString()).err)
        .contains("--json");
  }

  @Test
  void helpSaysWhatTheExitCodesMean() {
    Result r = demo("--help");
    assertThat(r.code).isZero();
    assertThat(r.out)
        .contains("0 when every hardened run lost zero requests after its")
        .contains("adoption losses are shown")
        .contains("--quick")
        .contains("--report")
        .contains("--prestop-seconds")
        .contains("--control-plane")
        .contains("--app");
  }

  /**
   * One short real run (one pod kill at a low rate; the hardened run's adoption rollout makes it
   * about a minute): the header states the lab's shape, the JSON has one naive and one hardened run
   * with exactly the published fields (the adoption only on the hardened one), the report has a
   * timeline per run, the exit code is the hardened run's verdict after adoption, and no lab thread
   * outlives the command.
   */
  @Test
  @Timeout(300)
  void shortRunWritesJsonAndReportAndItsExitCodeIsTheHardenedVerdict() throws Exception {
    Set<Long> before =
        Thread.getAllStackTraces().keySet().stream().map(Thread::getId).collect(Collectors.toSet());
    Path json = dir.resolve("results.json");
    Path html = dir.resolve("report.html");
    Result r =
        demo(
            "--scenario",
            "pod-kills",
            "--kills",
            "1",
            "--rps",
            "50",
            "--seed",
            "3",
            "--json",
            json.toString(),
            "--report",
            html.toString());

    assertThat(r.code).as(r.err).isIn(0, 1);
    assertThat(r.err)
        .contains("control plane: simulated, Kubernetes v1.33.0")
        .contains("lab of 3 node(s): 3 x kube-proxy/kube-proxy(minSync=1s")
        .contains("on SIGTERM: graceful")
        .contains("SafeRollout defaults; preStop Auto")
        .contains("clients 50% keep-alive");
    assertThat(r.out)
        .contains("pod-kills")
        .contains("Adoption: the operator's own rollout of the live Deployment lost");
    JsonNode doc = new ObjectMapper().readTree(json.toFile());
    assertThat(doc.get("controlPlane").toString())
        .isEqualTo("{\"kind\":\"simulated\",\"version\":\"v1.33.0\"}");
    JsonNode runs = doc.get("runs");
    assertThat(runs).hasSize(2);
    for (JsonNode run : runs) {
      List<String> fields = new ArrayList<>();
      run.fieldNames().forEachRemaining(fields::add);
      List<String> published =
          new ArrayList<>(
              List.of(
                  "scenario",
                  "hardened",
                  "app",
                  "control",
                  "requests",
                  "failed",
                  "failuresByClass",
                  "rollouts",
                  "kills",
                  "rolloutSeconds",
                  "latencyMs"));
      if (run.get("hardened").asBoolean()) {
        published.add("adoption");
        assertThat(run.get("adoption").get("requests").asLong()).isPositive();
        assertThat(run.get("adoption").get("rolloutSeconds").asDouble()).isPositive();
        assertThat(run.get("adoption").has("failed")).isTrue();
        assertThat(run.get("adoption").has("failuresByClass")).isTrue();
        // The adoption and the kill are rollouts the operator records: it has measured
        // removal on the control plane (and the nodes' programming from their /metrics), and new
        // pods carry the preStop Auto put in force. The figures sit at the run's level.
        published.addAll(
            List.of(
                "endpointRemovalMs", "dataPlaneMs", "preStopSeconds", "recommendedPreStopSeconds"));
        for (String figures : List.of("endpointRemovalMs", "dataPlaneMs")) {
          assertThat(run.get(figures).get("p99").asDouble())
              .as(figures)
              .isGreaterThanOrEqualTo(run.get(figures).get("p50").asDouble());
          assertThat(run.get(figures).get("max").asDouble())
              .as(figures)
              .isGreaterThanOrEqualTo(run.get(figures).get("p99").asDouble());
        }
        assertThat(run.get("preStopSeconds").asInt()).isPositive();
        assertThat(run.get("recommendedPreStopSeconds").asInt()).isPositive();
      }
      assertThat(fields).containsExactlyElementsOf(published);
      assertThat(run.get("app").asText()).isEqualTo("graceful");
      assertThat(run.get("latencyMs").get("p99").asDouble())
          .isGreaterThanOrEqualTo(run.get("latencyMs").get("p50").asDouble());
      assertThat(run.get("latencyMs").get("max").asDouble())
          .isGreaterThanOrEqualTo(run.get("latencyMs").get("p99").asDouble());
      assertThat(run.get("scenario").asText()).isEqualTo("pod-kills");
      assertThat(run.get("kills").asInt()).isEqualTo(1);
      assertThat(run.get("requests").asLong()).isPositive();
      assertThat(run.get("rolloutSeconds").isArray()).isTrue();
    }
    assertThat(runs.get(0).get("hardened").asBoolean()).isFalse();
    assertThat(runs.get(1).get("hardened").asBoolean()).isTrue();
    // The exit code is the hardened run's verdict after adoption: with a graceful app, none lost.
    assertThat(runs.get(1).get("failed").asLong()).as(runs.get(1).toString()).isZero();
    assertThat(r.code).isZero();
    assertThat(r.out).contains("After adoption, under SafeRollout no request was lost");

    String report = Files.readString(html);
    assertThat(report).startsWith("<!DOCTYPE html>").doesNotContain("<script");
    assertThat(report.split("<svg", -1)).hasSize(3);
    assertThat(report)
        .contains("class=\"pod\"")
        .contains("class=\"endpoints\"")
        .contains("class=\"node-delays\"");
    if (runs.get(0).get("failed").asLong() > 0) {
      assertThat(report).contains("class=\"failure\"");
    }

    // Pods, proxies, controllers, the operator and the load generator all stop with the command;
    // a thread may take a moment to notice, hence the wait.
    await()
        .atMost(Duration.ofSeconds(20))
        .untilAsserted(
            () ->
                assertThat(
                        Thread.getAllStackTraces().keySet().stream()
                            .filter(t -> t.isAlive() && !before.contains(t.getId()))
                            .map(Thread::getName)
                            .filter(n -> LAB_THREADS.stream().anyMatch(n::startsWith))
                            .toList())
                    .as("threads left after the demo")
                    .isEmpty());
  }

  private record Result(int code, String out, String err) {}

  private static Result demo(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    String[] full = new String[args.length + 1];
    full[0] = "demo";
    System.arraycopy(args, 0, full, 1, args.length);
    // Through SafeRolloutCli: it registers demo (found by ServiceLoader) and the error handlers.
    int code =
        SafeRolloutCli.execute(
            new java.io.PrintWriter(new PrintStream(out, true, StandardCharsets.UTF_8), true),
            new java.io.PrintWriter(new PrintStream(err, true, StandardCharsets.UTF_8), true),
            full);
    return new Result(
        code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }
}
