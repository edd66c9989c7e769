package io.saferollout.lab.cluster;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.HTTPGetAction;
import io.fabric8.kubernetes.api.model.HTTPHeader;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Probe;
import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.time.Duration;
import java.util.Optional;
import java.util.OptionalInt;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one probe over the real network, as the kubelet's prober does: an HTTP GET succeeds on a
 * status from 200 to 399, a TCP check on an accepted connection, both within timeoutSeconds. See
 * https://kubernetes.io/docs/concepts/workloads/pods/pod-lifecycle/#container-probes The lab runs
 * no processes, so exec probes are taken as succeeding (and reported once).
 */
final class Prober {

  /** The probe's timing with the API defaults applied. */
  record Timing(
      Duration initialDelay,
      Duration period,
      Duration timeout,
      int successThreshold,
      int failureThreshold) {

    static Timing of(Probe p) {
      return new Timing(
          Duration.ofSeconds(or(p.getInitialDelaySeconds(), 0)),
          Duration.ofSeconds(Math.max(1, or(p.getPeriodSeconds(), 10))),
          Duration.ofSeconds(Math.max(1, or(p.getTimeoutSeconds(), 1))),
          or(p.getSuccessThreshold(), 1),
          or(p.getFailureThreshold(), 3));
    }

    private static int or(Integer value, int fallback) {
      return value == null ? fallback : value;
    }
  }

  private static final Logger LOG = LoggerFactory.getLogger(Prober.class);

  private final String userAgent;
  private final PodAddresses addresses;

  Prober(SimulatedVersion version) {
    this(version, PodAddresses.identity());
  }

  /**
   * @param addresses how a probe's or hook's own {@code host} maps to loopback: the pod's IP as the
   *     API shows it reaches the pod; any other address is refused, never dialled
   */
  Prober(SimulatedVersion version, PodAddresses addresses) {
    this.userAgent = "kube-probe/" + version;
    this.addresses = addresses;
  }

  /** The probe's own host, mapped to loopback; empty (the probe fails) when outside the mapping. */
  private Optional<String> hostOf(String host, String podIp, Container container) {
    if (host == null || host.isEmpty()) {
      return Optional.of(podIp);
    }
    try {
      return Optional.of(addresses.loopback(host));
    } catch (IllegalArgumentException e) {
      LOG.warn("container {}: probe host refused: {}", container.getName(), e.getMessage());
      return Optional.empty();
    }
  }

  boolean probe(Probe probe, Container container, String podIp) {
    Duration timeout = Timing.of(probe).timeout();
    if (probe.getHttpGet() != null) {
      return httpGet(probe.getHttpGet(), container, podIp, timeout).isPresent();
    }
    if (probe.getTcpSocket() != null) {
      Optional<String> host = hostOf(probe.getTcpSocket().getHost(), podIp, container);
      return host.isPresent()
          && port(probe.getTcpSocket().getPort(), container).stream()
              .anyMatch(port -> connects(host.get(), port, timeout));
    }
    if (probe.getGrpc() != null && probe.getGrpc().getPort() != null) {
      // The lab speaks no gRPC health protocol: a listening port is the best it can check.
      return connects(podIp, probe.getGrpc().getPort(), timeout);
    }
    LOG.debug(
        "container {}: exec probes cannot run in the lab and are taken as succeeding",
        container.getName());
    return true;
  }

  /** The status code of a successful (2xx/3xx) GET, or empty on failure. */
  Optional<Integer> httpGet(
      HTTPGetAction action, Container container, String podIp, Duration timeout) {
    if (action.getScheme() != null && !"HTTP".equalsIgnoreCase(action.getScheme())) {
      LOG.warn(
          "container {}: only HTTP probes and hooks are simulated, not {}",
          container.getName(),
          action.getScheme());
      return Optional.empty();
    }
    OptionalInt port = port(action.getPort(), container);
    if (port.isEmpty()) {
      return Optional.empty();
    }
    Optional<String> mapped = hostOf(action.getHost(), podIp, container);
    if (mapped.isEmpty()) {
      return Optional.empty();
    }
    String host = mapped.get();
    String path = action.getPath() == null || action.getPath().isEmpty() ? "/" : action.getPath();
    HttpURLConnection connection = null;
    try {
      connection =
          (HttpURLConnection)
              URI.create(
                      "http://"
                          + host
                          + ":"
                          + port.getAsInt()
                          + (path.startsWith("/") ? path : "/" + path))
                  .toURL()
                  .openConnection(java.net.Proxy.NO_PROXY);
      connection.setConnectTimeout((int) timeout.toMillis());
      connection.setReadTimeout((int) timeout.toMillis());
      connection.setInstanceFollowRedirects(false);
      connection.setUseCaches(false);
      // The kubelet opens a fresh connection for every probe (keep-alives are disabled).
      connection.setRequestProperty("Connection", "close");
      connection.setRequestProperty("User-Agent", userAgent);
      connection.setRequestProperty("Accept", "*/*");
      for (HTTPHeader header : action.getHttpHeaders()) {
        connection.setRequestProperty(header.getName(), header.getValue());
      }
      int code = connection.getResponseCode();
      drain(connection, code);
      return code >= 200 && code < 400 ? Optional.of(code) : Optional.empty();
    } catch (IOException | IllegalArgumentException e) {
      return Optional.empty();
    } finally {
      if (connection != null) {
        connection.disconnect();
      }
    }
  }

  private static void drain(HttpURLConnection connection, int code) throws IOException {
    try (InputStream body =
        code >= 400 ? connection.getErrorStream() : connection.getInputStream()) {
      if (body != null) {
        body.readNBytes(10 * 1024);
      }
    }
  }

  private static boolean connects(String host, int port, Duration timeout) {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(host, port), (int) timeout.toMillis());
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  /** A number, or the name of one of the container's ports. */
  static OptionalInt port(IntOrString port, Container container) {
    if (port == null) {
      return OptionalInt.empty();
    }
    if (port.getIntVal() != null) {
      return OptionalInt.of(port.getIntVal());
    }
    for (ContainerPort p : container.getPorts()) {
      if (port.getStrVal().equals(p.getName())) {
        return OptionalInt.of(p.getContainerPort());
      }
    }
    LOG.warn("container {} has no port named '{}'", container.getName(), port.getStrVal());
    return OptionalInt.empty();
  }
}
