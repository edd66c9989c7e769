package io.saferollout.lab.dataplane;

import io.saferollout.load.FailureClass;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One node's view of a Service: a real HTTP reverse proxy on a loopback address that spreads
 * requests round-robin over the endpoints it currently knows.
 *
 * <p>It learns endpoint changes late: each {@link #update} takes effect only after this proxy's
 * {@link PropagationDelay}, in the order the updates were made, so a removed pod keeps getting
 * traffic for a while, as it does from kube-proxy, ingress controllers and meshes
 * (https://kubernetes.io/docs/concepts/workloads/pods/pod-lifecycle/#pod-termination).
 *
 * <p>Balancing is per request, as an ingress controller or a mesh does (kube-proxy itself balances
 * per connection). Failures are passed on, never retried, because a retry hides exactly the errors
 * the lab must count: an upstream that refuses or resets the connection gets 502, one that stays
 * silent past the upstream timeout gets 504, an upstream 5xx is relayed as is, and with no known
 * endpoint the answer is 503.
 */
public final class ServiceProxy implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ServiceProxy.class);
    /** Hop-by-hop headers (RFC 9110 section 7.6.1) and the ones this proxy sets itself. */
    private static final Set<String> NOT_FORWARDED = Set.of("connection", "keep-alive", "proxy-connection", "te",
            "trailer", "transfer-encoding", "upgrade", "host", "content-length");

    private final ProxySettings settings;
    private final Vertx vertx;
    private final HttpServer server;
    private final HttpClient client;
    private final Random random;
    private final AtomicLong nextPick = new AtomicLong();
    private final List<Consumer<EndpointSetApplied>> listeners = new CopyOnWriteArrayList<>();

    private final Object updates = new Object();
    private final ArrayDeque<PendingUpdate> pending = new ArrayDeque<>();
    private long lastApplyAtNanos;
    private long lastSequence;
    private volatile List<InetSocketAddress> known = List.of();

    private record PendingUpdate(long sequence, long applyAtNanos, Set<InetSocketAddress> endpoints,
            Instant requestedAt) {
    }

    private ServiceProxy(Vertx vertx, ProxySettings settings) {
        this.settings = settings;
        this.vertx = vertx;
        this.random = new Random(settings.seed());
        this.client = vertx.createHttpClient(new PoolOptions().setHttp1MaxSize(256));
        this.server = vertx.createHttpServer(new HttpServerOptions().setHost(settings.host()).setPort(settings.port()))
                .requestHandler(this::forward);
    }

    /**
     * Starts listening; returns once the listener is open. Not to be called on a Vert.x event loop.
     *
     * @throws IllegalStateException when the address cannot be bound
     */
    public static ServiceProxy start(Vertx vertx, ProxySettings settings) {
        ServiceProxy proxy = new ServiceProxy(vertx, settings);
        try {
            proxy.server.listen().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            proxy.close();
            throw new IllegalStateException("proxy " + settings.name() + " could not listen on "
                    + settings.host() + ":" + settings.port() + ": " + e.getMessage(), e);
        }
        LOG.debug("proxy {} listening on {}", settings.name(), proxy.address());
        return proxy;
    }

    public String name() {
        return settings.name();
    }

    public InetSocketAddress address() {
        return new InetSocketAddress(settings.host(), server.actualPort());
    }

    /** The URL clients send to, e.g. {@code http://127.0.1.1:8080/}. */
    public URI url() {
        return URI.create("http://" + settings.host() + ":" + server.actualPort() + "/");
    }

    /** The endpoints this proxy routes to right now (changes not yet propagated are not included). */
    public Set<InetSocketAddress> knownEndpoints() {
        return Set.copyOf(known);
    }

    /**
     * Called on the thread that applies a change, in the order changes are applied; keep it quick.
     */
    public void onEndpointsApplied(Consumer<EndpointSetApplied> listener) {
        listeners.add(listener);
    }

    /** Hands a new set of ready endpoints to this proxy; it takes effect after the propagation delay. */
    public void update(Set<InetSocketAddress> readyEndpoints) {
        Set<InetSocketAddress> endpoints = Set.copyOf(readyEndpoints);
        Instant requestedAt = Instant.now();
        long now = System.nanoTime();
        PendingUpdate update;
        synchronized (updates) {
            // Never before an earlier update: a data plane applies changes in the order they were made.
            long applyAt = Math.max(now + settings.propagationDelay().sample(random).toNanos(), lastApplyAtNanos);
            lastApplyAtNanos = applyAt;
            update = new PendingUpdate(++lastSequence, applyAt, endpoints, requestedAt);
            pending.add(update);
        }
        long delayMs = TimeUnit.NANOSECONDS.toMillis(update.applyAtNanos() - now + 999_999);
        if (delayMs <= 0) {
            applyThrough(update.sequence());
        } else {
            vertx.setTimer(delayMs, timer -> applyThrough(update.sequence()));
        }
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

    private void applyThrough(long sequence) {
        synchronized (updates) {
            while (!pending.isEmpty() && pending.peek().sequence() <= sequence) {
                PendingUpdate update = pending.poll();
                known = update.endpoints().stream()
                        .sorted(Comparator.comparing(InetSocketAddress::toString))
                        .toList();
                EndpointSetApplied event = new EndpointSetApplied(settings.name(), update.endpoints(),
                        update.requestedAt(), Instant.now());
                LOG.debug("proxy {} now routes to {}", settings.name(), known);
                for (Consumer<EndpointSetApplied> listener : listeners) {
                    try {
                        listener.accept(event);
                    } catch (RuntimeException e) {
                        LOG.warn("endpoint listener of proxy {} failed", settings.name(), e);
                    }
                }
            }
        }
    }

    private void forward(HttpServerRequest request) {
        List<InetSocketAddress> endpoints = known;
        if (endpoints.isEmpty()) {
            request.response().setStatusCode(503).end("no endpoints available for " + settings.name() + "\n");
            return;
        }
        InetSocketAddress endpoint = endpoints.get((int) Math.floorMod(nextPick.getAndIncrement(), endpoints.size()));
        MultiMap headers = MultiMap.caseInsensitiveMultiMap();
        copyEndToEnd(request.headers(), headers);
        RequestOptions upstream = new RequestOptions()
                .setMethod(request.method())
                .setHeaders(headers)
                .setHost(endpoint.getHostString())
                .setPort(endpoint.getPort())
                .setURI(request.uri())
                .setTimeout(settings.upstreamTimeout().toMillis());
        request.body()
                .compose(body -> client.request(upstream).compose(req -> req.send(body)))
                .compose(response -> response.body().map(body -> new Relayed(response, body)))
                .onComplete(outcome -> {
                    if (outcome.succeeded()) {
                        Relayed relayed = outcome.result();
                        copyEndToEnd(relayed.response().headers(), request.response().headers());
                        request.response().setStatusCode(relayed.response().statusCode()).end(relayed.body());
                    } else {
                        String failure = FailureClass.ofError(outcome.cause());
                        request.response()
                                .setStatusCode(failure.equals(FailureClass.TIMEOUT) ? 504 : 502)
                                .end("upstream " + endpoint + " failed: " + failure + "\n");
                    }
                });
    }

    private static void copyEndToEnd(MultiMap from, MultiMap to) {
        from.forEach(header -> {
            if (!NOT_FORWARDED.contains(header.getKey().toLowerCase(Locale.ROOT))) {
                to.add(header.getKey(), header.getValue());
            }
        });
    }

    private record Relayed(HttpClientResponse response, Buffer body) {
    }
}
