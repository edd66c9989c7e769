package io.saferollout.lab.scenario;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.saferollout.lab.cluster.NodeDrain;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Random;

/**
 * The writes a scenario makes to the lab's API, as a user or a chaos tool would make them to a
 * cluster: edit the Deployment, or delete a pod (which goes through graceful termination).
 */
final class Disruptions {

  /** The annotation {@code kubectl rollout restart} sets on the pod template. */
  static final String RESTARTED_AT = "kubectl.kubernetes.io/restartedAt";

  private final KubernetesClient client;
  private final String namespace;
  private final String deployment;
  private final Random random;
  private int imageVersion = 1;

  Disruptions(KubernetesClient client, String namespace, String deployment, long seed) {
    this.client = client;
    this.namespace = namespace;
    this.deployment = deployment;
    this.random = new Random(seed);
  }

  Deployment current() {
    return client.apps().deployments().inNamespace(namespace).withName(deployment).get();
  }

  List<Pod> pods() {
    Deployment d = current();
    return client
        .pods()
        .inNamespace(namespace)
        .withLabels(d.getSpec().getSelector().getMatchLabels())
        .list()
        .getItems();
  }

  /** A new image tag for the (first) container: the template changes, so pods roll. */
  void changeImage() {
    imageVersion++;
    edit(
        d -> {
          var container = d.getSpec().getTemplate().getSpec().getContainers().get(0);
          String image = container.getImage();
          int colon = image.lastIndexOf(':');
          container.setImage((colon < 0 ? image : image.substring(0, colon)) + ":v" + imageVersion);
          return d;
        });
  }

  void restart() {
    edit(
        d ->
            new DeploymentBuilder(d)
                .editSpec()
                .editTemplate()
                .editMetadata()
                .addToAnnotations(RESTARTED_AT, Instant.now().toString())
                .endMetadata()
                .endTemplate()
                .endSpec()
                .build());
  }

  void scaleTo(int replicas) {
    edit(
        d -> {
          d.getSpec().setReplicas(replicas);
          return d;
        });
  }

  /**
   * Deletes one pod that is not already terminating, chosen with the seeded random; the pod
   * deleted, if any.
   */
  Optional<Pod> killOne() {
    List<Pod> candidates =
        pods().stream()
            .filter(p -> p.getMetadata().getDeletionTimestamp() == null)
            .sorted(Comparator.comparing(p -> p.getMetadata().getName()))
            .toList();
    if (candidates.isEmpty()) {
      return Optional.empty();
    }
    Pod victim = candidates.get(random.nextInt(candidates.size()));
    client.pods().inNamespace(namespace).resource(victim).delete();
    return Optional.of(victim);
  }

  /**
   * Drains the (lab's only) node of the Deployment's pods as {@code kubectl drain} does: every pod
   * that is not terminating is evicted through the eviction API; evictions the PodDisruptionBudget
   * refuses with 429 are retried every 5 s, kubectl's interval, until {@code within} has passed.
   * The lab runs every pod on one node and does not cordon it, so the replacements start there
   * again; what the drain exercises is the eviction path under a budget.
   *
   * @return the evicted pods
   * @throws IllegalStateException when some eviction was still refused at the deadline
   */
  List<Pod> drain(Duration within) throws InterruptedException {
    List<Pod> targets =
        pods().stream().filter(p -> p.getMetadata().getDeletionTimestamp() == null).toList();
    try (NodeDrain drain = new NodeDrain(client, NodeDrain.KUBECTL_RETRY_INTERVAL)) {
      NodeDrain.Result result = drain.evict(targets, within);
      if (!result.complete()) {
        throw new IllegalStateException(
            "node drain: evictions of "
                + result.refused()
                + " still refused after "
                + within.toSeconds()
                + " s ("
                + result.tooManyRequests()
                + " answers 429)");
      }
      return targets;
    }
  }

  long pauseMillis(long maxMillis) {
    return maxMillis <= 0 ? 0 : maxMillis / 2 + (long) (random.nextDouble() * (maxMillis / 2));
  }

  private void edit(java.util.function.UnaryOperator<Deployment> change) {
    client.apps().deployments().inNamespace(namespace).withName(deployment).edit(change);
  }
}
