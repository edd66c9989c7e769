package io.saferollout.lab.cluster;

import java.util.Objects;

/**
 * Which pod IP the API shows for a pod listening on a lab loopback address, and back. Every lab pod
 * listens on 127.N.a.b of its lab's {@link LoopbackRange}. The simulated control plane shows that
 * address as is ({@link #identity()}). A real API server refuses EndpointSlice addresses in
 * 127.0.0.0/8 (ValidateNonSpecialIP, KEP-4858), so on the real control plane the kubelet reports
 * 198.18.a.b instead ({@link #benchmarking(int)}): RFC 2544's benchmarking range 198.18.0.0/15,
 * which is routed nowhere on this machine and is never dialled: whatever connects to an endpoint
 * address asks {@link #loopback(String)} first, which refuses an address outside the mapping.
 */
public final class PodAddresses {

  /** The first two octets of the reported range (RFC 2544, section C.2.2). */
  private static final String BENCHMARKING_PREFIX = "198.18.";

  /** 0 for the identity mapping (any 127.0.0.0/8 address), else the lab's 127.N. */
  private final int secondOctet;

  private PodAddresses(int secondOctet) {
    this.secondOctet = secondOctet;
  }

  /** The simulated control plane's: the API shows the loopback address a pod listens on. */
  public static PodAddresses identity() {
    return new PodAddresses(0);
  }

  /** The real control plane's: 127.N.a.b is shown as 198.18.a.b. */
  public static PodAddresses benchmarking(int secondOctet) {
    if (secondOctet < 1 || secondOctet > 255) {
      throw new IllegalArgumentException(
          "a lab's loopback range is 127.N.0.0/16 with N between 1 and 255, got N = "
              + secondOctet);
    }
    return new PodAddresses(secondOctet);
  }

  /**
   * The address the kubelet reports for a pod listening on {@code loopbackIp}.
   *
   * @throws IllegalArgumentException when the address is not in this lab's loopback range
   */
  public String reported(String loopbackIp) {
    int[] octets = octets(loopbackIp);
    if (octets == null || octets[0] != 127 || secondOctet != 0 && octets[1] != secondOctet) {
      throw new IllegalArgumentException(
          "pod address " + loopbackIp + " is not in the lab's loopback range " + range());
    }
    return secondOctet == 0 ? loopbackIp : BENCHMARKING_PREFIX + octets[2] + "." + octets[3];
  }

  /**
   * The loopback address to connect to for an endpoint address read from the API.
   *
   * @throws IllegalArgumentException for an address outside the mapping: the lab never sends a
   *     request to it
   */
  public String loopback(String endpointIp) {
    int[] octets = octets(endpointIp);
    if (secondOctet == 0) {
      if (octets == null || octets[0] != 127) {
        throw refused(endpointIp, "127.0.0.0/8");
      }
      return endpointIp;
    }
    if (octets == null || octets[0] != 198 || octets[1] != 18) {
      throw refused(endpointIp, "198.18.0.0/16");
    }
    return "127." + secondOctet + "." + octets[2] + "." + octets[3];
  }

  private static IllegalArgumentException refused(String ip, String expected) {
    return new IllegalArgumentException(
        "endpoint address "
            + ip
            + " is outside the lab's pod addresses ("
            + expected
            + "); the lab connects only to loopback pods and will not send to it");
  }

  private String range() {
    return secondOctet == 0 ? "127.0.0.0/8" : "127." + secondOctet + ".0.0/16";
  }

  /** The four octets of a dotted-quad IPv4 address, or null: never a DNS lookup. */
  private static int[] octets(String ip) {
    if (ip == null) {
      return null;
    }
    String[] parts = ip.split("\\.", -1);
    if (parts.length != 4) {
      return null;
    }
    int[] octets = new int[4];
    for (int i = 0; i < 4; i++) {
      if (parts[i].isEmpty()
          || parts[i].length() > 3
          || !parts[i].chars().allMatch(Character::isDigit)) {
        return null;
      }
      octets[i] = Integer.parseInt(parts[i]);
      if (octets[i] > 255) {
        return null;
      }
    }
    return octets;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof PodAddresses other && other.secondOctet == secondOctet;
  }

  @Override
  public int hashCode() {
    return Objects.hash(secondOctet);
  }

  @Override
  public String toString() {
    return secondOctet == 0
        ? "identity (127.0.0.0/8)"
        : "198.18.a.b <-> 127." + secondOctet + ".a.b";
  }
}
