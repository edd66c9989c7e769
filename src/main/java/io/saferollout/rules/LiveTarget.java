package io.saferollout.rules;

import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What the operator knows about a Deployment it read from the cluster, beyond the object itself.
 * Planning with it (rather than for a manifest file) means the plan is written into a live object
 * other tools also write: it releases what another manager took over, and it leaves changes that
 * belong in Git (moving containers between lists) as findings.
 *
 * @param ownedPaths paths SafeRollout set that still hold its values (see the operator's {@code
 *     OwnedFields}); they follow the policy when it changes
 * @param recorded every change SafeRollout recorded on the Deployment, owned still or not: what it
 *     once set, to tell its own handler from a user's next to it
 * @param namespaceLabels the Deployment's namespace's labels (mesh injection is often enabled
 *     there)
 * @param namespaceAnnotations the namespace's annotations
 */
public record LiveTarget(
    Set<String> ownedPaths,
    List<Change> recorded,
    Map<String, String> namespaceLabels,
    Map<String, String> namespaceAnnotations) {
  public LiveTarget {
    ownedPaths = ownedPaths == null ? Set.of() : Set.copyOf(ownedPaths);
    recorded = recorded == null ? List.of() : List.copyOf(recorded);
    namespaceLabels = namespaceLabels == null ? Map.of() : Map.copyOf(namespaceLabels);
    namespaceAnnotations =
        namespaceAnnotations == null ? Map.of() : Map.copyOf(namespaceAnnotations);
  }

  /** A live Deployment whose namespace is not known (it then counts as carrying no labels). */
  public static LiveTarget of(Set<String> ownedPaths, List<Change> recorded) {
    return new LiveTarget(ownedPaths, recorded, Map.of(), Map.of());
  }
}
