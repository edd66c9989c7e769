package io.saferollout.verify;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.saferollout.cli.SafeRolloutCli;
import io.saferollout.lab.app.AppBehaviour;
import io.saferollout.lab.app.ShutdownStyle;
import io.saferollout.lab.cluster.LabCluster;
import io.saferollout.lab.dataplane.PropagationDelay;
import io.saferollout.lab.dataplane.ProxySettings;
import io.saferollout.lab.dataplane.ServiceProxy;
import io.vertx.core.Vertx;
import java.io.ByteArrayInputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code saferollout verify} end to end against the lab: a real API over HTTP, simulated
 * controllers and kubelet, each pod a real HTTP server on loopback, a Service proxy fed from the
 * EndpointSlices with a propagation delay. The same app and manifest, naive and then hardened by
 * {@code saferollout harden}.
 */
@io.saferollout.WallClockTest
class VerifyAgainstLabTest {
  private static final String MANIFEST = "src/test/resources/verify/web-naive.yaml";
  private static Vertx vertx;

  /**
   * Opens its listener after 300 ms and answers 500 for 1.5 s more, as an app warming its caches.
   */
  private static final AppBehaviour APP =
      AppBehaviour.builder()
          .listenDelay(Duration.ofMillis(300))
          .warmup(Duration.ofMillis(1500))
          .readinessPath("/healthz")
          .serviceTime(Duration.ofMillis(2), Duration.ofMillis(10))
          .shutdown(ShutdownStyle.GRACEFUL)
          .drainTimeout(Duration.ofSeconds(5))
          .seed(11)
          .build();

  @TempDir Path dir;

  @BeforeAll
  static void startVertx() {
    vertx = Vertx.vertx();
  }

  @AfterAll
  static void stopVertx() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  private record Run(int exitCode, String out, String err) {}

  private static Run cli(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = SafeRolloutCli.execute(new PrintWriter(out, true), new PrintWriter(err, true), args);
    return new Run(code, out.toString(), err.toString());
  }

  /**
   * Applies the manifest to a fresh lab, waits for the Deployment, and runs verify through a
   * Service proxy.
   */
  private Run verifyInLab(String manifest, String... verifyArgs) throws Exception {
    try (LabCluster lab =
            LabCluster.builder()
                .serverVersion("1.33")
                .runtime(new PodAppRuntime(vertx, APP))
                .podNetwork(41)
                .seed(5)
                .start();
        KubernetesClient client = lab.newClient()) {
      for (HasMetadata object :
          client
              .load(new ByteArrayInputStream(manifest.getBytes(StandardCharsets.UTF_8)))
              .items()) {
        client.resource(object).inNamespace("lab").create();
      }
      awaitRolledOut(client);
      ProxySettings settings =
          ProxySettings.of("node-1", "127.0.0.1", 0)
              .withPropagationDelay(
                  PropagationDelay.of(Duration.ofMillis(300), Duration.ofMillis(100)), 7);
      try (ServiceProxy proxy = ServiceProxy.start(vertx, settings);
          EndpointSliceFeed feed = new EndpointSliceFeed(client, "lab", "web", proxy)) {
        awaitEndpoints(proxy, 2);
        Path kubeconfig = dir.resolve("kubeconfig");
        Files.writeString(kubeconfig, kubeconfig(lab.apiServerUrl()));
        String[] args = new String[verifyArgs.length + 8];
        System.arraycopy(
            new String[] {
              "verify",
              "--kubeconfig",
              kubeconfig.toString(),
              "-n",
              "lab",
              "--deployment",
              "web",
              "--url=" + proxy.url()
            },
            0,
            args,
            0,
            8);
        System.arraycopy(verifyArgs, 0, args, 8, verifyArgs.length);
        Run run = cli(args);
        // Printed so a failing run shows its timeline and figures in the surefire output.
        System.out.print(run.out());
        return run;
      }
    }
  }

  @Test
  void naiveDeploymentLosesRequestsDuringARestartAndVerifyExitsOne() throws Exception {
    Run run =
        verifyInLab(
            Files.readString(Path.of(MANIFEST)),
            "--rps",
            "50",
            "--duration",
            "3s",
            "--restart",
            "--settle",
            "1s",
            "--rollout-timeout",
            "60s");

    assertThat(run.err()).isEmpty();
    assertThat(run.out())
        .contains("rollout restart")
        .contains("rollout complete")
        .contains("FAIL: ");
    assertThat(failed(run.out())).isPositive();
    assertThat(run.exitCode()).isEqualTo(1);
  }

  @Test
  void hardenedDeploymentLosesNoneUnderRestartAndAPodKillAndVerifyExitsZero() throws Exception {
    Run hardened =
        cli(
            "harden",
            "--server-version",
            "1.33",
            "--readiness-path",
            "/healthz",
            "--prestop-seconds",
            "2",
            "--drain-seconds",
            "1",
            "--min-ready-seconds",
            "1",
            MANIFEST);
    assertThat(hardened.exitCode()).isZero();

    Run run =
        verifyInLab(
            hardened.out(),
            "--rps",
            "50",
            "--duration",
            "4s",
            "--restart",
            "--kills",
            "1",
            "--seed",
            "3",
            "--settle",
            "2s",
            "--rollout-timeout",
            "90s");

    assertThat(run.err()).isEmpty();
    assertThat(run.out())
        .contains("rollout restart")
        .contains("deleted pod web-")
        .contains("rollout complete")
        .contains("PASS: no request failed");
    assertThat(failed(run.out())).isZero();
    assertThat(sent(run.out())).isGreaterThan(200);
    assertThat(run.exitCode()).isZero();
  }

  @Test
  void missingDeploymentUnreachableApiAndBadUrlAreBadInput() throws Exception {
    try (LabCluster lab =
        LabCluster.builder().runtime(new PodAppRuntime(vertx, APP)).podNetwork(42).start()) {
      Path kubeconfig = dir.resolve("kubeconfig");
      Files.writeString(kubeconfig, kubeconfig(lab.apiServerUrl()));
      Run missing =
          cli(
              "verify",
              "--kubeconfig",
              kubeconfig.toString(),
              "-n",
              "lab",
              "--deployment",
              "nope",
              "--url",
              "http://127.0.0.1:9/",
              "--duration",
              "1s");
      assertThat(missing.exitCode()).isEqualTo(2);
      assertThat(missing.err()).contains("Deployment lab/nope not found");
    }
    Path dead = dir.resolve("dead");
    Files.writeString(dead, kubeconfig("http://127.0.0.1:1/"));
    Run unreachable =
        cli(
            "verify",
            "--kubeconfig",
            dead.toString(),
            "--deployment",
            "web",
            "--url",
            "http://127.0.0.1:9/");
    assertThat(unreachable.exitCode()).isEqualTo(2);
    assertThat(unreachable.err())
        .contains("cannot reach the Kubernetes API at http://127.0.0.1:1/");

    Run badUrl =
        cli("verify", "--kubeconfig", dead.toString(), "--deployment", "web", "--url", "ftp://x/");
    assertThat(badUrl.exitCode()).isEqualTo(2);
    assertThat(badUrl.err()).contains("must be an http:// or https:// URL");
    assertThat(
            cli("verify", "--deployment", "web", "--url", "http://127.0.0.1/", "--duration", "soon")
                .exitCode())
        .isEqualTo(2);
  }

  private static long failed(String out) {
    return number(out, "succeeded, ", " failed");
  }

  private static long sent(String out) {
    return number(out, "requests: ", " sent");
  }

  private static long number(String out, String before, String after) {
    var m =
        java.util.regex.Pattern.compile(
                java.util.regex.Pattern.quote(before)
                    + "(\\d+)"
                    + java.util.regex.Pattern.quote(after))
            .matcher(out);
    assertThat(m.find()).as(out).isTrue();
    return Long.parseLong(m.group(1));
  }

  private static String kubeconfig(String server) {
    return """
        apiVersion: v1
        kind: Config
        clusters:
          - name: lab
            cluster:
              server: %s
        contexts:
          - name: lab
            context:
              cluster: lab
              user: lab
              namespace: lab
        current-context: lab
        users:
          - name: lab
            user: {}
        """
        .formatted(server);
  }

  private static void awaitRolledOut(KubernetesClient client) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (!RolloutVerification.rolloutComplete(
        client.apps().deployments().inNamespace("lab").withName("web").get())) {
      assertThat(System.nanoTime())
          .as("Deployment web did not roll out in 60 s")
          .isLessThan(deadline);
      Thread.sleep(100);
    }
  }

  private static void awaitEndpoints(ServiceProxy proxy, int count) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (proxy.knownEndpoints().size() < count) {
      assertThat(System.nanoTime())
          .as("proxy never learned %d endpoints", count)
          .isLessThan(deadline);
      Thread.sleep(50);
    }
  }
}
