package io.saferollout.load;

import io.vertx.core.AsyncResult;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.WeakHashMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An open-model HTTP load generator: request {@code i} is due at {@code start + i / rate}, whatever
 * happened to earlier requests, and its latency is measured from that due time. A slow server
 * therefore shows up as latency and, past the in-flight cap, as {@link FailureClass#OVERLOAD}
 * failures, never as a quietly lower rate (the "coordinated omission" that closed-loop tools suffer
 * from).
 *
 * <p>One pacing thread decides when requests are due; Vert.x event loops send them, so thousands of
 * requests can be outstanding without a thread each.
 *
 * <p>Requests are sent as the plan's {@link ClientMix} says: on a pool of HTTP/1.1 keep-alive
 * connections (a connection is reused once idle; a response with {@code Connection: close} makes
 * the pool drop that connection, and the request it answered still counts as answered), as streams
 * on a cleartext HTTP/2 connection (after a GOAWAY the pool opens a new one), or each on a new
 * connection that the request itself asks to close. A request is never retried: a reset on a reused
 * connection is counted as {@link FailureClass#RESET_ON_REUSED_CONNECTION}.
 *
 * <p>The keep-alive pool is Vert.x 4's ({@code SimpleConnectionPool}): a request takes the first
 * free connection in slot order, so traffic concentrates on the first slots and connections opened
 * in a burst (e.g. to replace those a drain closed) stay idle behind them, for up to Vert.x's
 * keep-alive timeout of 60 s, longer than a rollout step; and a dropped connection's slot is
 * refilled with the last slot's connection, usually one of those idle ones. When a draining server
 * answers the busy connections with {@code Connection: close} and at the same moment closes its
 * idle ones, the pool writes the next requests on those idle connections within milliseconds,
 * before it has read their FIN: that is when reset-on-reused-connection failures are counted.
 */
public final class LoadGenerator implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(LoadGenerator.class);

  /** Bounds the work one pacing step hands to an event loop after a long pause (e.g. a GC). */
  private static final int MAX_BATCH = 2_000;

  /**
   * Shortest pause between two pacing steps. Waking an event loop costs a system call, so at high
   * rates due requests are handed over in small batches; a request sent up to this much late is
   * charged for it, as latency is counted from its due time.
   */
  private static final long MIN_STEP_NANOS = 200_000;

  private final LoadPlan plan;
  private final Vertx vertx;
  private final boolean ownsVertx;
  private final HttpClient keepAliveClient;
  private final HttpClient newConnectionClient;
  private final HttpClient http2Client;

  /** Pooled connections that have carried a request; weak, as the pools own them. */
  private final Set<HttpConnection> usedConnections =
      Collections.synchronizedSet(Collections.newSetFromMap(new WeakHashMap<>()));

  private final List<RequestOptions> requests;
  private final Context context;

  private final Histogram latencyMicros = new ConcurrentHistogram(3);
  private final AtomicLong due = new AtomicLong();
  private final LongAdder succeeded = new LongAdder();
  private final Map<String, LongAdder> failures = new ConcurrentHashMap<>();
  private final AtomicInteger inFlight = new AtomicInteger();
  private final ConcurrentLinkedQueue<FailureEvent> failureEvents = new ConcurrentLinkedQueue<>();
  private final AtomicInteger failureEventCount = new AtomicInteger();
  private final LongAdder failureEventsDropped = new LongAdder();

  private final CompletableFuture<LoadReport> report = new CompletableFuture<>();
  private final AtomicBoolean finished = new AtomicBoolean();
  private volatile boolean stopRequested;
  private volatile boolean sendingDone;
  private volatile long startNanos;
  private volatile long sendingEndNanos;
  private volatile Instant startedAt;
  private Thread pacer;
  private boolean closed;

  private LoadGenerator(LoadPlan plan, Vertx vertx, boolean ownsVertx) {
    this.plan = plan;
    this.vertx = vertx;
    this.ownsVertx = ownsVertx;
    long timeoutMs = plan.requestTimeout().toMillis();
    // Capping each pool at the in-flight cap means a request never waits for a connection
    // inside the client, where its delay would be invisible.
    PoolOptions pool =
        new PoolOptions().setHttp1MaxSize(plan.maxInFlight()).setMaxWaitQueueSize(-1);
    int connectTimeout = (int) Math.min(Integer.MAX_VALUE, timeoutMs);
    // Idle pooled connections live as long as Vert.x's default keep-alive timeout (60 s), longer
    // than many servers keep them: closing them is the server's business, as with real clients.
    this.keepAliveClient =
        vertx.createHttpClient(
            new HttpClientOptions().setConnectTimeout(connectTimeout).setKeepAlive(true), pool);
    // Without keep-alive Vert.x sends "Connection: close" and opens a connection per request.
    this.newConnectionClient =
        vertx.createHttpClient(
            new HttpClientOptions().setConnectTimeout(connectTimeout).setKeepAlive(false), pool);
    // Prior knowledge (RFC 9113 section 3.3), as gRPC clients connect: no HTTP/1.1 Upgrade first.
    this.http2Client =
        vertx.createHttpClient(
            new HttpClientOptions()
                .setConnectTimeout(connectTimeout)
                .setProtocolVersion(HttpVersion.HTTP_2)
                .setHttp2ClearTextUpgrade(false),
            pool);
    this.requests =
        plan.targets().stream()
            .map(
                target ->
                    new RequestOptions()
                        .setMethod(HttpMethod.GET)
                        .setAbsoluteURI(target.toString())
                        .setConnectTimeout(timeoutMs)
                        .setTimeout(timeoutMs))
            .toList();
    // One event loop sends everything: the client's connections then live on the thread that
    // uses them, with no hand-off per request.
    this.context = vertx.getOrCreateContext();
  }

  /** A generator with its own Vert.x instance, closed by {@link #close()}. */
  public static LoadGenerator create(LoadPlan plan) {
    int loops = Math.max(1, Runtime.getRuntime().availableProcessors());
    Vertx own = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(loops).setWorkerPoolSize(1));
    return new LoadGenerator(plan, own, true);
  }

  /**
   * A generator on a Vert.x instance shared with other components; {@link #close()} leaves it
   * running.
   */
  public static LoadGenerator create(LoadPlan plan, Vertx vertx) {
    return new LoadGenerator(plan, vertx, false);
  }

  public LoadPlan plan() {
    return plan;
  }

  /**
   * Starts sending. The returned future completes with the report once the planned duration is over
   * (or {@link #stop()} was called) and every request sent has an outcome.
   *
   * <p>Before the clock starts, one uncounted request goes to each target (waiting at most the
   * request timeout, whatever its outcome): otherwise the generator's own class loading and first
   * connections, which can stall a cold JVM for hundreds of milliseconds, would be charged to the
   * service as latency or overload.
   */
  public synchronized CompletableFuture<LoadReport> start() {
    if (closed) {
      throw new IllegalStateException("load generator is closed");
    }
    if (pacer == null) {
      prime();
      startedAt = Instant.now();
      startNanos = System.nanoTime();
      pacer = new Thread(this::pace, "saferollout-load-pacer");
      pacer.setDaemon(true);
      pacer.start();
    }
    return report;
  }

  private void prime() {
    CompletableFuture<?>[] primed =
        requests.stream()
            .map(
                options ->
                    clientFor(0)
                        .request(options)
                        .compose(
                            req -> {
                              reusesConnection(clientFor(0), req);
                              return req.send().compose(resp -> resp.body());
                            })
                        .toCompletionStage()
                        .toCompletableFuture()
                        .handle((body, error) -> null))
            .toArray(CompletableFuture[]::new);
    try {
      CompletableFuture.allOf(primed)
          .get(plan.requestTimeout().toMillis() + 1_000, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
      LOG.debug("priming request did not complete: {}", e.toString());
    }
  }

  /** Runs the plan's fixed duration and returns its report. */
  public LoadReport run() {
    if (plan.duration().isEmpty()) {
      throw new IllegalStateException(
          "run() needs a plan with a duration; use start() and stop() otherwise");
    }
    return awaitReport(start());
  }

  /**
   * Stops sending new requests, waits for those in flight (each is bounded by the request timeout)
   * and returns the report.
   */
  public LoadReport stop() {
    Thread running;
    synchronized (this) {
      if (pacer == null) {
        throw new IllegalStateException("load generator was not started");
      }
      running = pacer;
    }
    stopRequested = true;
    LockSupport.unpark(running);
    try {
      running.join(plan.requestTimeout().toMillis() + 5_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return awaitReport(report);
  }

  public LoadProgress progress() {
    long succ = succeeded.sum();
    long fail = failures.values().stream().mapToLong(LongAdder::sum).sum();
    long started = startNanos;
    Duration elapsed = started == 0 ? Duration.ZERO : Duration.ofNanos(System.nanoTime() - started);
    return new LoadProgress(elapsed, due.get(), succ, fail, inFlight.get());
  }

  @Override
  public void close() {
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
    }
    if (pacer != null && !report.isDone()) {
      stop();
    }
    await(keepAliveClient.close().toCompletionStage().toCompletableFuture());
    await(newConnectionClient.close().toCompletionStage().toCompletableFuture());
    await(http2Client.close().toCompletionStage().toCompletableFuture());
    if (ownsVertx) {
      await(vertx.close().toCompletionStage().toCompletableFuture());
    }
  }

  private void pace() {
    long interval = plan.intervalNanos();
    long end = plan.duration().map(d -> startNanos + d.toNanos()).orElse(Long.MAX_VALUE);
    long next = 0;
    long lastStep = 0;
    while (!stopRequested) {
      long dueAt = startNanos + next * interval;
      if (dueAt >= end) {
        break;
      }
      long now = System.nanoTime();
      long wakeAt = Math.max(dueAt, lastStep + MIN_STEP_NANOS);
      if (wakeAt > now) {
        LockSupport.parkNanos(wakeAt - now);
        continue;
      }
      lastStep = now;
      List<long[]> batch = new ArrayList<>();
      while (dueAt <= now && dueAt < end && batch.size() < MAX_BATCH) {
        due.incrementAndGet();
        int target = (int) (next % requests.size());
        if (inFlight.get() >= plan.maxInFlight()) {
          recordFailure(FailureClass.OVERLOAD, target);
        } else {
          inFlight.incrementAndGet();
          batch.add(new long[] {dueAt, target, next});
        }
        next++;
        dueAt = startNanos + next * interval;
      }
      if (!batch.isEmpty()) {
        context.runOnContext(v -> batch.forEach(this::send));
      }
    }
    sendingEndNanos = Math.min(System.nanoTime(), end);
    sendingDone = true;
    if (inFlight.get() == 0) {
      finish();
    } else {
      // Every request carries a timeout, so this only fires if the client itself loses one.
      long grace = plan.requestTimeout().multipliedBy(2).plusSeconds(1).toMillis();
      vertx.setTimer(grace, t -> finish());
    }
  }

  private HttpClient clientFor(long requestNumber) {
    return switch (plan.clientMix().kindOf(requestNumber)) {
      case NEW_CONNECTION -> newConnectionClient;
      case KEEP_ALIVE -> keepAliveClient;
      case HTTP2 -> http2Client;
    };
  }

  private void send(long[] request) {
    long dueAt = request[0];
    int target = (int) request[1];
    HttpClient client = clientFor(request[2]);
    boolean[] reused = new boolean[1];
    client
        .request(requests.get(target))
        .compose(
            req -> {
              reused[0] = reusesConnection(client, req);
              return req.send().compose(resp -> resp.body().map(body -> resp.statusCode()));
            })
        .onComplete(outcome -> complete(dueAt, target, outcome, reused[0]));
  }

  /**
   * Whether {@code request} goes on a pooled connection that carried an earlier one; notes that it
   * now has.
   */
  private boolean reusesConnection(HttpClient client, HttpClientRequest request) {
    return client != newConnectionClient && !usedConnections.add(request.connection());
  }

  private void complete(
      long dueAt, int target, AsyncResult<Integer> outcome, boolean reusedConnection) {
    if (finished.get()) {
      return;
    }
    latencyMicros.recordValue(Math.max(0, (System.nanoTime() - dueAt) / 1_000));
    String failureClass =
        outcome.succeeded()
            ? FailureClass.ofStatus(outcome.result())
            : FailureClass.ofError(outcome.cause(), reusedConnection);
    if (failureClass == null) {
      succeeded.increment();
    } else {
      if (!outcome.succeeded()) {
        LOG.debug(
            "request to {} failed as {}",
            plan.targets().get(target),
            failureClass,
            outcome.cause());
      }
      recordFailure(failureClass, target);
    }
    if (inFlight.decrementAndGet() == 0 && sendingDone) {
      finish();
    }
  }

  private void recordFailure(String failureClass, int target) {
    failures.computeIfAbsent(failureClass, k -> new LongAdder()).increment();
    if (failureEventCount.incrementAndGet() <= plan.maxFailureEvents()) {
      Instant at = startedAt.plusNanos(System.nanoTime() - startNanos);
      failureEvents.add(new FailureEvent(at, failureClass, plan.targets().get(target)));
    } else {
      failureEventsDropped.increment();
    }
  }

  private void finish() {
    if (!finished.compareAndSet(false, true)) {
      return;
    }
    int lost = inFlight.getAndSet(0);
    Map<String, Long> byClass = new HashMap<>();
    failures.forEach((k, v) -> byClass.put(k, v.sum()));
    if (lost > 0) {
      LOG.warn(
          "{} requests still had no outcome {} after sending ended; counting them as timeouts",
          lost,
          plan.requestTimeout().multipliedBy(2));
      byClass.merge(FailureClass.TIMEOUT, (long) lost, Long::sum);
    }
    long failed = byClass.values().stream().mapToLong(Long::longValue).sum();
    long requestCount = due.get();
    Duration sending = Duration.ofNanos(Math.max(1, sendingEndNanos - startNanos));
    List<FailureEvent> events = new ArrayList<>(failureEvents);
    events.sort(Comparator.comparing(FailureEvent::at));
    report.complete(
        new LoadReport(
            startedAt,
            sending,
            plan.ratePerSecond(),
            requestCount / (sending.toNanos() / 1e9),
            requestCount,
            requestCount - failed,
            failed,
            byClass,
            LatencySummary.ofMicros(latencyMicros.copy()),
            events,
            failureEventsDropped.sum()));
  }

  private LoadReport awaitReport(CompletableFuture<LoadReport> future) {
    try {
      return future.get(
          plan.requestTimeout().multipliedBy(3).plusSeconds(10).toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for the load report", e);
    } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
      throw new IllegalStateException("load run did not produce a report", e);
    }
  }

  private static void await(CompletableFuture<?> future) {
    try {
      future.get(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
      LOG.warn("closing the load generator did not complete cleanly", e);
    }
  }
}
