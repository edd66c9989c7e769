package io.saferollout.lab.cluster;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Evicts pods through the eviction API as {@code kubectl drain} does (k8s.io/kubectl/pkg/drain):
 * each pod is asked for once per round; a 429 (a PodDisruptionBudget has no disruption left) is
 * retried after a pause until the deadline. Pods already being deleted are not asked again.
 *
 * <p>Evictions go through a client of its own with the fabric8 client's retries turned off: that
 * client retries 429s itself with exponential back-off (StandardHttpClient.shouldRetry), which
 * would hide the refusals and let one eviction outlast the drain's deadline.
 */
public final class NodeDrain implements AutoCloseable {

  /** kubectl drain waits 5 s between eviction attempts refused with 429 (drain.go evictPods). */
  public static final Duration KUBECTL_RETRY_INTERVAL = Duration.ofSeconds(5);

  private final KubernetesClient client;
  private final Duration retryInterval;

  public NodeDrain(KubernetesClient client, Duration retryInterval) {
    Objects.requireNonNull(client, "client");
    if (retryInterval.isNegative() || retryInterval.isZero()) {
      throw new IllegalArgumentException("retryInterval must be positive, got " + retryInterval);
    }
    this.retryInterval = retryInterval;
    this.client =
        new KubernetesClientBuilder()
            .withConfig(
                new ConfigBuilder(client.getConfiguration())
                    .withRequestRetryBackoffLimit(0)
                    .build())
            .build();
  }

  @Override
  public void close() {
    client.close();
  }

  /**
   * What a drain achieved: pods whose eviction was accepted, pods still refused at the deadline,
   * 429s seen.
   */
  public record Result(List<String> evicted, List<String> refused, int tooManyRequests) {
    public boolean complete() {
      return refused.isEmpty();
    }
  }

  /**
   * The pods in a namespace that a drain of this node would evict: scheduled there and not
   * terminating.
   */
  public List<Pod> podsOn(String namespace, String nodeName) {
    return pods(namespace, p -> nodeName.equals(p.getSpec().getNodeName()));
  }

  public List<Pod> pods(String namespace, Predicate<Pod> which) {
    return client.pods().inNamespace(namespace).list().getItems().stream()
        .filter(p -> p.getMetadata().getDeletionTimestamp() == null)
        .filter(which)
        .toList();
  }

  /** Evicts every given pod, retrying refused ones until {@code within} has passed. */
  public Result evict(Collection<Pod> pods, Duration within) throws InterruptedException {
    long deadline = System.nanoTime() + within.toNanos();
    Set<Pod> pending = new LinkedHashSet<>(pods);
    List<String> evicted = new ArrayList<>();
    int refusals = 0;
    while (true) {
      for (Pod pod : List.copyOf(pending)) {
        // evict() answers false on 429 and true once the API accepted the eviction.
        if (client
            .pods()
            .inNamespace(pod.getMetadata().getNamespace())
            .withName(pod.getMetadata().getName())
            .evict()) {
          evicted.add(pod.getMetadata().getName());
          pending.remove(pod);
        } else {
          refusals++;
        }
      }
      long left = deadline - System.nanoTime();
      if (pending.isEmpty() || left <= 0) {
        break;
      }
      Thread.sleep(Math.min(retryInterval.toMillis(), Math.max(1, left / 1_000_000)));
    }
    return new Result(
        List.copyOf(evicted),
        pending.stream().map(p -> p.getMetadata().getName()).toList(),
        refusals);
  }
}
