package io.saferollout.lab.cluster;

import java.util.HashSet;
import java.util.Set;

/**
 * Hands out pod IPs from 127.N.1.1 to 127.N.255.254 of the lab's claimed {@link LoopbackRange}
 * (127.N.0.x is the lab's own: the range's claim and the nodes' addresses). Like a node's IPAM it
 * cycles through the range rather than reusing the address just released, so a late packet for a
 * deleted pod does not reach its successor.
 */
final class PodIpAllocator {

  private static final int SIZE = 255 * 254;

  private final int secondOctet;
  private final Set<Integer> inUse = new HashSet<>();
  private int next;

  PodIpAllocator(int secondOctet) {
    this.secondOctet = secondOctet;
  }

  synchronized String allocate() {
    for (int tried = 0; tried < SIZE; tried++) {
      int candidate = next;
      next = (next + 1) % SIZE;
      if (inUse.add(candidate)) {
        return "127." + secondOctet + "." + (candidate / 254 + 1) + "." + (candidate % 254 + 1);
      }
    }
    throw new IllegalStateException(
        "all " + SIZE + " pod IPs of 127." + secondOctet + ".0.0/16 are in use");
  }

  synchronized void release(String ip) {
    String[] parts = ip.split("\\.");
    if (parts.length == 4 && parts[1].equals(Integer.toString(secondOctet))) {
      inUse.remove((Integer.parseInt(parts[2]) - 1) * 254 + Integer.parseInt(parts[3]) - 1);
    }
  }
}
