package io.saferollout.lab.dataplane;

import io.netty.channel.ChannelOption;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetClientOptions;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.NetSocket;
import io.vertx.core.net.impl.NetSocketInternal;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One node's kube-proxy for a Service: forwards TCP connections, bytes not requests.
 *
 * <ul>
 *   <li>A <em>new</em> connection goes to an endpoint drawn at random from the node's current view
 *       (the iptables and nftables modes pick with equal probability,
 *       https://kubernetes.io/docs/reference/networking/virtual-ips/), which is the ready
 *       endpoints, or the serving-terminating ones when none is ready (KEP-1669; the view is given
 *       so by {@code RoutableEndpoints}).
 *   <li>An <em>established</em> connection stays on its endpoint whatever later changes say: the
 *       DNAT decision lives in the connection's conntrack entry, and kube-proxy does not flush
 *       conntrack entries of TCP flows when an endpoint goes away (it does for UDP only,
 *       pkg/proxy/conntrack). So a keep-alive client keeps reaching a removed pod until the client
 *       or the pod closes the connection.
 *   <li>With no endpoint, kube-proxy installs a REJECT rule for the Service ("has no endpoints",
 *       icmp-port-unreachable), so the client's connect fails at once rather than hanging. This
 *       proxy has already accepted the connection when it sees it, so it resets it before any byte
 *       is exchanged: the client sees the connection fail at once, just as it does from REJECT.
 *   <li>A pod that refuses the connection or resets it has the client's connection reset too; a pod
 *       that closes gracefully has it closed gracefully. Being a user-space splice, it passes the
 *       pod's FIN on an event-loop turn late (0.3 to 18 ms measured on a loaded 2-core machine)
 *       where the kernel's NAT passes it at once: a little more time for a keep-alive client to
 *       write a request on a connection its server has just closed.
 * </ul>
 */
public final class ConnectionProxy extends ViewedProxy {

  private static final Logger LOG = LoggerFactory.getLogger(ConnectionProxy.class);

  private final NetServer server;
  private final NetClient client;
  private final SplittableRandom picks;
  private final Map<InetSocketAddress, AtomicInteger> open = new ConcurrentHashMap<>();
  private final AtomicLong rejected = new AtomicLong();

  private ConnectionProxy(Vertx vertx, ProxySettings settings) {
    super(vertx, settings, DataPlaneKind.KUBE_PROXY);
    this.picks = new SplittableRandom(NodeSeeds.mix(settings.seed() ^ 0x5DEECE66DL));
    this.client =
        vertx.createNetClient(new NetClientOptions().setConnectTimeout(10_000).setTcpNoDelay(true));
    this.server =
        vertx
            .createNetServer(
                new NetServerOptions()
                    .setHost(settings.host())
                    .setPort(settings.port())
                    .setTcpNoDelay(true))
            .connectHandler(this::accept);
  }

  /**
   * Starts listening; returns once the listener is open. Not to be called on a Vert.x event loop.
   *
   * @throws IllegalStateException when the address cannot be bound
   */
  public static ConnectionProxy start(Vertx vertx, ProxySettings settings) {
    ConnectionProxy proxy = new ConnectionProxy(vertx, settings);
    proxy.awaitListening(proxy.server.listen());
    LOG.debug("kube-proxy {} listening on {}", settings.name(), proxy.address());
    return proxy;
  }

  @Override
  int listeningPort() {
    return server.actualPort();
  }

  /** Connections forwarded right now, by endpoint (endpoints with none are left out). */
  public Map<InetSocketAddress, Integer> openConnections() {
    return open.entrySet().stream()
        .filter(e -> e.getValue().get() > 0)
        .collect(Collectors.toUnmodifiableMap(Map.Entry::getKey, e -> e.getValue().get()));
  }

  /** Connections reset at once because the node knew no endpoint (kube-proxy's REJECT). */
  public long rejectedConnections() {
    return rejected.get();
  }

  @Override
  public void close() {
    try {
      server.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
      client.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (Exception e) {
      LOG.warn("kube-proxy {} did not close cleanly: {}", settings.name(), e.toString());
    }
  }

  private void accept(NetSocket downstream) {
    List<InetSocketAddress> endpoints = view.current();
    if (endpoints.isEmpty()) {
      rejected.incrementAndGet();
      reset(downstream);
      return;
    }
    InetSocketAddress endpoint = pick(endpoints);
    Link link = new Link();
    downstream.pause();
    downstream.exceptionHandler(e -> link.reset = true);
    // Set now, not once the pod answers: a client that gives up meanwhile must not leave the pod's
    // side open.
    downstream.closeHandler(v -> link.downstreamClosed());
    client
        .connect(endpoint.getPort(), endpoint.getHostString())
        .onComplete(
            connected -> {
              if (connected.failed()) {
                LOG.debug(
                    "kube-proxy {}: {} refused: {}",
                    settings.name(),
                    endpoint,
                    connected.cause().toString());
                reset(downstream);
              } else {
                splice(downstream, connected.result(), endpoint, link);
              }
            });
  }

  private synchronized InetSocketAddress pick(List<InetSocketAddress> endpoints) {
    return endpoints.get(picks.nextInt(endpoints.size()));
  }

  /**
   * Copies bytes both ways with back-pressure; whichever side ends first ends the other the same
   * way.
   */
  private void splice(
      NetSocket downstream, NetSocket upstream, InetSocketAddress endpoint, Link link) {
    AtomicInteger count = open.computeIfAbsent(endpoint, e -> new AtomicInteger());
    count.incrementAndGet();
    forward(downstream, upstream, link);
    forward(upstream, downstream, link);
    upstream.closeHandler(
        v -> {
          if (link.finish()) {
            count.decrementAndGet();
          }
          end(downstream, link.reset);
        });
    if (link.attach(
        () -> {
          if (link.finish()) {
            count.decrementAndGet();
          }
          end(upstream, link.reset);
        })) {
      downstream.resume();
    }
  }

  private static void forward(NetSocket from, NetSocket to, Link link) {
    from.handler(
        bytes -> {
          to.write(bytes);
          if (to.writeQueueFull()) {
            from.pause();
            to.drainHandler(v -> from.resume());
          }
        });
    // An exception is followed by close; remember it so the other side is reset, not closed.
    from.exceptionHandler(e -> link.reset = true);
  }

  private static void end(NetSocket socket, boolean reset) {
    if (reset) {
      reset(socket);
    } else {
      socket.close();
    }
  }

  /** Closes with SO_LINGER 0, which makes the kernel send RST instead of FIN. */
  private static void reset(NetSocket socket) {
    if (socket instanceof NetSocketInternal internal) {
      internal.channelHandlerContext().channel().config().setOption(ChannelOption.SO_LINGER, 0);
    }
    socket.close();
  }

  /** The state both directions of one forwarded connection share. */
  private static final class Link {
    volatile boolean reset;
    private boolean finished;
    private boolean downstreamClosed;
    private Runnable onDownstreamClose;

    synchronized boolean finish() {
      boolean first = !finished;
      finished = true;
      return first;
    }

    /**
     * Runs {@code action} when the client's side closes; at once (returning false) if it already
     * has.
     */
    boolean attach(Runnable action) {
      synchronized (this) {
        if (!downstreamClosed) {
          onDownstreamClose = action;
          return true;
        }
      }
      action.run();
      return false;
    }

    void downstreamClosed() {
      Runnable action;
      synchronized (this) {
        downstreamClosed = true;
        action = onDownstreamClose;
      }
      if (action != null) {
        action.run();
      }
    }
  }
}
