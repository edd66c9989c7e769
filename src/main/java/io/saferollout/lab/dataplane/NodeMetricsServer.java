package io.saferollout.lab.dataplane;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import java.net.URI;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A node's kube-proxy metrics endpoint: {@code GET /metrics} on the node's address, port 10249 as
 * kube-proxy's {@code --metrics-bind-address} default, answering Prometheus text (version 0.0.4)
 * with the node's {@link NetworkProgrammingHistogram}. Something else listening on that port makes
 * it take a free port instead; {@link #url()} says which.
 */
public final class NodeMetricsServer implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(NodeMetricsServer.class);
  static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

  private final String host;
  private final HttpServer server;

  private NodeMetricsServer(String host, HttpServer server) {
    this.host = host;
    this.server = server;
  }

  /** Not to be called on a Vert.x event loop. */
  public static NodeMetricsServer start(
      Vertx vertx, String host, int port, NetworkProgrammingHistogram histogram) {
    try {
      return new NodeMetricsServer(host, listen(vertx, host, port, histogram));
    } catch (IllegalStateException e) {
      if (port == 0) {
        throw e;
      }
      LOG.warn(
          "{}:{} is taken; this node's metrics take a free port instead ({})",
          host,
          port,
          e.getMessage());
      return new NodeMetricsServer(host, listen(vertx, host, 0, histogram));
    }
  }

  private static HttpServer listen(
      Vertx vertx, String host, int port, NetworkProgrammingHistogram histogram) {
    HttpServer server =
        vertx
            .createHttpServer(new HttpServerOptions().setHost(host).setPort(port))
            .requestHandler(
                request -> {
                  if (!"/metrics".equals(request.path())) {
                    request.response().setStatusCode(404).end("only /metrics is served here\n");
                    return;
                  }
                  request
                      .response()
                      .putHeader("Content-Type", CONTENT_TYPE)
                      .end(histogram.prometheusText());
                });
    try {
      server.listen().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
      return server;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(
          "interrupted while opening metrics on " + host + ":" + port, e);
    } catch (Exception e) {
      server.close();
      throw new IllegalStateException(
          "metrics could not listen on " + host + ":" + port + ": " + e.getMessage(), e);
    }
  }

  public int port() {
    return server.actualPort();
  }

  /** E.g. {@code http://127.3.0.10:10249/metrics}. */
  public URI url() {
    return URI.create("http://" + host + ":" + port() + "/metrics");
  }

  @Override
  public void close() {
    try {
      server.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (Exception e) {
      LOG.warn("metrics on {} did not close cleanly: {}", host, e.toString());
    }
  }
}
