package io.saferollout.lab.cluster;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.UnknownHostException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One lab's share of the loopback network, 127.N.0.0/16, held for the lab's life so that labs in
 * one JVM or in several never hand out the same address.
 *
 * <p>The claim is a listening socket on 127.N.0.1:{@value #MARKER_PORT}. The kernel lets only one
 * socket listen on an address and port, whatever process asks, so whoever binds it owns the range
 * until the socket closes (also when the process dies). Inside the range, 127.N.0.x is the lab's
 * own (the marker and the nodes' addresses) and pods get 127.N.1.1 and up.
 */
public final class LoopbackRange implements AutoCloseable {

  /** Arbitrary but fixed: every lab, in every process, must probe the same port. */
  static final int MARKER_PORT = 47_113;

  private static final int FIRST_NODE_HOST = 10;
  private static final int MAX_NODES = 200;
  private static final Logger LOG = LoggerFactory.getLogger(LoopbackRange.class);

  private final int secondOctet;
  private final ServerSocket marker;
  private final PodIpAllocator pods;

  private LoopbackRange(int secondOctet, ServerSocket marker) {
    this.secondOctet = secondOctet;
    this.marker = marker;
    this.pods = new PodIpAllocator(secondOctet);
  }

  /**
   * Claims the first free range from 127.{firstToTry}.0.0/16 upwards (wrapping to 127.1 after
   * 127.255).
   *
   * @throws IllegalArgumentException when firstToTry is not 1-255 (127.0.0.x belongs to other local
   *     services)
   * @throws IllegalStateException when every range is taken
   */
  public static LoopbackRange claim(int firstToTry) {
    if (firstToTry < 1 || firstToTry > 255) {
      throw new IllegalArgumentException(
          "pod network 127."
              + firstToTry
              + ".0.0/16 is not usable: the second octet must be between 1 and 255 (127.0.0.x is reserved)");
    }
    StringBuilder refusals = new StringBuilder();
    for (int i = 0; i < 255; i++) {
      int octet = (firstToTry - 1 + i) % 255 + 1;
      ServerSocket socket = null;
      try {
        socket = new ServerSocket();
        // Off, so a range a crashed lab left in TIME_WAIT is not reclaimed under a live peer
        // either.
        socket.setReuseAddress(false);
        socket.bind(new InetSocketAddress(address(octet, 0, 1), MARKER_PORT), 1);
        LOG.debug("claimed 127.{}.0.0/16", octet);
        return new LoopbackRange(octet, socket);
      } catch (IOException e) {
        closeQuietly(socket);
        if (refusals.length() < 200) {
          refusals.append(" 127.").append(octet).append(": ").append(e.getMessage()).append(';');
        }
      }
    }
    throw new IllegalStateException(
        "no free loopback range 127.N.0.0/16: port "
            + MARKER_PORT
            + " could not be bound on any 127.N.0.1 (first refusals:"
            + refusals
            + ")");
  }

  public int secondOctet() {
    return secondOctet;
  }

  /** The address of simulated node {@code index} (0-based): 127.N.0.10 and up. */
  public String nodeAddress(int index) {
    if (index < 0 || index >= MAX_NODES) {
      throw new IllegalArgumentException(
          "a lab has at most " + MAX_NODES + " nodes, asked for node " + index);
    }
    return "127." + secondOctet + ".0." + (FIRST_NODE_HOST + index);
  }

  PodIpAllocator pods() {
    return pods;
  }

  @Override
  public String toString() {
    return "127." + secondOctet + ".0.0/16";
  }

  @Override
  public void close() {
    closeQuietly(marker);
  }

  private static InetAddress address(int second, int third, int fourth) {
    try {
      return InetAddress.getByAddress(new byte[] {127, (byte) second, (byte) third, (byte) fourth});
    } catch (UnknownHostException e) {
      throw new IllegalStateException(e);
    }
  }

  private static void closeQuietly(ServerSocket socket) {
    if (socket != null) {
      try {
        socket.close();
      } catch (IOException e) {
        LOG.debug("closing a loopback claim failed: {}", e.toString());
      }
    }
  }
}
