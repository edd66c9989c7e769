package io.saferollout.lab.app;

import io.saferollout.load.FailureClass;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/**
 * A sidecar proxy container in a simulated pod: a second server on the pod's address that forwards
 * every request to the application container on the same address. Traffic routed to the sidecar's
 * port fails until the sidecar is ready, even if the application already is; this is why the
 * sidecar must be ready before the application takes traffic (native sidecars, KEP-753, or Istio's
 * {@code holdApplicationUntilProxyStarts}).
 *
 * <p>Like Envoy, it answers 503 when the application refuses or resets the connection, and it never
 * retries.
 */
public final class SidecarProxy extends ServedContainer {

  private static final long UPSTREAM_TIMEOUT_MS = 30_000;

  private final String podName;
  private final SidecarBehaviour behaviour;
  private final ContainerServer server;
  private final HttpClient client;
  private final InetSocketAddress app;

  private SidecarProxy(
      Vertx vertx,
      String podName,
      InetSocketAddress address,
      int appPort,
      SidecarBehaviour behaviour) {
    this.podName = podName;
    this.behaviour = behaviour;
    this.app = new InetSocketAddress(address.getHostString(), appPort);
    this.client = vertx.createHttpClient();
    this.server =
        new ContainerServer(
            "sidecar of " + podName, vertx, address, behaviour.readinessPath(), this::handle);
    server.exited().whenComplete((v, e) -> client.close());
  }

  public static SidecarProxy start(
      Vertx vertx, String podName, String ip, int port, int appPort, SidecarBehaviour behaviour) {
    SidecarProxy sidecar =
        new SidecarProxy(vertx, podName, new InetSocketAddress(ip, port), appPort, behaviour);
    sidecar.server.start(
        behaviour.startup() == SidecarStartup.REFUSE_UNTIL_READY
            ? behaviour.startDelay()
            : Duration.ZERO);
    return sidecar;
  }

  /** Whether the sidecar can route now. */
  public boolean isReady() {
    return routable() && !server.isDraining();
  }

  @Override
  ContainerServer server() {
    return server;
  }

  @Override
  ShutdownStyle shutdownStyle() {
    return behaviour.shutdown();
  }

  @Override
  Duration drainTimeout() {
    return behaviour.drainTimeout();
  }

  private boolean routable() {
    long since = server.listeningSinceNanos();
    if (since < 0) {
      return false;
    }
    Duration wait =
        behaviour.startup() == SidecarStartup.REFUSE_UNTIL_READY
            ? Duration.ZERO
            : behaviour.startDelay();
    return System.nanoTime() - since >= wait.toNanos();
  }

  private CompletableFuture<Reply> handle(InboundRequest request) {
    if (request.path().equals(behaviour.readinessPath())) {
      return CompletableFuture.completedFuture(
          isReady() ? new Reply(200, "ready\n") : new Reply(503, "not ready\n"));
    }
    if (!routable()) {
      return CompletableFuture.completedFuture(new Reply(503, "no healthy upstream\n"));
    }
    RequestOptions options =
        new RequestOptions()
            .setMethod(HttpMethod.valueOf(request.method()))
            .setHost(app.getHostString())
            .setPort(app.getPort())
            .setURI(request.uri())
            .setTimeout(UPSTREAM_TIMEOUT_MS);
    CompletableFuture<Reply> reply = new CompletableFuture<>();
    client
        .request(options)
        .compose(
            req ->
                req.send(Buffer.buffer(request.body()))
                    .compose(
                        resp ->
                            resp.body().map(body -> new Reply(resp.statusCode(), body.toString()))))
        .onComplete(
            outcome ->
                reply.complete(
                    outcome.succeeded()
                        ? outcome.result()
                        : new Reply(
                            503,
                            "upstream connect error or disconnect/reset before headers. reset reason: "
                                + FailureClass.ofError(outcome.cause())
                                + " ("
                                + podName
                                + ")\n")));
    return reply;
  }
}
