package io.saferollout.lab.app;

import io.vertx.core.Vertx;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.CompletableFuture;

/**
 * The application container of one simulated pod: a real HTTP server on the pod's own loopback
 * address, behaving as {@link AppBehaviour} says. Normal requests get 200 with a body naming the
 * pod; the readiness path reports whether the pod should be in the Service's endpoints.
 */
public final class PodApp extends ServedContainer {

  private final String podName;
  private final AppBehaviour behaviour;
  private final ContainerServer server;
  private final Random random;

  private PodApp(Vertx vertx, String podName, InetSocketAddress address, AppBehaviour behaviour) {
    this.podName = podName;
    this.behaviour = behaviour;
    this.random = new Random(behaviour.seed());
    this.server =
        new ContainerServer(
            "pod " + podName, vertx, address, behaviour.readinessPath(), this::handle);
  }

  /**
   * Starts the process; its listener opens after {@code behaviour.listenDelay()}.
   *
   * @param ip the pod's own address, e.g. 127.0.3.7
   */
  public static PodApp start(
      Vertx vertx, String podName, String ip, int port, AppBehaviour behaviour) {
    PodApp app = new PodApp(vertx, podName, new InetSocketAddress(ip, port), behaviour);
    app.server.start(behaviour.listenDelay());
    return app;
  }

  public String podName() {
    return podName;
  }

  /** Whether the readiness endpoint would answer 200 now. */
  public boolean isReady() {
    return phase() == AppPhase.READY;
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

  private AppPhase phase() {
    return AppPhase.at(
        server.listeningSinceNanos(), System.nanoTime(), behaviour.warmup(), server.isDraining());
  }

  private CompletableFuture<Reply> handle(InboundRequest request) {
    AppPhase phase = phase();
    if (request.path().equals(behaviour.readinessPath())) {
      return CompletableFuture.completedFuture(
          phase == AppPhase.READY
              ? new Reply(200, "ready\n")
              : new Reply(
                  503, phase.name().toLowerCase(java.util.Locale.ROOT).replace('_', ' ') + "\n"));
    }
    if (phase == AppPhase.WARMING_UP) {
      return CompletableFuture.completedFuture(new Reply(500, podName + " is warming up\n"));
    }
    Reply ok = new Reply(200, "served by " + podName + "\n");
    Duration serviceTime = behaviour.serviceTime(random);
    if (serviceTime.isZero()) {
      return CompletableFuture.completedFuture(ok);
    }
    CompletableFuture<Reply> reply = new CompletableFuture<>();
    server.later(serviceTime, () -> reply.complete(ok));
    return reply;
  }
}
