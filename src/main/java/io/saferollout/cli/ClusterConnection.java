package io.saferollout.cli;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.io.File;
import java.nio.file.Files;

/**
 * A client for the cluster of a kubeconfig; an unreadable kubeconfig or unreachable API is bad
 * input.
 */
final class ClusterConnection {
  private ClusterConnection() {}

  static Config config(File kubeconfig) {
    if (kubeconfig == null) {
      return Config.autoConfigure(null);
    }
    if (!kubeconfig.isFile()) {
      throw new BadInputException("--kubeconfig " + kubeconfig + ": no such file");
    }
    try {
      return Config.fromKubeconfig(
          null, Files.readString(kubeconfig.toPath()), kubeconfig.getPath());
    } catch (Exception e) {
      throw new BadInputException(
          "--kubeconfig " + kubeconfig + " is not a valid kubeconfig: " + e.getMessage(), e);
    }
  }

  /**
   * Connects and asks for the server version, so an unreachable API fails here with one clear line.
   */
  static KubernetesClient connect(Config config) {
    // Fail fast on a wrong address: the client's default retries with backoff take minutes. Only
    // this first check gives up early; the returned client keeps the configured retries.
    int retries = config.getRequestRetryBackoffLimit();
    config.setRequestRetryBackoffLimit(1);
    try (KubernetesClient probe = new KubernetesClientBuilder().withConfig(config).build()) {
      probe.getKubernetesVersion();
    } catch (KubernetesClientException e) {
      throw new BadInputException(
          "cannot reach the Kubernetes API at "
              + config.getMasterUrl()
              + ": "
              + rootMessage(e)
              + " (check your kubeconfig or pass --kubeconfig)",
          e);
    } finally {
      config.setRequestRetryBackoffLimit(retries);
    }
    return new KubernetesClientBuilder().withConfig(config).build();
  }

  private static String rootMessage(Throwable t) {
    Throwable c = t;
    while (c.getCause() != null && c.getCause() != c) {
      c = c.getCause();
    }
    return c.getMessage() != null ? c.getMessage() : c.getClass().getSimpleName();
  }
}
