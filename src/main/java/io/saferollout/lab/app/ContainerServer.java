package io.saferollout.lab.app;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerAdapter;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPromise;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpServerUpgradeHandler;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http2.CleartextHttp2ServerUpgradeHandler;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2StreamFrameToHttpObjectCodec;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The sockets of one container process: a listener that opens after a delay, the connections it
 * accepted, and the two ways a process can end (exit now, or drain then exit).
 *
 * <p>Built on Netty rather than Vert.x's {@code HttpServer} because a graceful shutdown must close
 * the listener while the accepted connections finish their requests, and Vert.x 4 closes both
 * together. It runs on Vert.x's own event loops, so a pod costs no threads.
 *
 * <p>HTTP/1.1 with keep-alive, no pipelining: responses go out in completion order; and cleartext
 * HTTP/2 with prior knowledge, each stream one request.
 */
final class ContainerServer {

  private static final Logger LOG = LoggerFactory.getLogger(ContainerServer.class);

  private enum State {
    STARTING,
    LISTENING,
    DRAINING,
    EXITED
  }

  private final String name;
  private final EventLoopGroup loops;
  private final InetSocketAddress address;
  private final String probePath;
  private final Function<InboundRequest, CompletableFuture<Reply>> handler;

  /**
   * How long a draining process leaves an idle HTTP/1.1 keep-alive connection open for its next
   * request.
   */
  static final Duration IDLE_CLOSE_AFTER = Duration.ofSeconds(1);

  private final Set<Channel> connections = ConcurrentHashMap.newKeySet();
  private final CompletableFuture<Void> exited = new CompletableFuture<>();
  private final AtomicInteger inFlight = new AtomicInteger();
  private final LongAdder served = new LongAdder();
  private final LongAdder failed = new LongAdder();
  private final LongAdder aborted = new LongAdder();

  private State state = State.STARTING;
  private Channel listener;
  private io.netty.util.concurrent.Future<?> pendingBind;
  private io.netty.util.concurrent.Future<?> drainDeadline;
  private volatile long listeningSinceNanos = -1;
  private volatile boolean draining;

  ContainerServer(
      String name,
      Vertx vertx,
      InetSocketAddress address,
      String probePath,
      Function<InboundRequest, CompletableFuture<Reply>> handler) {
    this.name = name;
    this.loops = eventLoops(vertx);
    this.address = address;
    this.probePath = probePath;
    this.handler = handler;
  }

  private static EventLoopGroup eventLoops(Vertx vertx) {
    EventLoopGroup group = vertx.nettyEventLoopGroup();
    if (!(group instanceof NioEventLoopGroup)) {
      throw new IllegalArgumentException(
          "the lab's pods need a Vert.x instance on the NIO transport, "
              + "not "
              + group.getClass().getSimpleName()
              + " (do not set preferNativeTransport)");
    }
    return group;
  }

  synchronized void start(Duration listenDelay) {
    pendingBind = loops.next().schedule(this::bind, listenDelay.toNanos(), TimeUnit.NANOSECONDS);
  }

  /** Runs {@code task} after {@code delay} on one of the pod's event loops. */
  void later(Duration delay, Runnable task) {
    loops.next().schedule(task, delay.toNanos(), TimeUnit.NANOSECONDS);
  }

  /** {@code -1} until the listener is open. */
  long listeningSinceNanos() {
    return listeningSinceNanos;
  }

  boolean isDraining() {
    return draining;
  }

  synchronized boolean isListening() {
    return state == State.LISTENING && listener != null && listener.isActive();
  }

  CompletableFuture<Void> exited() {
    return exited;
  }

  ContainerCounters counters() {
    return new ContainerCounters(served.sum(), failed.sum(), aborted.sum(), inFlight.get());
  }

  synchronized void terminate(ShutdownStyle style, Duration drainTimeout) {
    switch (style) {
      case IGNORE -> LOG.debug("{} on {} ignores SIGTERM", name, address);
      case IMMEDIATE -> exit();
      case GRACEFUL -> {
        if (state == State.STARTING) {
          exit();
        } else if (state == State.LISTENING) {
          drain(drainTimeout);
        }
        // A second SIGTERM while draining changes nothing, as for a real process.
      }
    }
  }

  synchronized void exit() {
    if (state == State.EXITED) {
      return;
    }
    state = State.EXITED;
    cancel(pendingBind);
    cancel(drainDeadline);
    List<ChannelFuture> closing = new ArrayList<>();
    if (listener != null) {
      closing.add(closedInTheKernel(listener));
    }
    connections.forEach(connection -> closing.add(closeAbruptly(connection)));
    if (closing.isEmpty()) {
      exited.complete(null);
      return;
    }
    AtomicInteger left = new AtomicInteger(closing.size());
    closing.forEach(
        f ->
            f.addListener(
                done -> {
                  if (left.decrementAndGet() == 0) {
                    LOG.debug("{} on {} exited", name, address);
                    exited.complete(null);
                  }
                }));
  }

  /**
   * Closes the listener and completes once the kernel has closed its socket, so that an exited
   * process refuses connections. Netty's close future completes before that: Java NIO defers
   * closing a channel registered with a selector until the selector deregisters it, at the event
   * loop's next select; a connection arriving meanwhile is accepted into the backlog, then reset. A
   * task submitted at once could still run in the loop's current batch, before that select; one
   * scheduled a millisecond later is taken in a later iteration, after a select.
   */
  private static ChannelFuture closedInTheKernel(Channel listener) {
    ChannelPromise closed = listener.newPromise();
    listener
        .close()
        .addListener(
            f -> {
              try {
                listener
                    .eventLoop()
                    .schedule((Runnable) closed::trySuccess, 1, TimeUnit.MILLISECONDS);
              } catch (RejectedExecutionException loopGone) {
                closed.trySuccess();
              }
            });
    return closed;
  }

  /**
   * Closes a connection as the kernel does when its process dies: the socket just closes. Sent from
   * the head of the pipeline, so that no handler gets to say goodbye (Netty's HTTP/2 codec would
   * otherwise send GOAWAY and wait for streams, which only a graceful shutdown does).
   */
  private static ChannelFuture closeAbruptly(Channel connection) {
    ChannelHandlerContext first = connection.pipeline().firstContext();
    return first == null ? connection.close() : first.close();
  }

  private void drain(Duration drainTimeout) {
    state = State.DRAINING;
    draining = true;
    listener.close();
    // HTTP/2: close() goes through Netty's codec, which sends GOAWAY, refuses new streams and
    // closes once the open ones are answered; GOAWAY names the last stream it will answer, so a
    // client never loses a request to it (RFC 9113 section 6.8).
    // HTTP/1.1 has no such signal: closing an idle keep-alive connection races a request the
    // client may be writing at that moment, which it then sees reset (RFC 9112 section 9.6).
    // So the next request on each connection is answered with Connection: close (then the
    // connection closes), as a draining Envoy does; and a connection idle for IDLE_CLOSE_AFTER
    // is closed unasked: at once if it already is at SIGTERM, as Go's http.Server.Shutdown and
    // nginx's graceful shutdown close idle connections (a draining Envoy leaves them open until
    // its idle_timeout or its exit, envoyproxy/envoy issue 42305). That instant close is where
    // pooled clients lose requests: the Connection: close answers free their busy connections
    // at the same moment, and a pool such as Vert.x's then writes the next requests on idle
    // ones, maybe ones being closed here (see LoadGenerator).
    for (Channel connection : connections) {
      connection
          .eventLoop()
          .execute(
              () -> {
                Connection c = connection.pipeline().get(Connection.class);
                if (c == null) {
                  connection.close();
                } else {
                  c.closeOnceIdleFor(IDLE_CLOSE_AFTER);
                }
              });
    }
    drainDeadline = loops.next().schedule(this::exit, drainTimeout.toNanos(), TimeUnit.NANOSECONDS);
    exitOnceConnectionsAreClosed();
  }

  /**
   * A draining process exits when its last connection has closed (the drain deadline bounds it).
   */
  private synchronized void exitOnceConnectionsAreClosed() {
    if (draining && state == State.DRAINING && connections.isEmpty()) {
      exit();
    }
  }

  private void bind() {
    synchronized (this) {
      if (state != State.STARTING) {
        return;
      }
    }
    new ServerBootstrap()
        .group(loops)
        .channel(NioServerSocketChannel.class)
        // A restarted container gets the same pod IP and port while old connections linger.
        .option(ChannelOption.SO_REUSEADDR, true)
        .childHandler(
            new ChannelInitializer<SocketChannel>() {
              @Override
              protected void initChannel(SocketChannel channel) {
                if (admit(channel)) {
                  HttpServerCodec http1 = new HttpServerCodec();
                  // A connection that opens with the HTTP/2 preface speaks cleartext HTTP/2
                  // with prior knowledge (RFC 9113 section 3.3); any other speaks HTTP/1.1.
                  // No "Upgrade: h2c" (RFC 9113 deprecates it), so no factory for it.
                  channel
                      .pipeline()
                      .addLast(
                          new CleartextHttp2ServerUpgradeHandler(
                              http1,
                              new HttpServerUpgradeHandler(http1, protocol -> null),
                              new Http2Handlers()),
                          new HttpObjectAggregator(1 << 20),
                          new Connection());
                } else {
                  channel.close();
                }
              }
            })
        .bind(address)
        .addListener((ChannelFuture f) -> bound(f));
  }

  private synchronized void bound(ChannelFuture f) {
    if (!f.isSuccess()) {
      // Said the way Go's net.Listen does, which is what a real container would print and exit
      // with.
      String reason =
          "listen tcp "
              + address.getHostString()
              + ":"
              + address.getPort()
              + ": bind: "
              + String.valueOf(f.cause().getMessage())
                  .replaceFirst("^bind\\(\\.\\.\\) failed: ", "")
                  .toLowerCase(Locale.ROOT);
      LOG.warn("{} could not listen: {}", name, reason);
      state = State.EXITED;
      exited.completeExceptionally(new IOException(reason, f.cause()));
      return;
    }
    if (state != State.STARTING) {
      f.channel().close();
      return;
    }
    listener = f.channel();
    state = State.LISTENING;
    listeningSinceNanos = System.nanoTime();
  }

  private synchronized boolean admit(Channel connection) {
    if (state != State.LISTENING) {
      return false;
    }
    connections.add(connection);
    connection
        .closeFuture()
        .addListener(
            f -> {
              connections.remove(connection);
              exitOnceConnectionsAreClosed();
            });
    return true;
  }

  private void finished(Exchange exchange, int status, boolean answered) {
    if (!exchange.probe) {
      if (!answered) {
        aborted.increment();
      } else if (status >= 200 && status < 300) {
        served.increment();
      } else {
        failed.increment();
      }
    }
    inFlight.decrementAndGet();
  }

  private static void cancel(io.netty.util.concurrent.Future<?> task) {
    if (task != null) {
      task.cancel(false);
    }
  }

  /**
   * Turns a connection that began with the HTTP/2 preface into an HTTP/2 one: a frame codec, and a
   * child channel per stream that carries one request through the same {@link Connection} handler
   * as HTTP/1.1 (as a one-request connection: a stream is never idle).
   */
  private final class Http2Handlers extends ChannelHandlerAdapter {
    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
      // A negative timeout lets a GOAWAY'd connection wait for its streams however long they
      // take; the drain timeout bounds the shutdown instead (exit() then closes abruptly).
      String codec = ctx.name() + "-codec";
      ctx.pipeline()
          .addAfter(
              ctx.name(),
              codec,
              Http2FrameCodecBuilder.forServer().gracefulShutdownTimeoutMillis(-1).build());
      ctx.pipeline()
          .addAfter(
              codec,
              null,
              new Http2MultiplexHandler(
                  new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel stream) {
                      stream
                          .pipeline()
                          .addLast(
                              new Http2StreamFrameToHttpObjectCodec(true),
                              new HttpObjectAggregator(1 << 20),
                              new Connection());
                    }
                  }));
      ctx.pipeline().remove(this);
    }
  }

  /**
   * One request on a connection; {@code done} once answered or cut off. Confined to the
   * connection's event loop.
   */
  private static final class Exchange {
    final boolean probe;
    final boolean keepAlive;
    boolean done;

    Exchange(boolean probe, boolean keepAlive) {
      this.probe = probe;
      this.keepAlive = keepAlive;
    }
  }

  private final class Connection extends SimpleChannelInboundHandler<FullHttpRequest> {
    private final ArrayDeque<Exchange> open = new ArrayDeque<>();
    private long lastActiveNanos = System.nanoTime();

    /**
     * Closes the connection once it has had no request in flight for {@code idleFor}; on its event
     * loop.
     */
    void closeOnceIdleFor(Duration idleFor) {
      Channel channel = connectionChannel();
      if (channel == null || !channel.isOpen()) {
        return;
      }
      long idleNanos = System.nanoTime() - lastActiveNanos;
      if (open.isEmpty() && idleNanos >= idleFor.toNanos()) {
        channel.close();
      } else {
        long wait = open.isEmpty() ? idleFor.toNanos() - idleNanos : idleFor.toNanos();
        channel.eventLoop().schedule(() -> closeOnceIdleFor(idleFor), wait, TimeUnit.NANOSECONDS);
      }
    }

    private ChannelHandlerContext context;

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
      context = ctx;
    }

    private Channel connectionChannel() {
      return context == null ? null : context.channel();
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
      InboundRequest inbound =
          new InboundRequest(
              request.method().name(), request.uri(), ByteBufUtil.getBytes(request.content()));
      Exchange exchange =
          new Exchange(inbound.path().equals(probePath), HttpUtil.isKeepAlive(request));
      lastActiveNanos = System.nanoTime();
      open.add(exchange);
      inFlight.incrementAndGet();
      CompletableFuture<Reply> reply;
      try {
        reply = handler.apply(inbound);
      } catch (RuntimeException e) {
        reply = CompletableFuture.failedFuture(e);
      }
      reply.whenComplete(
          (answer, error) ->
              ctx.executor()
                  .execute(
                      () ->
                          respond(
                              ctx,
                              exchange,
                              error == null
                                  ? answer
                                  : new Reply(500, "internal error: " + error + "\n"))));
    }

    private void respond(ChannelHandlerContext ctx, Exchange exchange, Reply reply) {
      if (exchange.done) {
        return;
      }
      boolean close = !exchange.keepAlive || draining;
      FullHttpResponse response =
          new DefaultFullHttpResponse(
              HttpVersion.HTTP_1_1,
              HttpResponseStatus.valueOf(reply.status()),
              Unpooled.copiedBuffer(reply.body(), StandardCharsets.UTF_8));
      response
          .headers()
          .set(HttpHeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8")
          .setInt(HttpHeaderNames.CONTENT_LENGTH, response.content().readableBytes());
      if (close) {
        response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
      }
      lastActiveNanos = System.nanoTime();
      ctx.writeAndFlush(response)
          .addListener(
              written -> {
                if (!exchange.done) {
                  exchange.done = true;
                  open.remove(exchange);
                  finished(exchange, reply.status(), written.isSuccess());
                }
                if (close) {
                  ctx.close();
                }
              });
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      for (Exchange exchange : open) {
        if (!exchange.done) {
          exchange.done = true;
          finished(exchange, 0, false);
        }
      }
      open.clear();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      LOG.debug("{}: connection error: {}", name, cause.toString());
      ctx.close();
    }
  }
}
