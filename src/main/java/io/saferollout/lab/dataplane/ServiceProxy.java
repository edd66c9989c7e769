package io.saferollout.lab.dataplane;

import io.saferollout.load.FailureClass;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One node's view of a Service as an ingress controller or mesh sidecar has it: a real HTTP reverse
 * proxy on a loopback address that spreads requests round-robin over the endpoints it currently
 * knows, learning changes late (see {@link EndpointView}).
 *
 * <p>Balancing is per request. By default failures are passed on, never retried, because a retry
 * hides exactly the errors the lab must count: an upstream that refuses or resets the connection
 * gets 502, one that stays silent past the upstream timeout gets 504, an upstream 5xx is relayed as
 * is, and with no known endpoint the answer is 503. With {@link ProxySettings#retries()} above 0 it
 * behaves like ingress-nginx's {@code proxy_next_upstream error http_502} with {@code
 * proxy_next_upstream_tries} = retries + 1
 * (https://nginx.org/en/docs/http/ngx_http_proxy_module.html#proxy_next_upstream): a request whose
 * attempt failed with a connection error or a 502 goes to the next endpoint, but only if its method
 * is idempotent (nginx never passes a non-idempotent request to another server unless told to), and
 * never after a timeout, which may mean the first server is still working on it.
 */
public final class ServiceProxy extends ViewedProxy {

  private static final Logger LOG = LoggerFactory.getLogger(ServiceProxy.class);

  /** Hop-by-hop headers (RFC 9110 section 7.6.1) and the ones this proxy sets itself. */
  private static final Set<String> NOT_FORWARDED =
      Set.of(
          "connection",
          "keep-alive",
          "proxy-connection",
          "te",
          "trailer",
          "transfer-encoding",
          "upgrade",
          "host",
          "content-length");

  /** RFC 9110 section 9.2.2. */
  private static final Set<HttpMethod> IDEMPOTENT =
      Set.of(
          HttpMethod.GET,
          HttpMethod.HEAD,
          HttpMethod.OPTIONS,
          HttpMethod.TRACE,
          HttpMethod.PUT,
          HttpMethod.DELETE);

  private final HttpServer server;
  private final HttpClient client;
  private final AtomicLong nextPick = new AtomicLong();
  private final AtomicLong retried = new AtomicLong();

  private ServiceProxy(Vertx vertx, ProxySettings settings) {
    super(vertx, settings, DataPlaneKind.INGRESS);
    this.client = vertx.createHttpClient(new PoolOptions().setHttp1MaxSize(256));
    this.server =
        vertx
            .createHttpServer(
                new HttpServerOptions().setHost(settings.host()).setPort(settings.port()))
            .requestHandler(this::forward);
  }

  /**
   * Starts listening; returns once the listener is open. Not to be called on a Vert.x event loop.
   *
   * @throws IllegalStateException when the address cannot be bound
   */
  public static ServiceProxy start(Vertx vertx, ProxySettings settings) {
    ServiceProxy proxy = new ServiceProxy(vertx, settings);
    proxy.awaitListening(proxy.server.listen());
    LOG.debug("proxy {} listening on {}", settings.name(), proxy.address());
    return proxy;
  }

  @Override
  int listeningPort() {
    return server.actualPort();
  }

  /** How many requests went to another endpoint after a failed attempt. */
  public long retriedAttempts() {
    return retried.get();
  }

  @Override
  public void close() {
    try {
      server.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
      client.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (Exception e) {
      LOG.warn("proxy {} did not close cleanly: {}", settings.name(), e.toString());
    }
  }

  private void forward(HttpServerRequest request) {
    if (view.current().isEmpty()) {
      request
          .response()
          .setStatusCode(503)
          .end("no endpoints available for " + settings.name() + "\n");
      return;
    }
    MultiMap headers = MultiMap.caseInsensitiveMultiMap();
    copyEndToEnd(request.headers(), headers);
    int attempts = IDEMPOTENT.contains(request.method()) ? 1 + settings.retries() : 1;
    request
        .body()
        .onComplete(
            body -> {
              if (body.failed()) {
                request.response().setStatusCode(400).end("request body could not be read\n");
                return;
              }
              attempt(request, headers, body.result(), attempts);
            });
  }

  private void attempt(HttpServerRequest request, MultiMap headers, Buffer body, int attemptsLeft) {
    List<InetSocketAddress> endpoints = view.current();
    if (endpoints.isEmpty()) {
      request
          .response()
          .setStatusCode(503)
          .end("no endpoints available for " + settings.name() + "\n");
      return;
    }
    InetSocketAddress endpoint =
        endpoints.get((int) Math.floorMod(nextPick.getAndIncrement(), endpoints.size()));
    RequestOptions upstream =
        new RequestOptions()
            .setMethod(request.method())
            .setHeaders(headers)
            .setHost(endpoint.getHostString())
            .setPort(endpoint.getPort())
            .setURI(request.uri())
            .setTimeout(settings.upstreamTimeout().toMillis());
    Future<Relayed> outcome =
        client
            .request(upstream)
            .compose(req -> req.send(body))
            .compose(response -> response.body().map(b -> new Relayed(response, b)));
    outcome.onComplete(
        done -> {
          boolean failed = done.failed() || done.result().response().statusCode() == 502;
          boolean timedOut =
              done.failed() && FailureClass.ofError(done.cause()).equals(FailureClass.TIMEOUT);
          if (failed && !timedOut && attemptsLeft > 1) {
            retried.incrementAndGet();
            attempt(request, headers, body, attemptsLeft - 1);
          } else if (done.succeeded()) {
            Relayed relayed = done.result();
            copyEndToEnd(relayed.response().headers(), request.response().headers());
            request.response().setStatusCode(relayed.response().statusCode()).end(relayed.body());
          } else {
            String failure = FailureClass.ofError(done.cause());
            request
                .response()
                .setStatusCode(timedOut ? 504 : 502)
                .end("upstream " + endpoint + " failed: " + failure + "\n");
          }
        });
  }

  private static void copyEndToEnd(MultiMap from, MultiMap to) {
    from.forEach(
        header -> {
          if (!NOT_FORWARDED.contains(header.getKey().toLowerCase(Locale.ROOT))) {
            to.add(header.getKey(), header.getValue());
          }
        });
  }

  private record Relayed(HttpClientResponse response, Buffer body) {}
}
