package io.saferollout.lab.dataplane;

import io.vertx.core.Vertx;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One node's current view of a Service's endpoints, which learns changes late: each {@link #update}
 * takes effect when the node's {@link PropagationProfile} says, in the order the updates were made.
 * Records every change it applied (for reports) and, when the path is kube-proxy's and so is the
 * delay ({@link PropagationProfile#inKubeProxyMetric}), feeds the node's {@link
 * NetworkProgrammingHistogram}, as kube-proxy does after each sync.
 */
final class EndpointView {

  private static final Logger LOG = LoggerFactory.getLogger(EndpointView.class);

  private final String node;
  private final Vertx vertx;
  private final PropagationProfile.ApplySchedule schedule;
  private final boolean inKubeProxyMetric;
  private final NetworkProgrammingHistogram programming = new NetworkProgrammingHistogram();
  private final List<Consumer<EndpointSetApplied>> listeners = new CopyOnWriteArrayList<>();
  private final List<EndpointSetApplied> applied = new ArrayList<>();

  private final ArrayDeque<PendingUpdate> pending = new ArrayDeque<>();
  private long lastSequence;
  private volatile List<InetSocketAddress> current = List.of();

  private record PendingUpdate(
      long sequence,
      long applyAtNanos,
      Set<InetSocketAddress> endpoints,
      Instant requestedAt,
      Instant triggeredAt) {}

  EndpointView(
      String node, Vertx vertx, DataPlaneKind kind, PropagationProfile profile, long seed) {
    this.node = node;
    this.vertx = vertx;
    this.schedule = profile.schedule(new java.util.SplittableRandom(seed));
    // An ingress-like proxy sends to endpoint addresses itself (ingress-nginx balances over the
    // endpoints, not the Service's virtual IP), so no kube-proxy programs its path, whatever its
    // profile.
    this.inKubeProxyMetric = kind == DataPlaneKind.KUBE_PROXY && profile.inKubeProxyMetric();
  }

  /** The endpoints in a fixed order (by address), as routed right now. */
  List<InetSocketAddress> current() {
    return current;
  }

  void onApplied(Consumer<EndpointSetApplied> listener) {
    listeners.add(listener);
  }

  NetworkProgrammingHistogram programming() {
    return programming;
  }

  synchronized List<EndpointSetApplied> applied() {
    return List.copyOf(applied);
  }

  /**
   * @param triggeredAt the change's last-change-trigger-time, or {@code null}
   */
  void update(Set<InetSocketAddress> endpoints, Instant triggeredAt) {
    Set<InetSocketAddress> copy = Set.copyOf(endpoints);
    Instant requestedAt = Instant.now();
    long now = System.nanoTime();
    PendingUpdate update;
    synchronized (this) {
      update =
          new PendingUpdate(
              ++lastSequence, schedule.applyAtNanos(now), copy, requestedAt, triggeredAt);
      pending.add(update);
    }
    long delayMs = TimeUnit.NANOSECONDS.toMillis(update.applyAtNanos() - now + 999_999);
    if (delayMs <= 0) {
      applyThrough(update.sequence());
    } else {
      vertx.setTimer(delayMs, timer -> applyThrough(update.sequence()));
    }
  }

  private void applyThrough(long sequence) {
    synchronized (this) {
      while (!pending.isEmpty() && pending.peek().sequence() <= sequence) {
        PendingUpdate update = pending.poll();
        current =
            update.endpoints().stream()
                .sorted(Comparator.comparing(InetSocketAddress::toString))
                .toList();
        EndpointSetApplied event =
            new EndpointSetApplied(
                node,
                update.endpoints(),
                update.requestedAt(),
                Instant.now(),
                // A path kube-proxy does not program (ingress, cloud-lb) has no network-programming
                // duration: its lateness is not what the metric measures.
                inKubeProxyMetric ? update.triggeredAt() : null);
        applied.add(event);
        // kube-proxy observes, after each sync, one duration per trigger time it consumed
        // (pkg/proxy/iptables/proxier.go: metrics.NetworkProgrammingLatency.Observe).
        event.networkProgramming().ifPresent(programming::observe);
        LOG.debug("node {} now routes to {}", node, current);
        for (Consumer<EndpointSetApplied> listener : listeners) {
          try {
            listener.accept(event);
          } catch (RuntimeException e) {
            LOG.warn("endpoint listener of node {} failed", node, e);
          }
        }
      }
    }
  }

  /** Each applied change's delay from reaching this node to being applied, in order. */
  synchronized List<Duration> measuredDelays() {
    return applied.stream().map(EndpointSetApplied::propagation).toList();
  }
}
