package io.saferollout.cli;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.saferollout.load.LatencySummary;
import io.saferollout.load.LoadReport;
import io.saferollout.load.TargetScope;
import io.saferollout.verify.RolloutVerification;
import io.saferollout.verify.VerifyPlan;
import io.saferollout.verify.VerifyResult;
import java.io.File;
import java.io.PrintWriter;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
    name = "verify",
    mixinStandardHelpOptions = true,
    versionProvider = VersionCommand.Provider.class,
    description = {
      "Load-test a Service while its Deployment rolls out and/or loses pods, and count the failed requests: "
          + "the zero-downtime test, against a real cluster.",
      "Sends a constant request rate to --url, restarts the Deployment (as kubectl rollout restart does) "
          + "and/or deletes random pods of it, waits for the rollout to finish, keeps the load on for "
          + "--settle more, then reports requests, failures by class and latency percentiles.",
      "--url must reach the Service from this machine, e.g. through a port-forward: "
          + "kubectl port-forward svc/web 8080:80 (a port-forward to a Service picks one pod and stays on it; "
          + "for a rollout test prefer an ingress or LoadBalancer address, or a NodePort).",
      "Exit codes: 0 no request failed, 1 some failed (or the rollout did not finish), 2 bad input."
    },
    footer = {
      "",
      "Examples:",
      "  kubectl -n shop port-forward svc/ingress 8080:80 &",
      "  saferollout verify -n shop --deployment web \\",
      "      --url http://127.0.0.1:8080/ --restart",
      "  saferollout verify -n shop --deployment web \\",
      "      --url https://web.example.com/ --kills 3 --duration 60s --rps 100",
      "  saferollout verify --deployment web --url http://127.0.0.1:8080/ \\",
      "      --restart --kills 2 --seed 7"
    })
final class VerifyCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(
      names = "--kubeconfig",
      paramLabel = "FILE",
      description = "kubeconfig file (default: $KUBECONFIG, ~/.kube/config, or in-cluster)")
  File kubeconfig;

  @Option(
      names = {"-n", "--namespace"},
      paramLabel = "NS",
      description = "namespace of the Deployment (default: the kubeconfig context's, else default)")
  String namespace;

  @Option(
      names = "--deployment",
      paramLabel = "NAME",
      required = true,
      description = "the Deployment to roll out or disturb")
  String deployment;

  @Option(
      names = "--url",
      paramLabel = "URL",
      required = true,
      description = "http(s) URL that reaches the Deployment's Service")
  String url;

  @Option(
      names = "--rps",
      paramLabel = "N",
      defaultValue = "50",
      description = "requests per second, constant arrival rate (default: ${DEFAULT-VALUE})")
  double rps;

  @Option(
      names = "--duration",
      paramLabel = "DURATION",
      defaultValue = "30s",
      description =
          "how long to disturb the Deployment under load, e.g. 30s, 2m (default: ${DEFAULT-VALUE})")
  String duration;

  @Option(names = "--restart", description = "trigger a rollout, as kubectl rollout restart does")
  boolean restart;

  @Option(
      names = "--kills",
      paramLabel = "N",
      defaultValue = "0",
      description =
          "delete N random pods of the Deployment during --duration (default: ${DEFAULT-VALUE})")
  int kills;

  @Option(
      names = "--seed",
      paramLabel = "N",
      defaultValue = "1",
      description = "seed for choosing the pods to kill (default: ${DEFAULT-VALUE})")
  long seed;

  @Option(
      names = "--wait-rollout",
      negatable = true,
      defaultValue = "true",
      fallbackValue = "true",
      description =
          "after --duration, keep the load on until the rollout is complete (default: on; --no-wait-rollout to stop right away)")
  boolean waitRollout;

  @Option(
      names = "--rollout-timeout",
      paramLabel = "DURATION",
      defaultValue = "5m",
      description = "longest wait for the rollout (default: ${DEFAULT-VALUE})")
  String rolloutTimeout;

  @Option(
      names = "--settle",
      paramLabel = "DURATION",
      defaultValue = "3s",
      description =
          "load kept on after the rollout, to catch late failures (default: ${DEFAULT-VALUE})")
  String settle;

  @Option(
      names = "--request-timeout",
      paramLabel = "DURATION",
      defaultValue = "5s",
      description =
          "a request without an answer by then fails as a timeout (default: ${DEFAULT-VALUE})")
  String requestTimeout;

  @Override
  public Integer call() throws InterruptedException {
    URI target = parseUrl(url);
    Config config = ClusterConnection.config(kubeconfig);
    String ns =
        namespace != null
            ? namespace
            : config.getNamespace() != null ? config.getNamespace() : "default";
    VerifyPlan plan;
    try {
      plan =
          new VerifyPlan(
              ns,
              deployment,
              target,
              rps,
              duration("--duration", duration),
              restart,
              kills,
              seed,
              waitRollout,
              duration("--rollout-timeout", rolloutTimeout),
              duration("--settle", settle),
              duration("--request-timeout", requestTimeout));
    } catch (IllegalArgumentException e) {
      throw new BadInputException(e.getMessage(), e);
    }
    PrintWriter out = spec.commandLine().getOut();
    VerifyResult result;
    try (KubernetesClient client = ClusterConnection.connect(config)) {
      out.printf(
          "verify: Deployment %s/%s, %s req/s to %s for %s%s%s%n",
          ns,
          deployment,
          format(rps),
          target,
          human(plan.duration()),
          restart ? ", rollout restart" : "",
          kills > 0 ? ", " + kills + " pod kills" : "");
      out.flush();
      try {
        result = new RolloutVerification(client, TargetScope.ANY).run(plan);
      } catch (IllegalArgumentException e) {
        throw new BadInputException(e.getMessage(), e);
      }
    }
    print(out, result);
    out.flush();
    return result.lostRequests() || !result.rolloutCompleted() ? 1 : 0;
  }

  private static void print(PrintWriter out, VerifyResult result) {
    for (VerifyResult.Action action : result.actions()) {
      out.printf("  +%6.1fs  %s%n", action.at().toMillis() / 1000.0, action.what());
    }
    LoadReport load = result.load();
    out.printf(
        "requests: %d sent, %d succeeded, %d failed (%.1f req/s achieved)%n",
        load.requests(), load.succeeded(), load.failed(), load.achievedRatePerSecond());
    if (!load.failuresByClass().isEmpty()) {
      out.print("failures by class:");
      for (Map.Entry<String, Long> e : load.failuresByClass().entrySet()) {
        out.print("  " + e.getKey() + "=" + e.getValue());
      }
      out.println();
    }
    LatencySummary l = load.latency();
    out.printf(
        "latency ms: p50 %.1f  p90 %.1f  p99 %.1f  p99.9 %.1f  max %.1f%n",
        l.p50Ms(), l.p90Ms(), l.p99Ms(), l.p999Ms(), l.maxMs());
    if (result.lostRequests()) {
      out.printf(
          "FAIL: %d of %d requests failed; run `saferollout lint` on the Deployment's manifest%n",
          load.failed(), load.requests());
    } else if (!result.rolloutCompleted()) {
      out.println("FAIL: no request failed, but the rollout did not complete in time");
    } else {
      out.println("PASS: no request failed");
    }
  }

  private static URI parseUrl(String text) {
    try {
      URI uri = new URI(text);
      if (uri.getScheme() == null
          || !(uri.getScheme().equals("http") || uri.getScheme().equals("https"))
          || uri.getHost() == null) {
        throw new BadInputException(
            "--url '" + text + "' must be an http:// or https:// URL with a host");
      }
      return uri;
    } catch (URISyntaxException e) {
      throw new BadInputException("--url '" + text + "' is not a valid URL: " + e.getReason());
    }
  }

  /** Go-style durations as kubectl takes them: 500ms, 30s, 2m, 1h, or plain seconds. */
  static Duration duration(String option, String text) {
    var m = java.util.regex.Pattern.compile("^(\\d+)(ms|s|m|h)?$").matcher(text.trim());
    if (!m.matches()) {
      throw new BadInputException(
          option + " '" + text + "' is not a duration; use e.g. 500ms, 30s, 2m");
    }
    long n = Long.parseLong(m.group(1));
    String unit = m.group(2) == null ? "s" : m.group(2);
    return switch (unit) {
      case "ms" -> Duration.ofMillis(n);
      case "m" -> Duration.ofMinutes(n);
      case "h" -> Duration.ofHours(n);
      default -> Duration.ofSeconds(n);
    };
  }

  private static String human(Duration d) {
    return d.toMillis() % 1000 == 0 ? d.toSeconds() + "s" : d.toMillis() + "ms";
  }

  private static String format(double rps) {
    return rps == Math.rint(rps) ? Long.toString((long) rps) : Double.toString(rps);
  }
}
