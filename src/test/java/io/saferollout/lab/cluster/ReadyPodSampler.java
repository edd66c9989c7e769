package io.saferollout.lab.cluster;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;

/**
 * Watches a Deployment's pods and remembers the fewest pods that were ready and not terminating
 * (what a Service sends traffic to) at any event since {@link #arm()}. Event-driven, so every
 * change is seen, however short.
 */
final class ReadyPodSampler implements AutoCloseable {

  private final SharedIndexInformer<Pod> informer;
  private volatile boolean armed;
  private int minimum = Integer.MAX_VALUE;
  private int maximumTotal;

  ReadyPodSampler(KubernetesClient client, String app) {
    informer =
        client
            .pods()
            .inNamespace(LabFixtures.NAMESPACE)
            .withLabel("app", app)
            .inform(SharedInformers.onAnyChange(pod -> sample()));
  }

  void arm() {
    armed = true;
    sample();
  }

  private synchronized void sample() {
    if (!armed) {
      return;
    }
    int ready =
        (int)
            informer.getStore().list().stream()
                .filter(p -> PodConditions.isReady(p) && !PodConditions.isTerminating(p))
                .count();
    minimum = Math.min(minimum, ready);
    maximumTotal = Math.max(maximumTotal, informer.getStore().list().size());
  }

  synchronized int minimumReady() {
    return minimum;
  }

  /** The most pods (any state) that existed at once. */
  synchronized int maximumPods() {
    return maximumTotal;
  }

  @Override
  public void close() {
    informer.close();
  }
}
