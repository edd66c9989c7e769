package io.saferollout.operator.rollout;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;
import io.fabric8.kubernetes.client.informers.cache.BasicItemStore;
import io.fabric8.kubernetes.client.informers.cache.Cache;
import io.fabric8.kubernetes.client.informers.cache.ItemStore;
import java.util.List;
import java.util.stream.Stream;

/**
 * The pod informer's cache, holding only what rollout observation reads: identity, labels, owner,
 * deletion, node, the containers' preStop hooks and the Ready condition. Env, volumes, images,
 * managedFields and the rest are dropped as each pod is stored, so memory grows with the pods of
 * the targets and little else. One store serves one informer: an informer's relist removes every
 * cached key its list did not return, so a store shared by two namespaces' informers would lose
 * pods.
 */
final class LeanPodStore implements ItemStore<Pod> {
  private final BasicItemStore<Pod> delegate = new BasicItemStore<>(Cache::metaNamespaceKeyFunc);

  static Pod prune(Pod pod) {
    var m = pod.getMetadata();
    var metadata =
        new ObjectMetaBuilder()
            .withName(m.getName())
            .withNamespace(m.getNamespace())
            .withUid(m.getUid())
            .withResourceVersion(m.getResourceVersion())
            .withLabels(m.getLabels())
            .withOwnerReferences(m.getOwnerReferences())
            .withCreationTimestamp(m.getCreationTimestamp())
            .withDeletionTimestamp(m.getDeletionTimestamp())
            .withDeletionGracePeriodSeconds(m.getDeletionGracePeriodSeconds())
            .build();
    PodBuilder lean = new PodBuilder().withMetadata(metadata);
    if (pod.getSpec() != null) {
      List<Container> hooks =
          pod.getSpec().getContainers().stream()
              .map(
                  c ->
                      new ContainerBuilder()
                          .withName(c.getName())
                          .withLifecycle(c.getLifecycle())
                          .build())
              .toList();
      lean.withNewSpec().withNodeName(pod.getSpec().getNodeName()).withContainers(hooks).endSpec();
    }
    if (pod.getStatus() != null) {
      lean.withStatus(
          new PodStatusBuilder()
              .withPhase(pod.getStatus().getPhase())
              .withConditions(
                  pod.getStatus().getConditions().stream()
                      .filter(c -> "Ready".equals(c.getType()))
                      .toList())
              .build());
    }
    return lean.build();
  }

  @Override
  public String getKey(Pod pod) {
    return delegate.getKey(pod);
  }

  @Override
  public Pod put(String key, Pod pod) {
    return delegate.put(key, prune(pod));
  }

  @Override
  public Pod remove(String key) {
    return delegate.remove(key);
  }

  @Override
  public Stream<String> keySet() {
    return delegate.keySet();
  }

  @Override
  public Stream<Pod> values() {
    return delegate.values();
  }

  @Override
  public int size() {
    return delegate.size();
  }

  @Override
  public Pod get(String key) {
    return delegate.get(key);
  }
}
