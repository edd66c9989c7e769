package io.saferollout.lab.cluster;

import java.util.HashSet;
import java.util.Set;

/**
 * Hands out pod IPs from 127.N.0.1 to 127.N.255.254 (N from 1 to 255, so never 127.0.0.x, which
 * other local services use). Like a node's IPAM it cycles through the range rather than reusing
 * the address just released, so a late packet for a deleted pod does not reach its successor.
 * One allocator per range per JVM ({@link #forRange}), so clusters running side by side in one
 * process never share an address.
 */
final class PodIpAllocator {

    private static final PodIpAllocator[] RANGES = new PodIpAllocator[256];
    private static final int SIZE = 256 * 254;

    private final int secondOctet;
    private final Set<Integer> inUse = new HashSet<>();
    private int next;

    private PodIpAllocator(int secondOctet) {
        this.secondOctet = secondOctet;
    }

    static synchronized PodIpAllocator forRange(int secondOctet) {
        if (secondOctet < 1 || secondOctet > 255) {
            throw new IllegalArgumentException("pod network 127." + secondOctet
                    + ".0.0/16 is not usable: the second octet must be between 1 and 255 (127.0.0.x is reserved)");
        }
        if (RANGES[secondOctet] == null) {
            RANGES[secondOctet] = new PodIpAllocator(secondOctet);
        }
        return RANGES[secondOctet];
    }

    synchronized String allocate() {
        for (int tried = 0; tried < SIZE; tried++) {
            int candidate = next;
            next = (next + 1) % SIZE;
            if (inUse.add(candidate)) {
                return "127." + secondOctet + "." + candidate / 254 + "." + (candidate % 254 + 1);
            }
        }
        throw new IllegalStateException("all " + SIZE + " pod IPs of 127." + secondOctet + ".0.0/16 are in use");
    }

    synchronized void release(String ip) {
        String[] parts = ip.split("\\.");
        if (parts.length == 4 && parts[1].equals(Integer.toString(secondOctet))) {
            inUse.remove(Integer.parseInt(parts[2]) * 254 + Integer.parseInt(parts[3]) - 1);
        }
    }
}
