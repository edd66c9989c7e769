package io.saferollout.cli;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.saferollout.operator.OperatorSettings;
import io.saferollout.operator.SafeRolloutOperator;
import io.saferollout.operator.health.HealthServer;
import java.io.File;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(
    name = "run",
    mixinStandardHelpOptions = true,
    versionProvider = VersionCommand.Provider.class,
    description = "Run the SafeRollout operator against the current kubeconfig (or --kubeconfig).",
    footer = {
      "",
      "Examples:",
      "  saferollout run                                  # all namespaces, current context",
      "  saferollout run --namespace shop --namespace web  # only these namespaces",
      "  saferollout run --leader-election --lease-namespace saferollout-system"
    })
final class RunCommand implements Callable<Integer> {

  @Option(
      names = "--kubeconfig",
      paramLabel = "FILE",
      description = "kubeconfig file (default: $KUBECONFIG, ~/.kube/config, or in-cluster)")
  File kubeconfig;

  @Option(
      names = {"-n", "--namespace"},
      paramLabel = "NS",
      description = "namespace to watch; repeatable (default: all)")
  List<String> namespaces = List.of();

  @Option(
      names = "--leader-election",
      description = "compete for a Lease so only one replica reconciles")
  boolean leaderElection;

  @Option(
      names = "--lease-name",
      defaultValue = OperatorSettings.DEFAULT_LEASE_NAME,
      description = "Lease name (default: ${DEFAULT-VALUE})")
  String leaseName;

  @Option(
      names = "--lease-namespace",
      defaultValue = "${env:POD_NAMESPACE}",
      description = "Lease namespace (default: $POD_NAMESPACE)")
  String leaseNamespace;

  @Option(
      names = "--health-port",
      defaultValue = "8080",
      description =
          "port for /healthz, /readyz and /metrics (default: ${DEFAULT-VALUE}; 0 picks a free port)")
  int healthPort;

  @Override
  public Integer call() throws Exception {
    if (healthPort < 0 || healthPort > 65535) {
      throw new BadInputException("--health-port must be 0-65535, got " + healthPort);
    }
    if (leaderElection && (leaseNamespace == null || leaseNamespace.isBlank())) {
      throw new BadInputException(
          "--leader-election needs --lease-namespace (or the POD_NAMESPACE environment variable)");
    }
    OperatorSettings settings =
        new OperatorSettings(
            new LinkedHashSet<>(namespaces),
            leaderElection,
            leaseName,
            leaseNamespace,
            System.getenv("HOSTNAME"),
            Duration.ofMinutes(10),
            OperatorSettings.LeaseTiming.DEFAULT);
    PrometheusMeterRegistry meters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    try (KubernetesClient client = ClusterConnection.connect(ClusterConnection.config(kubeconfig));
        SafeRolloutOperator operator = new SafeRolloutOperator(client, settings, meters);
        HealthServer health = new HealthServer(healthPort, operator::health, meters)) {
      operator.stopOnShutdown();
      operator.start();
      System.err.printf(
          "saferollout: operator running against %s (namespaces: %s)%n",
          client.getMasterUrl(), namespaces.isEmpty() ? "all" : String.join(",", namespaces));
      // The operator runs until the JVM exits; the shutdown hook stops it within its timeout.
      new CountDownLatch(1).await();
    }
    return 0;
  }
}
