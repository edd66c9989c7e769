package io.saferollout.lab.dataplane;

import java.util.SplittableRandom;

/**
 * Each node's own random stream from the lab's seed. The streams must not be correlated across
 * nodes or across nearby seeds: {@code new Random(seed * 31 + node)} gave almost the same first
 * draw for seeds 1, 2, 3 (java.util.Random's first output varies little with a small seed change),
 * so every node of every run got nearly the same delay. Here the (seed, node) pair goes through
 * SplitMix64's finalizer twice (the mixing function behind {@link SplittableRandom}), which spreads
 * a one-bit change of either over all 64 bits.
 */
public final class NodeSeeds {

  private NodeSeeds() {}

  /** The seed of node {@code node}'s stream: give it to {@link ProxySettings}. */
  public static long seedOf(long labSeed, int node) {
    return mix(mix(labSeed) + node);
  }

  public static SplittableRandom streamOf(long labSeed, int node) {
    return new SplittableRandom(seedOf(labSeed, node));
  }

  /** SplitMix64's finalizer (Steele, Lea, Flood 2014; Stafford's variant 13). */
  static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
    z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
    return z ^ (z >>> 31);
  }
}
