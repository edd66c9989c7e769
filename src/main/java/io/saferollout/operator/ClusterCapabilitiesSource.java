package io.saferollout.operator;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.VersionInfo;
import io.saferollout.operator.rollout.NodeListAccess;
import io.saferollout.rules.ClusterCapabilities;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the cluster can run, from the API server's version and the oldest kubelet among the Nodes,
 * read and cached: whether the preStop sleep action and native sidecars work depends on both, and
 * clusters get upgraded (and old node pools drained) under a running operator. Reading Nodes needs
 * a cluster-wide read-only {@code nodes list} grant; without it (a namespaced install, say) the API
 * server's version is used, and that is said once in the log. Whether the grant is there is asked
 * first ({@link NodeListAccess}), so a namespaced install sends no request the API server refuses.
 */
final class ClusterCapabilitiesSource {
  private static final Logger LOG = LoggerFactory.getLogger(ClusterCapabilitiesSource.class);

  private final KubernetesClient client;
  private final NodeListAccess nodeAccess;
  private final Duration refresh;
  private ClusterCapabilities cached;
  private Instant readAt = Instant.MIN;
  private boolean nodesUnreadableLogged;

  ClusterCapabilitiesSource(KubernetesClient client, Duration refresh) {
    this.client = client;
    this.nodeAccess = new NodeListAccess(client);
    this.refresh = refresh;
  }

  synchronized ClusterCapabilities current() {
    if (cached == null || Instant.now().isAfter(readAt.plus(refresh))) {
      VersionInfo v = client.getKubernetesVersion();
      String server =
          v.getGitVersion() != null && !v.getGitVersion().isBlank()
              ? v.getGitVersion()
              : v.getMajor() + "." + v.getMinor();
      List<String> kubelets = kubeletVersions();
      ClusterCapabilities read = ClusterCapabilities.oldestOf(server, kubelets);
      if (!read.equals(cached)) {
        LOG.info(
            "Kubernetes {} (API server {}, {} kubelet(s) read): preStop sleep action {}, native sidecars {}",
            read,
            server,
            kubelets.size(),
            read.sleepAction() ? "available" : "unavailable",
            read.nativeSidecars() ? "available" : "unavailable");
      }
      cached = read;
      readAt = Instant.now();
    }
    return cached;
  }

  private List<String> kubeletVersions() {
    if (nodeAccess.ask() == NodeListAccess.Answer.DENIED) {
      if (!nodesUnreadableLogged) {
        LOG.warn(
            "this operator may not list Nodes: capabilities follow the API server's version only; an"
                + " older kubelet could then be given a hook form it cannot run. Grant nodes list"
                + " (the chart's cluster-wide install does) to fix.");
        nodesUnreadableLogged = true;
      }
      return List.of();
    }
    try {
      return client.nodes().list().getItems().stream()
          .map(Node::getStatus)
          .filter(Objects::nonNull)
          .map(s -> s.getNodeInfo() == null ? null : s.getNodeInfo().getKubeletVersion())
          .filter(Objects::nonNull)
          .filter(version -> !version.isBlank())
          .toList();
    } catch (KubernetesClientException e) {
      if (!nodesUnreadableLogged) {
        LOG.warn(
            "cannot list Nodes ({} {}): capabilities follow the API server's version only; an older kubelet "
                + "could then be given a hook form it cannot run. Grant nodes list/watch to fix.",
            e.getCode(),
            e.getMessage());
        nodesUnreadableLogged = true;
      }
      return List.of();
    }
  }
}
