package io.saferollout.operator.health;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The operator's probe and metrics endpoint. /healthz answers while the process can serve HTTP
 * (liveness must not depend on the API server, or an API outage would restart every replica);
 * /readyz answers 200 once the operator has started and its informers are healthy, and says whether
 * this instance holds the Lease; /metrics is the Prometheus scrape.
 */
public final class HealthServer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(HealthServer.class);

  private final HttpServer server;

  public HealthServer(int port, Supplier<OperatorHealth> health, PrometheusMeterRegistry metrics)
      throws IOException {
    server = HttpServer.create(new InetSocketAddress(port), 16);
    server.setExecutor(
        Executors.newSingleThreadExecutor(
            r -> {
              Thread t = new Thread(r, "health-server");
              t.setDaemon(true);
              return t;
            }));
    server.createContext("/healthz", ex -> respond(ex, 200, "ok\n", "text/plain"));
    server.createContext(
        "/readyz",
        ex -> {
          OperatorHealth h = health.get();
          respond(ex, h.ready() ? 200 : 503, h.describe() + "\n", "text/plain");
        });
    server.createContext(
        "/metrics",
        ex -> respond(ex, 200, metrics.scrape(), "text/plain; version=0.0.4; charset=utf-8"));
    server.start();
    LOG.info("health and metrics on port {}", port());
  }

  public int port() {
    return server.getAddress().getPort();
  }

  private static void respond(HttpExchange ex, int code, String body, String type)
      throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().set("Content-Type", type);
    ex.sendResponseHeaders(code, bytes.length);
    try (OutputStream out = ex.getResponseBody()) {
      out.write(bytes);
    }
  }

  @Override
  public void close() {
    server.stop(0);
    ((java.util.concurrent.ExecutorService) server.getExecutor()).shutdownNow();
  }
}
