package io.saferollout.operator;

import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The labels and annotations of a target's namespace, where mesh injection is usually switched on
 * (Istio's {@code istio-injection=enabled} or {@code istio.io/rev} label, Linkerd's {@code
 * linkerd.io/inject} annotation), read with one GET per namespace and kept for {@link #TTL}.
 *
 * <p>A GET rather than an informer: Namespaces are cluster-scoped, so an informer needs list and
 * watch on every namespace, which a per-namespace install (watchNamespaces: Roles only) cannot
 * grant; a GET of one's own namespace can be granted by a Role there, since the API server treats
 * the namespace object as living in itself (apiserver RequestInfo sets the namespace of {@code
 * /api/v1/namespaces/NAME} to NAME). So no event announces a label switched on: it reaches the plan
 * at the first reconcile after the TTL, which any event of the namespace's Deployments or pods
 * triggers, and at the latest the periodic one ({@link SafeRolloutReconciler#RESYNC_MINUTES}).
 */
final class NamespaceMetadata {
  /** How long one reading is used: mesh labels change rarely, and each read is one request. */
  static final Duration TTL = Duration.ofSeconds(30);

  private static final Logger LOG = LoggerFactory.getLogger(NamespaceMetadata.class);

  /** A namespace's labels and annotations; empty when they could not be read. */
  record Meta(Map<String, String> labels, Map<String, String> annotations) {
    static final Meta UNKNOWN = new Meta(Map.of(), Map.of());

    Meta {
      labels = labels == null ? Map.of() : Map.copyOf(labels);
      annotations = annotations == null ? Map.of() : Map.copyOf(annotations);
    }
  }

  private record Reading(Meta meta, Instant at) {}

  private final KubernetesClient client;
  private final Clock clock;
  private final Map<String, Reading> cache = new ConcurrentHashMap<>();

  NamespaceMetadata(KubernetesClient client, Clock clock) {
    this.client = client;
    this.clock = clock;
  }

  Meta of(String namespace) {
    Instant now = clock.instant();
    Reading cached = cache.get(namespace);
    if (cached != null && cached.at().plus(TTL).isAfter(now)) {
      return cached.meta();
    }
    // compute(): many SafeRollouts of one namespace reconciling together cost one GET.
    return cache
        .compute(
            namespace,
            (ns, current) ->
                current != null && current.at().plus(TTL).isAfter(now)
                    ? current
                    : new Reading(read(ns), now))
        .meta();
  }

  private Meta read(String namespace) {
    try {
      Namespace ns = client.namespaces().withName(namespace).get();
      return ns == null
          ? Meta.UNKNOWN
          : new Meta(ns.getMetadata().getLabels(), ns.getMetadata().getAnnotations());
    } catch (KubernetesClientException e) {
      // Mesh detection then falls back to the pod template's own labels and annotations; the
      // chart grants `get` on namespaces, so this means an install whose RBAC was changed.
      LOG.warn(
          "cannot read namespace {} for its mesh injection labels ({}); using the pod templates' own: grant get on namespaces",
          namespace,
          e.getMessage());
      return Meta.UNKNOWN;
    }
  }
}
