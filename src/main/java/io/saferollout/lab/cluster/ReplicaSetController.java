package io.saferollout.lab.cluster;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodSpecBuilder;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.api.model.apps.ReplicaSetBuilder;
import io.fabric8.kubernetes.api.model.apps.ReplicaSetStatus;
import io.fabric8.kubernetes.api.model.apps.ReplicaSetStatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import java.net.HttpURLConnection;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The ReplicaSet controller (pkg/controller/replicaset): creates or deletes pods until as many
 * active pods as {@code spec.replicas} exist, and reports how many are ready and available. See
 * https://kubernetes.io/docs/concepts/workloads/controllers/replicaset/
 */
final class ReplicaSetController implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(ReplicaSetController.class);

  /** replicaset_controller.go BurstReplicas: at most this many creations or deletions per sync. */
  private static final int BURST_REPLICAS = 500;

  private static final String NAME_ALPHABET = "bcdfghjklmnpqrstvwxz2456789";

  private final KubernetesClient client;
  private final SharedInformers informers;
  private final LabEvents events;
  private final Random names;
  private final ControllerExpectations expectations = new ControllerExpectations();
  private final WorkQueue queue;

  ReplicaSetController(
      KubernetesClient client, SharedInformers informers, LabEvents events, long seed) {
    this.client = client;
    this.informers = informers;
    this.events = events;
    this.names = new Random(seed);
    this.queue = new WorkQueue("replicaset-controller", this::sync);
  }

  void start() {
    informers.replicaSets.addEventHandler(
        SharedInformers.enqueueKey(queue, rs -> Optional.of(SharedInformers.key(rs))));
    informers.pods.addEventHandler(
        new ResourceEventHandler<>() {
          @Override
          public void onAdd(Pod pod) {
            owner(pod)
                .ifPresent(
                    rsKey -> {
                      expectations.creationObserved(rsKey, pod.getMetadata().getName());
                      queue.add(rsKey);
                    });
          }

          @Override
          public void onUpdate(Pod oldPod, Pod pod) {
            owner(pod)
                .ifPresent(
                    rsKey -> {
                      if (PodConditions.isTerminating(pod)) {
                        expectations.deletionObserved(rsKey, pod.getMetadata().getName());
                      }
                      queue.add(rsKey);
                    });
          }

          @Override
          public void onDelete(Pod pod, boolean finalStateUnknown) {
            owner(pod)
                .ifPresent(
                    rsKey -> {
                      expectations.deletionObserved(rsKey, pod.getMetadata().getName());
                      queue.add(rsKey);
                    });
          }
        });
  }

  private static Optional<String> owner(Pod pod) {
    return SharedInformers.controllerOf(pod)
        .filter(ref -> "ReplicaSet".equals(ref.getKind()))
        .map(ref -> SharedInformers.key(pod.getMetadata().getNamespace(), ref.getName()));
  }

  private void sync(String key) {
    ReplicaSet rs = informers.replicaSets.getStore().getByKey(key);
    if (rs == null) {
      expectations.forget(key);
      return;
    }
    Instant now = Instant.now();
    List<Pod> active =
        informers
            .pods
            .getIndexer()
            .byIndex(SharedInformers.BY_CONTROLLER_UID, rs.getMetadata().getUid())
            .stream()
            .filter(PodConditions::isActive)
            .toList();
    if (expectations.satisfied(key, now) && rs.getMetadata().getDeletionTimestamp() == null) {
      manageReplicas(key, rs, active);
    }
    ReplicaSetStatus status = calculateStatus(rs, active, now);
    if (!status.equals(rs.getStatus())) {
      client
          .apps()
          .replicaSets()
          .resource(new ReplicaSetBuilder(rs).withStatus(status).build())
          .updateStatus();
    }
    nextAvailability(rs, active, now).ifPresent(delay -> queue.addAfter(key, delay));
  }

  private void manageReplicas(String key, ReplicaSet rs, List<Pod> active) {
    int desired = Optional.ofNullable(rs.getSpec().getReplicas()).orElse(1);
    int diff = active.size() - desired;
    if (diff < 0) {
      Set<String> podNames = new LinkedHashSet<>();
      while (podNames.size() < Math.min(-diff, BURST_REPLICAS)) {
        podNames.add(podName(rs));
      }
      expectations.expectCreations(key, podNames);
      for (String name : podNames) {
        createPod(key, rs, name);
      }
    } else if (diff > 0) {
      List<Pod> victims =
          active.stream()
              .sorted(PodDeletionRanking.DELETE_FIRST)
              .limit(Math.min(diff, BURST_REPLICAS))
              .toList();
      Set<String> podNames = new LinkedHashSet<>();
      victims.forEach(p -> podNames.add(p.getMetadata().getName()));
      expectations.expectDeletions(key, podNames);
      for (Pod victim : victims) {
        LOG.debug("ReplicaSet {}: deleting pod {}", key, victim.getMetadata().getName());
        try {
          client.pods().resource(victim).delete();
        } catch (KubernetesClientException e) {
          expectations.deletionObserved(key, victim.getMetadata().getName());
          throw e;
        }
      }
    }
  }

  /**
   * controller.GetPodFromTemplate: the template's labels, annotations and spec, owned by the
   * ReplicaSet.
   */
  private void createPod(String key, ReplicaSet rs, String name) {
    Pod pod =
        new PodBuilder()
            .withNewMetadata()
            .withName(name)
            .withNamespace(rs.getMetadata().getNamespace())
            .withLabels(
                Optional.ofNullable(rs.getSpec().getTemplate().getMetadata())
                    .map(m -> m.getLabels())
                    .orElse(Map.of()))
            .withAnnotations(
                Optional.ofNullable(rs.getSpec().getTemplate().getMetadata())
                    .map(m -> m.getAnnotations())
                    .orElse(Map.of()))
            .withOwnerReferences(DeploymentController.controllerReference(rs))
            .withFinalizers(Kubelet.GRACEFUL_DELETION_FINALIZER)
            .endMetadata()
            .withSpec(new PodSpecBuilder(rs.getSpec().getTemplate().getSpec()).build())
            .build();
    try {
      client.pods().resource(pod).create();
      events.record(
          LabEvent.now(
              LabEvent.Kind.POD_CREATED,
              pod.getMetadata().getNamespace(),
              name,
              null,
              "by ReplicaSet " + rs.getMetadata().getName()));
    } catch (KubernetesClientException e) {
      expectations.creationObserved(key, name);
      if (e.getCode() != HttpURLConnection.HTTP_CONFLICT) {
        throw e;
      }
      LOG.debug("pod name {} already taken; the next sync picks another", name);
      queue.add(key);
    }
  }

  private String podName(ReplicaSet rs) {
    StringBuilder name = new StringBuilder(rs.getMetadata().getName()).append('-');
    synchronized (names) {
      for (int i = 0; i < 5; i++) {
        name.append(NAME_ALPHABET.charAt(names.nextInt(NAME_ALPHABET.length())));
      }
    }
    return name.toString();
  }

  /** replica_set_utils.go calculateStatus. */
  private static ReplicaSetStatus calculateStatus(ReplicaSet rs, List<Pod> active, Instant now) {
    int minReady = Optional.ofNullable(rs.getSpec().getMinReadySeconds()).orElse(0);
    Map<String, String> templateLabels =
        Optional.ofNullable(rs.getSpec().getTemplate().getMetadata())
            .map(m -> m.getLabels())
            .orElse(Map.of());
    int fullyLabeled =
        (int)
            active.stream()
                .filter(
                    p ->
                        p.getMetadata()
                            .getLabels()
                            .entrySet()
                            .containsAll(templateLabels.entrySet()))
                .count();
    int ready = (int) active.stream().filter(PodConditions::isReady).count();
    int available =
        (int) active.stream().filter(p -> PodConditions.isAvailable(p, minReady, now)).count();
    return new ReplicaSetStatusBuilder()
        .withReplicas(active.size())
        .withFullyLabeledReplicas(fullyLabeled)
        .withReadyReplicas(ready)
        .withAvailableReplicas(available)
        .withObservedGeneration(rs.getMetadata().getGeneration())
        .withConditions(rs.getStatus() == null ? List.of() : rs.getStatus().getConditions())
        .build();
  }

  /** A ready pod becomes available minReadySeconds later without any event: look again then. */
  private static Optional<Duration> nextAvailability(ReplicaSet rs, List<Pod> active, Instant now) {
    int minReady = Optional.ofNullable(rs.getSpec().getMinReadySeconds()).orElse(0);
    if (minReady == 0) {
      return Optional.empty();
    }
    return active.stream()
        .filter(p -> PodConditions.isReady(p) && !PodConditions.isAvailable(p, minReady, now))
        .map(p -> PodConditions.readySince(p).orElse(now).plusSeconds(minReady))
        .min(Instant::compareTo)
        .map(at -> Duration.between(now, at).plusMillis(100));
  }

  @Override
  public void close() {
    queue.close();
  }
}
