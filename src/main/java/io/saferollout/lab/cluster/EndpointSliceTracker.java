package io.saferollout.lab.cluster;

import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The generation of every EndpointSlice the controller last wrote, per Service, as
 * k8s.io/endpointslice/util/endpointslice_tracker.go keeps them, to tell whether the informer cache
 * has caught up with the controller's own writes. A sync that reads a cache which has not would
 * write against objects that are gone or outdated and fail, and it would already have advanced the
 * trigger-time tracker, so its retry would drop the trigger time of the change it was syncing. Not
 * thread-safe: the controller's single queue worker is its only caller.
 */
final class EndpointSliceTracker {

  /** The tracker's deletionExpected: this controller deleted the slice and waits to see it go. */
  private static final long DELETION_EXPECTED = -1;

  private final Map<String, Map<String, Long>> generationsByService = new HashMap<>();

  /** Records a slice as the API server returned it from this controller's create or update. */
  void recordWrite(String serviceKey, EndpointSlice slice) {
    generationsByService
        .computeIfAbsent(serviceKey, k -> new HashMap<>())
        .put(slice.getMetadata().getUid(), generation(slice));
  }

  /** Records that this controller deleted the slice (or found it already gone). */
  void recordDeletion(String serviceKey, EndpointSlice slice) {
    generationsByService
        .computeIfAbsent(serviceKey, k -> new HashMap<>())
        .put(slice.getMetadata().getUid(), DELETION_EXPECTED);
  }

  /**
   * StaleSlices: the cached slices miss a slice this controller wrote, hold an older generation of
   * one, or still hold one it deleted. A deleted slice the cache no longer holds is forgotten here
   * rather than on the informer's delete event: the controller only deletes slices its cache
   * showed, so their absence means the cache has seen them go.
   */
  boolean cacheIsBehind(String serviceKey, List<EndpointSlice> cached) {
    Map<String, Long> generations = generationsByService.get(serviceKey);
    if (generations == null) {
      return false;
    }
    Set<String> cachedUids = new HashSet<>();
    boolean behind = false;
    for (EndpointSlice slice : cached) {
      cachedUids.add(slice.getMetadata().getUid());
      Long expected = generations.get(slice.getMetadata().getUid());
      behind |= expected != null && (expected == DELETION_EXPECTED || expected > generation(slice));
    }
    generations
        .entrySet()
        .removeIf(e -> e.getValue() == DELETION_EXPECTED && !cachedUids.contains(e.getKey()));
    behind |= !cachedUids.containsAll(generations.keySet());
    if (generations.isEmpty()) {
      generationsByService.remove(serviceKey);
    }
    return behind;
  }

  private static long generation(EndpointSlice slice) {
    Long generation = slice.getMetadata().getGeneration();
    return generation == null ? 0 : generation;
  }
}
