package io.saferollout.lab.cluster;

import com.sun.net.httpserver.HttpServer;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.Pod;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A container runtime for tests whose containers are real HTTP servers on the pod's loopback IP:
 * every path answers 503 until the container's readiness delay has passed, then 200, so the
 * kubelet's probes travel over the real network. Behaviour is chosen by image name.
 */
final class HttpTestRuntime implements ContainerRuntime {

  /** How a container of a given image behaves. */
  record Behaviour(Duration readyAfter, boolean neverReady, boolean ignoresSigterm) {
    static Behaviour readyAfter(Duration delay) {
      return new Behaviour(delay, false, false);
    }

    static Behaviour alwaysUnready() {
      return new Behaviour(Duration.ZERO, true, false);
    }

    Behaviour ignoringSigterm() {
      return new Behaviour(readyAfter, neverReady, true);
    }
  }

  /** Something that happened to a container, for assertions on order. */
  record Happening(Instant at, String pod, String container, String what) {}

  private final Map<String, Behaviour> byImage = new ConcurrentHashMap<>();
  private final List<Happening> happenings = new ArrayList<>();
  private final Map<String, java.util.concurrent.atomic.AtomicInteger> answers =
      new ConcurrentHashMap<>();
  private final Map<String, Instant> firstSuccess = new ConcurrentHashMap<>();
  private final java.util.Set<String> failingReadiness = ConcurrentHashMap.newKeySet();
  private volatile Behaviour fallback = Behaviour.readyAfter(Duration.ZERO);

  HttpTestRuntime behave(String image, Behaviour behaviour) {
    byImage.put(image, behaviour);
    return this;
  }

  HttpTestRuntime byDefault(Behaviour behaviour) {
    this.fallback = behaviour;
    return this;
  }

  /** From now on the pod's containers answer 503, as an app losing a dependency would. */
  void failReadiness(String podName) {
    failingReadiness.add(podName);
  }

  /** How many 200 (ok) or 503 answers the container has given so far. */
  int answers(String pod, String container, boolean ok) {
    return answers
        .computeIfAbsent(
            pod + "/" + container + "/" + ok, k -> new java.util.concurrent.atomic.AtomicInteger())
        .get();
  }

  /** When the container first answered 200, if it has. */
  java.util.Optional<Instant> firstSuccess(String pod, String container) {
    return java.util.Optional.ofNullable(firstSuccess.get(pod + "/" + container));
  }

  synchronized List<Happening> happenings() {
    return List.copyOf(happenings);
  }

  synchronized List<Happening> happenings(String pod, String container) {
    return happenings.stream()
        .filter(h -> h.pod().equals(pod) && h.container().equals(container))
        .toList();
  }

  private synchronized void happened(Pod pod, Container container, String what) {
    happenings.add(
        new Happening(Instant.now(), pod.getMetadata().getName(), container.getName(), what));
  }

  @Override
  public RunningContainer start(Pod pod, Container container, String podIp, ContainerRole role) {
    Behaviour behaviour = byImage.getOrDefault(container.getImage(), fallback);
    Instant readyAt = Instant.now().plus(behaviour.readyAfter());
    HttpServer server = null;
    if (!container.getPorts().isEmpty()) {
      ContainerPort port = container.getPorts().get(0);
      try {
        server = HttpServer.create(new InetSocketAddress(podIp, port.getContainerPort()), 50);
      } catch (IOException e) {
        throw new UncheckedIOException(
            "cannot listen on " + podIp + ":" + port.getContainerPort(), e);
      }
      server.createContext(
          "/",
          exchange -> {
            boolean ready =
                !behaviour.neverReady()
                    && !Instant.now().isBefore(readyAt)
                    && !failingReadiness.contains(pod.getMetadata().getName());
            String id = pod.getMetadata().getName() + "/" + container.getName();
            answers
                .computeIfAbsent(
                    id + "/" + ready, k -> new java.util.concurrent.atomic.AtomicInteger())
                .incrementAndGet();
            if (ready) {
              firstSuccess.putIfAbsent(id, Instant.now());
            }
            byte[] body = (ready ? "ok" : "not ready").getBytes();
            exchange.sendResponseHeaders(ready ? 200 : 503, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
          });
      server.start();
    }
    happened(pod, container, "started " + role);
    HttpServer listening = server;
    CompletableFuture<Void> exited = new CompletableFuture<>();
    return new RunningContainer() {
      @Override
      public void sigterm() {
        happened(pod, container, "SIGTERM");
        if (!behaviour.ignoresSigterm()) {
          stop();
        }
      }

      @Override
      public void sigkill() {
        happened(pod, container, "SIGKILL");
        stop();
      }

      private void stop() {
        if (listening != null) {
          listening.stop(0);
        }
        exited.complete(null);
      }

      @Override
      public CompletableFuture<Void> exited() {
        return exited;
      }
    };
  }
}
