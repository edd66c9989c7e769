package io.saferollout.lab.cluster.apiserver;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.saferollout.lab.cluster.apiserver.ManagedFields.Manager;
import io.saferollout.lab.cluster.apiserver.ManagedFields.Operation;
import io.saferollout.lab.cluster.apiserver.StructuredMerge.Comparison;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Server-side apply and update bookkeeping, after structured-merge-diff's {@code merge.Updater}
 * (Apply, Update, update, prune): who owns which field after a write, which write conflicts with
 * whom, and which fields an applier released. Pure: objects in, object and owners out.
 */
final class FieldManager {

  static final String API_VERSION = "apps/v1";

  private FieldManager() {}

  /** A field another manager owns that this write would change. */
  record Conflict(Manager owner, String apiVersion, String time, List<String> path) {
    String ownerDisplay() {
      return owner.display(apiVersion, time);
    }
  }

  /**
   * Apply refused: the fields other managers own that the configuration would change (HTTP 409).
   */
  static final class ConflictException extends RuntimeException {
    private final List<Conflict> conflicts;

    ConflictException(List<Conflict> conflicts) {
      super(message(conflicts));
      this.conflicts = List.copyOf(conflicts);
    }

    List<Conflict> conflicts() {
      return conflicts;
    }

    /** k8s.io/apimachinery/pkg/util/managedfields/internal/conflict.go getConflictMessage. */
    private static String message(List<Conflict> conflicts) {
      if (conflicts.size() == 1) {
        Conflict c = conflicts.get(0);
        return "Apply failed with 1 conflict: conflict with "
            + c.ownerDisplay()
            + ": "
            + FieldSet.display(c.path());
      }
      StringBuilder sb =
          new StringBuilder("Apply failed with " + conflicts.size() + " conflicts: ");
      List<String> lines = new ArrayList<>();
      conflicts.stream()
          .map(Conflict::owner)
          .distinct()
          .sorted((a, b) -> a.name().compareTo(b.name()))
          .forEach(
              owner -> {
                Conflict any =
                    conflicts.stream()
                        .filter(c -> c.owner().equals(owner))
                        .findFirst()
                        .orElseThrow();
                lines.add("conflicts with " + any.ownerDisplay() + ":");
                conflicts.stream()
                    .filter(c -> c.owner().equals(owner))
                    .forEach(c -> lines.add("- " + FieldSet.display(c.path())));
              });
      return sb.append(String.join("\n", lines)).toString();
    }
  }

  /**
   * Updater.Apply: merges the configuration into the live object (empty when creating), makes the
   * applier the owner of exactly the configuration's fields, removes the fields it applied last
   * time and no longer sends unless someone else owns them, and refuses with a conflict when it
   * would change a field another manager owns, unless forced, which takes the field from them.
   */
  static ObjectNode apply(JsonNode live, JsonNode config, String manager, boolean force) {
    JsonNode base = live == null ? JsonNodeFactory.instance.objectNode() : live;
    ManagedFields managers = ManagedFields.of(base);
    Manager applier = new Manager(manager, Operation.Apply);
    FieldSet lastSet = managers.fieldsOf(applier);
    FieldSet newSet = StructuredMerge.fieldsOf(config);

    ObjectNode merged = StructuredMerge.merge(base, config);
    FieldSet ownedByAnyone = newSet;
    for (Map.Entry<Manager, ManagedFields.Entry> e : managers.entries().entrySet()) {
      if (!e.getKey().equals(applier)) {
        ownedByAnyone = ownedByAnyone.union(e.getValue().fields());
      }
    }
    StructuredMerge.remove(
        merged, StructuredMerge.releasable(lastSet.minus(newSet), ownedByAnyone));

    Comparison changes = StructuredMerge.compare(base, merged);
    settleOthers(managers, applier, changes, force);
    managers.put(applier, newSet, API_VERSION, !changes.isSame());
    managers.writeTo(merged, live);
    return merged;
  }

  /**
   * Updater.Update: a write of the whole object (create, PUT, JSON/merge/strategic patch). The
   * writer takes every field it added or changed, from whoever owned it; removed fields leave every
   * owner.
   */
  static ObjectNode update(JsonNode live, ObjectNode updated, String manager) {
    JsonNode base = live == null ? JsonNodeFactory.instance.objectNode() : live;
    ManagedFields managers = ManagedFields.of(base);
    Manager writer = new Manager(manager, Operation.Update);
    Comparison changes = StructuredMerge.compare(base, updated);
    settleOthers(managers, writer, changes, true);
    FieldSet mine =
        managers
            .fieldsOf(writer)
            .union(changes.added())
            .union(changes.modified())
            .minus(changes.removed());
    managers.put(writer, mine, API_VERSION, !changes.isSame());
    ObjectNode out = updated.deepCopy();
    managers.writeTo(out, live);
    return out;
  }

  private static void settleOthers(
      ManagedFields managers, Manager writer, Comparison changes, boolean force) {
    FieldSet taken = changes.added().union(changes.modified());
    List<Conflict> conflicts = new ArrayList<>();
    managers
        .entries()
        .forEach(
            (m, e) -> {
              if (!m.equals(writer)) {
                e.fields().intersect(taken).paths().stream()
                    .sorted((a, b) -> FieldSet.display(a).compareTo(FieldSet.display(b)))
                    .forEach(p -> conflicts.add(new Conflict(m, e.apiVersion(), e.time(), p)));
              }
            });
    if (!force && !conflicts.isEmpty()) {
      throw new ConflictException(conflicts);
    }
    for (Manager m : List.copyOf(managers.entries().keySet())) {
      if (!m.equals(writer)) {
        ManagedFields.Entry e = managers.entries().get(m);
        managers.put(m, e.fields().minus(taken).minus(changes.removed()), e.apiVersion(), false);
      }
    }
  }
}
