package io.saferollout.load;

import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * What a load run sends: GET requests at a constant arrival rate, round-robin over the targets.
 *
 * @param duration how long to send; empty for a run that the caller ends with {@link
 *     LoadGenerator#stop()}
 * @param maxInFlight requests due while this many are outstanding are not sent but counted as
 *     {@link FailureClass#OVERLOAD}, so a stalled server cannot make the generator quietly wait
 * @param requestTimeout how long a request may go without a connection or response data
 * @param maxFailureEvents how many individual failures the report lists (all are counted)
 * @param clientMix which requests go on pooled keep-alive connections and which open their own
 */
public record LoadPlan(
    List<URI> targets,
    double ratePerSecond,
    Optional<Duration> duration,
    int maxInFlight,
    Duration requestTimeout,
    TargetScope scope,
    int maxFailureEvents,
    ClientMix clientMix) {

  public LoadPlan {
    if (targets == null || targets.isEmpty()) {
      throw new IllegalArgumentException("at least one target URL is required");
    }
    targets = List.copyOf(targets);
    for (URI target : targets) {
      checkTarget(target, scope);
    }
    if (!(ratePerSecond > 0) || Double.isInfinite(ratePerSecond)) {
      throw new IllegalArgumentException(
          "rate must be a positive number of requests per second, got " + ratePerSecond);
    }
    duration = duration == null ? Optional.empty() : duration;
    duration.ifPresent(
        d -> {
          if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException("duration must be positive, got " + d);
          }
        });
    if (maxInFlight <= 0) {
      throw new IllegalArgumentException(
          "max in-flight requests must be positive, got " + maxInFlight);
    }
    if (requestTimeout == null || requestTimeout.isNegative() || requestTimeout.isZero()) {
      throw new IllegalArgumentException("request timeout must be positive, got " + requestTimeout);
    }
    if (maxFailureEvents < 0) {
      throw new IllegalArgumentException(
          "max failure events must not be negative, got " + maxFailureEvents);
    }
    if (clientMix == null) {
      throw new IllegalArgumentException("client mix is required");
    }
  }

  public static Builder builder() {
    return new Builder();
  }

  /** The interval between two intended send times. */
  public long intervalNanos() {
    return Math.max(1L, Math.round(1_000_000_000d / ratePerSecond));
  }

  private static void checkTarget(URI target, TargetScope scope) {
    String scheme = target.getScheme() == null ? "" : target.getScheme().toLowerCase(Locale.ROOT);
    if (!scheme.equals("http") && !scheme.equals("https")) {
      throw new IllegalArgumentException("target URL '" + target + "' must use http or https");
    }
    if (target.getHost() == null || target.getHost().isEmpty()) {
      throw new IllegalArgumentException("target URL '" + target + "' has no host");
    }
    if (scope == TargetScope.LOOPBACK_ONLY && !isLoopback(target.getHost())) {
      throw new IllegalArgumentException(
          "target URL '"
              + target
              + "' is not a loopback address (127.0.0.0/8 or ::1), and this run may only use loopback");
    }
  }

  private static boolean isLoopback(String host) {
    try {
      return InetAddress.getByName(host).isLoopbackAddress();
    } catch (UnknownHostException e) {
      return false;
    }
  }

  public static final class Builder {
    private final List<URI> targets = new ArrayList<>();
    private double ratePerSecond;
    private Duration duration;
    private int maxInFlight = 1_000;
    private Duration requestTimeout = Duration.ofSeconds(10);
    private TargetScope scope = TargetScope.ANY;
    private int maxFailureEvents = 100_000;
    private ClientMix clientMix = ClientMix.DEFAULT;

    private Builder() {}

    /**
     * @throws IllegalArgumentException when {@code url} is not a URL at all
     */
    public Builder target(String url) {
      try {
        return target(new URI(url));
      } catch (URISyntaxException | NullPointerException e) {
        throw new IllegalArgumentException("target '" + url + "' is not a valid URL", e);
      }
    }

    public Builder target(URI url) {
      targets.add(url);
      return this;
    }

    public Builder ratePerSecond(double ratePerSecond) {
      this.ratePerSecond = ratePerSecond;
      return this;
    }

    /** Unset (the default) for a run ended by {@link LoadGenerator#stop()}. */
    public Builder duration(Duration duration) {
      this.duration = duration;
      return this;
    }

    public Builder maxInFlight(int maxInFlight) {
      this.maxInFlight = maxInFlight;
      return this;
    }

    public Builder requestTimeout(Duration requestTimeout) {
      this.requestTimeout = requestTimeout;
      return this;
    }

    public Builder scope(TargetScope scope) {
      this.scope = scope;
      return this;
    }

    public Builder maxFailureEvents(int maxFailureEvents) {
      this.maxFailureEvents = maxFailureEvents;
      return this;
    }

    /** {@link ClientMix#DEFAULT} unless set. */
    public Builder clientMix(ClientMix clientMix) {
      this.clientMix = clientMix;
      return this;
    }

    public LoadPlan build() {
      return new LoadPlan(
          targets,
          ratePerSecond,
          Optional.ofNullable(duration),
          maxInFlight,
          requestTimeout,
          scope,
          maxFailureEvents,
          clientMix);
    }
  }
}
