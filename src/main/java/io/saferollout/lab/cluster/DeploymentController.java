package io.saferollout.lab.cluster;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpecBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatus;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.api.model.apps.ReplicaSetBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.net.HttpURLConnection;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Deployment controller (pkg/controller/deployment): keeps one ReplicaSet per pod template,
 * moves pods from the old ones to the new one by the Deployment's strategy, numbers revisions and
 * reports status. Follows https://kubernetes.io/docs/concepts/workloads/controllers/deployment/
 */
final class DeploymentController implements AutoCloseable {

  static final String REVISION = "deployment.kubernetes.io/revision";

  private static final Logger LOG = LoggerFactory.getLogger(DeploymentController.class);
  private static final Comparator<ReplicaSet> OLDEST_FIRST =
      Comparator.comparing(
              (ReplicaSet rs) -> rs.getMetadata().getCreationTimestamp(),
              Comparator.nullsFirst(Comparator.naturalOrder()))
          .thenComparing(rs -> rs.getMetadata().getName());

  private final KubernetesClient client;
  private final SharedInformers informers;
  private final WorkQueue queue;

  DeploymentController(KubernetesClient client, SharedInformers informers) {
    this.client = client;
    this.informers = informers;
    this.queue = new WorkQueue("deployment-controller", this::sync);
  }

  void start() {
    informers.deployments.addEventHandler(
        SharedInformers.enqueueKey(queue, d -> Optional.of(SharedInformers.key(d))));
    informers.replicaSets.addEventHandler(SharedInformers.enqueueKey(queue, this::deploymentKeyOf));
    // Pods matter only to Recreate, which waits until every old pod is gone.
    informers.pods.addEventHandler(SharedInformers.enqueueKey(queue, this::deploymentKeyOfPod));
  }

  private Optional<String> deploymentKeyOf(ReplicaSet rs) {
    return SharedInformers.controllerOf(rs)
        .filter(ref -> "Deployment".equals(ref.getKind()))
        .map(ref -> SharedInformers.key(rs.getMetadata().getNamespace(), ref.getName()));
  }

  private Optional<String> deploymentKeyOfPod(Pod pod) {
    return SharedInformers.controllerOf(pod)
        .filter(ref -> "ReplicaSet".equals(ref.getKind()))
        .map(
            ref ->
                informers
                    .replicaSets
                    .getStore()
                    .getByKey(SharedInformers.key(pod.getMetadata().getNamespace(), ref.getName())))
        .flatMap(this::deploymentKeyOf);
  }

  private void sync(String key) {
    Deployment d = informers.deployments.getStore().getByKey(key);
    if (d == null || d.getMetadata().getDeletionTimestamp() != null || d.getSpec() == null) {
      return;
    }
    d = new DeploymentBuilder(d).build();
    List<ReplicaSet> owned = new ArrayList<>();
    for (ReplicaSet rs :
        informers
            .replicaSets
            .getIndexer()
            .byIndex(SharedInformers.BY_CONTROLLER_UID, d.getMetadata().getUid())) {
      if (rs.getMetadata().getDeletionTimestamp() == null) {
        owned.add(new ReplicaSetBuilder(rs).build());
      }
    }
    owned.sort(OLDEST_FIRST);
    try {
      if (DeploymentDefaults.paused(d)) {
        syncPaused(d, owned);
      } else if (DeploymentDefaults.isRecreate(d)) {
        rolloutRecreate(d, owned);
      } else {
        rolloutRolling(d, owned);
      }
    } catch (IllegalArgumentException invalid) {
      // A spec the real API server would have rejected: report and wait for a fix.
      LOG.warn("Deployment {}: {}", key, invalid.getMessage());
    }
  }

  /** rolling.go rolloutRolling: one step per sync, scale up first, then scale down. */
  private void rolloutRolling(Deployment d, List<ReplicaSet> owned) {
    RollingUpdateBudget budget = RollingUpdateBudget.of(d);
    int desired = DeploymentDefaults.replicas(d);
    Revisions revisions = syncRevisions(d, owned, true);
    ReplicaSet newRs = revisions.newRs;
    List<ReplicaSet> old = revisions.old;
    List<ReplicaSet> all = all(newRs, old);

    int target = RollingUpdate.newReplicaSetSize(desired, budget, counts(newRs), counts(old));
    if (target != replicas(newRs)) {
      scale(newRs, target);
      syncRolloutStatus(revisions.deployment, all, newRs);
      return;
    }
    List<RollingUpdate.Scale> steps =
        RollingUpdate.scaleDownOld(desired, budget, counts(newRs), counts(old));
    for (RollingUpdate.Scale step : steps) {
      old.stream()
          .filter(rs -> rs.getMetadata().getName().equals(step.replicaSet()))
          .findFirst()
          .ifPresent(rs -> scale(rs, step.replicas()));
    }
    if (steps.isEmpty() && isComplete(revisions.deployment)) {
      cleanupOldReplicaSets(revisions.deployment, old);
    }
    syncRolloutStatus(revisions.deployment, all, newRs);
  }

  /** recreate.go: all old pods gone before the new ReplicaSet is created at full size. */
  private void rolloutRecreate(Deployment d, List<ReplicaSet> owned) {
    Revisions revisions = syncRevisions(d, owned, false);
    List<ReplicaSet> activeOld = revisions.old.stream().filter(rs -> replicas(rs) > 0).toList();
    if (!activeOld.isEmpty()) {
      activeOld.forEach(rs -> scale(rs, 0));
      syncRolloutStatus(revisions.deployment, all(revisions.newRs, revisions.old), revisions.newRs);
      return;
    }
    if (oldPodsRunning(revisions)) {
      syncRolloutStatus(revisions.deployment, all(revisions.newRs, revisions.old), revisions.newRs);
      return;
    }
    if (revisions.newRs == null) {
      revisions = syncRevisions(d, owned, true);
    }
    int desired = DeploymentDefaults.replicas(d);
    if (replicas(revisions.newRs) != desired) {
      scale(revisions.newRs, desired);
    } else if (isComplete(revisions.deployment)) {
      cleanupOldReplicaSets(revisions.deployment, revisions.old);
    }
    syncRolloutStatus(revisions.deployment, all(revisions.newRs, revisions.old), revisions.newRs);
  }

  /**
   * sync.go sync() for a paused Deployment: no new ReplicaSet and no rollout step, but a change of
   * replicas still applies (to the only active ReplicaSet; the real controller also splits a scale
   * across several in proportion, which the lab does not simulate).
   */
  private void syncPaused(Deployment d, List<ReplicaSet> owned) {
    Revisions revisions = syncRevisions(d, owned, false);
    List<ReplicaSet> active =
        all(revisions.newRs, revisions.old).stream().filter(rs -> replicas(rs) > 0).toList();
    ReplicaSet only =
        active.size() == 1 ? active.get(0) : active.isEmpty() ? revisions.newRs : null;
    int desired = DeploymentDefaults.replicas(d);
    if (only != null && replicas(only) != desired) {
      scale(only, desired);
    }
    cleanupOldReplicaSets(revisions.deployment, revisions.old);
    syncRolloutStatus(revisions.deployment, all(revisions.newRs, revisions.old), revisions.newRs);
  }

  private record Revisions(Deployment deployment, ReplicaSet newRs, List<ReplicaSet> old) {}

  /**
   * sync.go getAllReplicaSetsAndSyncRevision: the ReplicaSet whose template equals the Deployment's
   * is the new one and gets revision max(old)+1 — also when it is an old one being reused, which is
   * how a rollback (kubectl rollout undo) renumbers the restored ReplicaSet.
   */
  private Revisions syncRevisions(Deployment d, List<ReplicaSet> owned, boolean createIfMissing) {
    ReplicaSet newRs =
        owned.stream()
            .filter(
                rs ->
                    PodTemplateHash.equalIgnoringHash(
                        rs.getSpec().getTemplate(), d.getSpec().getTemplate()))
            .findFirst()
            .orElse(null);
    List<ReplicaSet> old = new ArrayList<>(owned);
    old.remove(newRs);
    long newRevision = old.stream().mapToLong(DeploymentController::revision).max().orElse(0) + 1;

    if (newRs != null) {
      boolean renumber = revision(newRs) < newRevision;
      boolean minReadyChanged =
          !Objects.equals(
              newRs.getSpec().getMinReadySeconds(), DeploymentDefaults.minReadySeconds(d));
      if (renumber || minReadyChanged) {
        newRs
            .getMetadata()
            .getAnnotations()
            .put(REVISION, Long.toString(Math.max(newRevision, revision(newRs))));
        newRs.getSpec().setMinReadySeconds(DeploymentDefaults.minReadySeconds(d));
        newRs = client.apps().replicaSets().resource(newRs).update();
      }
      if (DeploymentProgress.condition(d.getStatus(), DeploymentProgress.PROGRESSING) == null) {
        statusOf(d)
            .getConditions()
            .add(
                DeploymentProgress.newCondition(
                    DeploymentProgress.PROGRESSING,
                    "True",
                    DeploymentProgress.FOUND_NEW_RS,
                    "Found new replica set \"" + newRs.getMetadata().getName() + "\"",
                    Instant.now()));
      }
    } else if (createIfMissing) {
      newRs = createNewReplicaSet(d, old, newRevision);
      DeploymentProgress.setCondition(
          statusOf(d),
          DeploymentProgress.newCondition(
              DeploymentProgress.PROGRESSING,
              "True",
              DeploymentProgress.NEW_RS_CREATED,
              "Created new replica set \"" + newRs.getMetadata().getName() + "\"",
              Instant.now()));
    }

    Deployment current = d;
    if (newRs != null) {
      String revision = Long.toString(revision(newRs));
      if (!revision.equals(d.getMetadata().getAnnotations().get(REVISION))) {
        Deployment annotated =
            new DeploymentBuilder(d)
                .editMetadata()
                .addToAnnotations(REVISION, revision)
                .endMetadata()
                .build();
        current = client.apps().deployments().resource(annotated).update();
        current.setStatus(d.getStatus());
      }
    }
    return new Revisions(current, newRs, old);
  }

  private ReplicaSet createNewReplicaSet(Deployment d, List<ReplicaSet> old, long revision) {
    int collisions = Optional.ofNullable(statusOf(d).getCollisionCount()).orElse(0);
    String hash = PodTemplateHash.of(d.getSpec().getTemplate(), collisions);
    PodTemplateSpec template =
        new PodTemplateSpecBuilder(d.getSpec().getTemplate())
            .editOrNewMetadata()
            .addToLabels(PodTemplateHash.LABEL, hash)
            .endMetadata()
            .build();
    int desired = DeploymentDefaults.replicas(d);
    int initial =
        DeploymentDefaults.isRecreate(d)
            ? desired
            : RollingUpdate.newReplicaSetSize(
                desired,
                RollingUpdateBudget.of(d),
                new RollingUpdate.ReplicaSetCounts("", 0, 0),
                counts(old));
    ReplicaSet rs =
        new ReplicaSetBuilder()
            .withNewMetadata()
            .withName(d.getMetadata().getName() + "-" + hash)
            .withNamespace(d.getMetadata().getNamespace())
            .withLabels(template.getMetadata().getLabels())
            .withAnnotations(Map.of(REVISION, Long.toString(revision)))
            .withOwnerReferences(ownerReference(d))
            .endMetadata()
            .withNewSpec()
            .withReplicas(initial)
            .withMinReadySeconds(DeploymentDefaults.minReadySeconds(d))
            .withSelector(
                new LabelSelectorBuilder(d.getSpec().getSelector())
                    .addToMatchLabels(PodTemplateHash.LABEL, hash)
                    .build())
            .withTemplate(template)
            .endSpec()
            .build();
    try {
      ReplicaSet created = client.apps().replicaSets().resource(rs).create();
      LOG.info(
          "Deployment {}/{}: created ReplicaSet {} (revision {}, {} replicas)",
          d.getMetadata().getNamespace(),
          d.getMetadata().getName(),
          created.getMetadata().getName(),
          revision,
          initial);
      return created;
    } catch (KubernetesClientException e) {
      if (e.getCode() != HttpURLConnection.HTTP_CONFLICT) {
        throw e;
      }
      // The name is taken: ours from a sync whose event we have not seen yet, or a hash
      // collision, which the real controller resolves by bumping collisionCount.
      ReplicaSet existing =
          client
              .apps()
              .replicaSets()
              .inNamespace(rs.getMetadata().getNamespace())
              .withName(rs.getMetadata().getName())
              .get();
      if (existing != null
          && PodTemplateHash.equalIgnoringHash(
              existing.getSpec().getTemplate(), d.getSpec().getTemplate())) {
        return existing;
      }
      statusOf(d).setCollisionCount(collisions + 1);
      client.apps().deployments().resource(new DeploymentBuilder(d).build()).updateStatus();
      throw new IllegalStateException(
          "pod-template-hash collision for " + rs.getMetadata().getName() + "; retrying", e);
    }
  }

  private void scale(ReplicaSet rs, int replicas) {
    LOG.debug(
        "scaling ReplicaSet {}/{} from {} to {}",
        rs.getMetadata().getNamespace(),
        rs.getMetadata().getName(),
        replicas(rs),
        replicas);
    rs.getSpec().setReplicas(replicas);
    client.apps().replicaSets().resource(rs).update();
  }

  private boolean oldPodsRunning(Revisions revisions) {
    for (ReplicaSet rs : revisions.old) {
      for (Pod pod :
          informers
              .pods
              .getIndexer()
              .byIndex(SharedInformers.BY_CONTROLLER_UID, rs.getMetadata().getUid())) {
        String phase = pod.getStatus() == null ? null : pod.getStatus().getPhase();
        if (!"Succeeded".equals(phase) && !"Failed".equals(phase)) {
          return true;
        }
      }
    }
    return false;
  }

  /** sync.go cleanupDeployment: keep at most revisionHistoryLimit scaled-down old ReplicaSets. */
  private void cleanupOldReplicaSets(Deployment d, List<ReplicaSet> old) {
    int excess = old.size() - DeploymentDefaults.revisionHistoryLimit(d);
    if (excess <= 0) {
      return;
    }
    List<ReplicaSet> cleanable =
        old.stream()
            .filter(
                rs ->
                    replicas(rs) == 0
                        && (rs.getStatus() == null
                            || Optional.ofNullable(rs.getStatus().getReplicas()).orElse(0) == 0))
            .sorted(Comparator.comparingLong(DeploymentController::revision))
            .limit(excess)
            .toList();
    for (ReplicaSet rs : cleanable) {
      LOG.info(
          "Deployment {}/{}: deleting old ReplicaSet {} (revision history limit)",
          d.getMetadata().getNamespace(),
          d.getMetadata().getName(),
          rs.getMetadata().getName());
      client.apps().replicaSets().resource(rs).delete();
    }
  }

  private void syncRolloutStatus(Deployment d, List<ReplicaSet> all, ReplicaSet newRs) {
    Instant now = Instant.now();
    DeploymentStatus next = DeploymentProgress.nextStatus(d, all, newRs, now);
    DeploymentStatus written =
        informers.deployments.getStore().getByKey(SharedInformers.key(d)) == null
            ? null
            : informers.deployments.getStore().getByKey(SharedInformers.key(d)).getStatus();
    if (!next.equals(written)) {
      Deployment update = new DeploymentBuilder(d).withStatus(next).build();
      client.apps().deployments().resource(update).updateStatus();
    }
    DeploymentProgress.timeUntilDeadline(d, next, now)
        .ifPresent(delay -> queue.addAfter(SharedInformers.key(d), delay));
  }

  private static boolean isComplete(Deployment d) {
    DeploymentStatus s = d.getStatus();
    int desired = DeploymentDefaults.replicas(d);
    return s != null
        && Objects.equals(s.getUpdatedReplicas(), desired)
        && Objects.equals(s.getReplicas(), desired)
        && Objects.equals(s.getAvailableReplicas(), desired);
  }

  private static DeploymentStatus statusOf(Deployment d) {
    if (d.getStatus() == null) {
      d.setStatus(new DeploymentStatus());
    }
    return d.getStatus();
  }

  static long revision(HasMetadata rs) {
    String value = rs.getMetadata().getAnnotations().get(REVISION);
    try {
      return value == null ? 0 : Long.parseLong(value);
    } catch (NumberFormatException e) {
      return 0;
    }
  }

  private static OwnerReference ownerReference(HasMetadata owner) {
    return new OwnerReferenceBuilder()
        .withApiVersion(owner.getApiVersion())
        .withKind(owner.getKind())
        .withName(owner.getMetadata().getName())
        .withUid(owner.getMetadata().getUid())
        .withController(true)
        .withBlockOwnerDeletion(true)
        .build();
  }

  static OwnerReference controllerReference(HasMetadata owner) {
    return ownerReference(owner);
  }

  private static List<ReplicaSet> all(ReplicaSet newRs, List<ReplicaSet> old) {
    List<ReplicaSet> all = new ArrayList<>(old);
    if (newRs != null) {
      all.add(newRs);
    }
    return all;
  }

  private static int replicas(ReplicaSet rs) {
    return rs == null ? 0 : Optional.ofNullable(rs.getSpec().getReplicas()).orElse(0);
  }

  private static RollingUpdate.ReplicaSetCounts counts(ReplicaSet rs) {
    int available =
        rs.getStatus() == null
            ? 0
            : Optional.ofNullable(rs.getStatus().getAvailableReplicas()).orElse(0);
    return new RollingUpdate.ReplicaSetCounts(rs.getMetadata().getName(), replicas(rs), available);
  }

  private static List<RollingUpdate.ReplicaSetCounts> counts(List<ReplicaSet> rss) {
    return rss.stream().map(DeploymentController::counts).toList();
  }

  @Override
  public void close() {
    queue.close();
  }
}
