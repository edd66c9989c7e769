package io.saferollout.lab.dataplane;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * What both data-plane kinds share: the node's endpoint view, which learns changes late (see {@link
 * EndpointView}), and a listener on the node's address. Subclasses decide how traffic is forwarded.
 */
abstract class ViewedProxy implements NodeProxy {

  final ProxySettings settings;
  final EndpointView view;
  private final DataPlaneKind kind;

  ViewedProxy(Vertx vertx, ProxySettings settings, DataPlaneKind kind) {
    this.settings = settings;
    this.kind = kind;
    this.view =
        new EndpointView(settings.name(), vertx, kind, settings.propagation(), settings.seed());
  }

  @Override
  public final DataPlaneKind kind() {
    return kind;
  }

  /** The listener's port, once it is open. */
  abstract int listeningPort();

  /**
   * Waits until the listener is open. Not to be called on a Vert.x event loop.
   *
   * @throws IllegalStateException when the address cannot be bound (this proxy is closed then)
   */
  final void awaitListening(Future<?> listening) {
    try {
      listening.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      close();
      throw new IllegalStateException(
          "proxy "
              + settings.name()
              + " could not listen on "
              + settings.host()
              + ":"
              + settings.port()
              + ": "
              + e.getMessage(),
          e);
    }
  }

  @Override
  public String name() {
    return settings.name();
  }

  @Override
  public InetSocketAddress address() {
    return new InetSocketAddress(settings.host(), listeningPort());
  }

  @Override
  public URI url() {
    return URI.create("http://" + settings.host() + ":" + listeningPort() + "/");
  }

  @Override
  public Set<InetSocketAddress> knownEndpoints() {
    return Set.copyOf(view.current());
  }

  @Override
  public void onEndpointsApplied(Consumer<EndpointSetApplied> listener) {
    view.onApplied(listener);
  }

  @Override
  public void update(Set<InetSocketAddress> endpoints, Instant triggeredAt) {
    view.update(endpoints, triggeredAt);
  }

  @Override
  public List<EndpointSetApplied> appliedChanges() {
    return view.applied();
  }

  @Override
  public NetworkProgrammingHistogram networkProgramming() {
    return view.programming();
  }
}
