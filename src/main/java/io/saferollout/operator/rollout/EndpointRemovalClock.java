package io.saferollout.operator.rollout;

import io.fabric8.kubernetes.api.model.ObjectReference;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.discovery.v1.Endpoint;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.saferollout.rules.PreStopDelay;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.function.BiConsumer;

/**
 * Times endpoint removal on the control plane as the watches deliver it: for each pod, when its
 * deletion was asked for and when its endpoint stopped being ready in every EndpointSlice that
 * lists it (and, for new pods, when Ready turned true and when the endpoint turned ready). Times
 * are taken when the informer hands over the change, so the watch latency counts at both ends and
 * cancels out. The clock lives in memory; what a rollout measured is kept in the SafeRollout's
 * status, so a restart only misses the transitions that happen while no operator watches.
 */
final class EndpointRemovalClock {
  /** A deleted pod's times are kept this long for the reconcile that records them. */
  static final Duration KEEP_AFTER_GONE = Duration.ofMinutes(10);

  /** One terminating pod's measured removal. */
  record Removal(
      String pod, Instant deletionRequested, Duration controlPlane, Integer preStopSeconds) {}

  private static final class Track {
    String namespace;
    String name;
    String deployment;
    Instant deletionRequested;
    Integer preStopSeconds;
    boolean readyInSomeSlice;
    Instant endpointNotReady;
    Instant podReady;
    Instant endpointReady;
    Instant gone;
  }

  private final Map<String, Track> byUid = new HashMap<>();
  private final BiConsumer<String, Duration> endpointReadyObserved;

  /**
   * @param endpointReadyObserved told (namespace, Ready to endpoint ready) for each new pod
   */
  EndpointRemovalClock(BiConsumer<String, Duration> endpointReadyObserved) {
    this.endpointReadyObserved = endpointReadyObserved;
  }

  /**
   * A pod was added or changed; returns its Deployment when rollout observation should look again.
   */
  synchronized Optional<String> podChanged(Pod pod, Instant now) {
    Track t = track(pod.getMetadata().getUid());
    boolean firstSight = t.name == null;
    boolean wasTerminating = t.deletionRequested != null;
    boolean wasReady = t.podReady != null;
    t.namespace = pod.getMetadata().getNamespace();
    t.name = pod.getMetadata().getName();
    t.deployment = deploymentOf(pod).orElse(null);
    t.preStopSeconds = preStopSeconds(pod);
    if (!wasTerminating && pod.getMetadata().getDeletionTimestamp() != null) {
      // A pod first seen already terminating (a restart's initial list) was deleted while nobody
      // watched.
      t.deletionRequested = deletionRequested(pod, firstSight ? null : now);
    }
    if (!wasReady && isReady(pod)) {
      t.podReady = now;
    }
    return (wasTerminating != (t.deletionRequested != null)) || (wasReady != (t.podReady != null))
        ? Optional.ofNullable(t.deployment)
        : Optional.empty();
  }

  synchronized Optional<String> podDeleted(Pod pod, Instant now) {
    Track t = byUid.get(pod.getMetadata().getUid());
    if (t == null) {
      return Optional.empty();
    }
    if (t.deletionRequested == null) {
      // Deleted with no grace period: the DELETE and the removal from the store are one moment.
      t.deletionRequested = now;
    }
    t.gone = now;
    forgetOldTracks(now);
    return Optional.ofNullable(t.deployment);
  }

  /**
   * An EndpointSlice changed from {@code before} (null when added) to {@code after} (null when
   * deleted); {@code namespaceSlices} are the namespace's slices as they are now. Returns the
   * Deployments of the pods whose endpoint turned ready or not-ready everywhere.
   */
  synchronized Set<String> sliceChanged(
      EndpointSlice before,
      EndpointSlice after,
      Collection<EndpointSlice> namespaceSlices,
      Instant now) {
    EndpointSlice changed = after != null ? after : before;
    String namespace = changed.getMetadata().getNamespace();
    List<EndpointSlice> current = new ArrayList<>();
    for (EndpointSlice s : namespaceSlices) {
      if (!s.getMetadata().getName().equals(changed.getMetadata().getName())) {
        current.add(s);
      }
    }
    if (after != null) {
      current.add(after);
    }
    Set<String> uids = new HashSet<>();
    podUids(before, uids);
    podUids(after, uids);
    Set<String> deployments = new HashSet<>();
    for (String uid : uids) {
      Track t = track(uid);
      if (t.namespace == null) {
        t.namespace = namespace;
      }
      boolean ready = current.stream().anyMatch(s -> listsReady(s, uid));
      if (t.readyInSomeSlice && !ready) {
        t.endpointNotReady = now;
        if (t.deployment != null) {
          deployments.add(t.deployment);
        }
      } else if (!t.readyInSomeSlice && ready) {
        t.endpointNotReady = null;
        if (t.endpointReady == null && t.deletionRequested == null) {
          t.endpointReady = now;
          if (t.podReady != null) {
            endpointReadyObserved.accept(namespace, nonNegative(Duration.between(t.podReady, now)));
          }
        }
      }
      t.readyInSomeSlice = ready;
    }
    return deployments;
  }

  /**
   * Removals measured for the pods of {@code deployment} whose deletion was asked for at or after
   * {@code since}.
   */
  synchronized List<Removal> removals(String namespace, String deployment, Instant since) {
    List<Removal> out = new ArrayList<>();
    for (Track t : byUid.values()) {
      if (Objects.equals(t.namespace, namespace)
          && Objects.equals(t.deployment, deployment)
          && t.deletionRequested != null
          && !t.deletionRequested.isBefore(since)
          && t.endpointNotReady != null
          && !t.readyInSomeSlice) {
        out.add(
            new Removal(
                t.name,
                t.deletionRequested,
                nonNegative(Duration.between(t.deletionRequested, t.endpointNotReady)),
                t.preStopSeconds));
      }
    }
    return out;
  }

  /**
   * Pods of {@code deployment} deleted at or after {@code since} and gone with no removal timed: no
   * EndpointSlice listed them ready when they were deleted (no Service selects them, or they were
   * not ready), so they count as replaced but add no sample.
   */
  synchronized List<String> goneUntimed(String namespace, String deployment, Instant since) {
    List<String> out = new ArrayList<>();
    for (Track t : byUid.values()) {
      if (Objects.equals(t.namespace, namespace)
          && Objects.equals(t.deployment, deployment)
          && t.gone != null
          && t.deletionRequested != null
          && !t.deletionRequested.isBefore(since)
          && t.endpointNotReady == null) {
        out.add(t.name);
      }
    }
    return out;
  }

  /** Pods of {@code deployment} that are terminating and not yet removed from the store. */
  synchronized int terminating(String namespace, String deployment) {
    return (int)
        byUid.values().stream()
            .filter(
                t ->
                    Objects.equals(t.namespace, namespace)
                        && Objects.equals(t.deployment, deployment))
            .filter(t -> t.deletionRequested != null && t.gone == null)
            .count();
  }

  /** Deployments of the pods an EndpointSlice lists. */
  synchronized Set<String> deploymentsListedIn(EndpointSlice slice) {
    Set<String> uids = new HashSet<>();
    podUids(slice, uids);
    Set<String> out = new HashSet<>();
    for (String uid : uids) {
      Track t = byUid.get(uid);
      if (t != null && t.deployment != null) {
        out.add(t.deployment);
      }
    }
    return out;
  }

  synchronized int size() {
    return byUid.size();
  }

  private Track track(String uid) {
    return byUid.computeIfAbsent(uid, u -> new Track());
  }

  private void forgetOldTracks(Instant now) {
    Instant horizon = now.minus(KEEP_AFTER_GONE);
    // A slice can name a pod this clock never saw (its delete came first): such a track ends too.
    byUid
        .values()
        .removeIf(
            t ->
                (t.gone != null && t.gone.isBefore(horizon))
                    || (t.name == null && !t.readyInSomeSlice));
  }

  /**
   * The Deployment owning a pod: its ReplicaSet is named after the Deployment plus "-" and the
   * pod-template-hash (Deployment controller, pkg/controller/deployment/sync.go), so no ReplicaSet
   * has to be cached to find it.
   */
  static Optional<String> deploymentOf(Pod pod) {
    String hash =
        pod.getMetadata().getLabels() == null
            ? null
            : pod.getMetadata().getLabels().get("pod-template-hash");
    for (OwnerReference o : pod.getMetadata().getOwnerReferences()) {
      if ("ReplicaSet".equals(o.getKind()) && Boolean.TRUE.equals(o.getController())) {
        String rs = o.getName();
        if (hash != null && rs.endsWith("-" + hash)) {
          return Optional.of(rs.substring(0, rs.length() - hash.length() - 1));
        }
        int dash = rs.lastIndexOf('-');
        return dash > 0 ? Optional.of(rs.substring(0, dash)) : Optional.empty();
      }
    }
    return Optional.empty();
  }

  /**
   * When the DELETE was asked for. For a pod the API server sets deletionTimestamp to the request
   * time plus the grace period, truncated to whole seconds (metav1.Time); the moment the watch
   * delivered the change (null when it was not watched) is the better figure when it falls within
   * that second.
   */
  static Instant deletionRequested(Pod pod, Instant observed) {
    Instant server = OffsetDateTime.parse(pod.getMetadata().getDeletionTimestamp()).toInstant();
    Long grace = pod.getMetadata().getDeletionGracePeriodSeconds();
    Instant requested = server.minusSeconds(grace == null ? 0 : grace);
    boolean withinTruncation =
        observed != null
            && !observed.isBefore(requested)
            && observed.isBefore(requested.plusSeconds(1));
    return withinTruncation ? observed : requested;
  }

  private static Integer preStopSeconds(Pod pod) {
    if (pod.getSpec() == null) {
      return null;
    }
    OptionalInt longest =
        pod.getSpec().getContainers().stream()
            .filter(c -> c.getLifecycle() != null && c.getLifecycle().getPreStop() != null)
            .map(c -> PreStopDelay.seconds(c.getLifecycle().getPreStop()))
            .filter(OptionalInt::isPresent)
            .mapToInt(OptionalInt::getAsInt)
            .max();
    return longest.isPresent() ? longest.getAsInt() : null;
  }

  private static boolean isReady(Pod pod) {
    return pod.getStatus() != null
        && pod.getStatus().getConditions().stream()
            .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
  }

  /** EndpointConditions.ready: "nil ... should be interpreted as true" (discovery.k8s.io/v1). */
  private static boolean listsReady(EndpointSlice slice, String uid) {
    for (Endpoint e : slice.getEndpoints()) {
      ObjectReference ref = e.getTargetRef();
      if (ref != null && uid.equals(ref.getUid())) {
        if (e.getConditions() == null
            || e.getConditions().getReady() == null
            || e.getConditions().getReady()) {
          return true;
        }
      }
    }
    return false;
  }

  private static void podUids(EndpointSlice slice, Set<String> into) {
    if (slice == null) {
      return;
    }
    for (Endpoint e : slice.getEndpoints()) {
      ObjectReference ref = e.getTargetRef();
      if (ref != null && "Pod".equals(ref.getKind()) && ref.getUid() != null) {
        into.add(ref.getUid());
      }
    }
  }

  private static Duration nonNegative(Duration d) {
    return d.isNegative() ? Duration.ZERO : d;
  }
}
