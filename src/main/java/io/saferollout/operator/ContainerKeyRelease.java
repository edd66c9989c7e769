package io.saferollout.operator;

import io.fabric8.kubernetes.api.model.FieldsV1;
import io.fabric8.kubernetes.api.model.ManagedFieldsEntry;
import io.fabric8.kubernetes.api.model.ManagedFieldsEntryBuilder;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * SafeRollout's managedFields entry without the containers' keys. An apply body must name each
 * container it touches, which makes the applier an owner of that container's entry ({@code .}) and
 * {@code name}. While any manager owns those, the API server keeps the entry when the tool that
 * wrote the container stops sending it: a GitOps tool's server-side rename of {@code app} to {@code
 * web} then leaves {@code app} without its image and the sync is refused (422, image required),
 * every time. Owning only the fields set inside the container (probe, hook) does not keep it: the
 * rename removes the old entry whole, and the operator hardens the new one ({@code
 * OwnershipOnRealServerTest} shows both on a real API server).
 */
final class ContainerKeyRelease {
  private static final List<String> CONTAINER_LISTS = List.of("f:containers", "f:initContainers");

  private ContainerKeyRelease() {}

  /** The entries with our containers' keys left out, or empty when we own no container key. */
  static Optional<List<ManagedFieldsEntry>> releasing(List<ManagedFieldsEntry> entries) {
    if (entries == null) {
      return Optional.empty();
    }
    boolean changed = false;
    List<ManagedFieldsEntry> result = new ArrayList<>();
    for (ManagedFieldsEntry entry : entries) {
      if (OperatorSettings.FIELD_MANAGER.equals(entry.getManager())
          && "Apply".equals(entry.getOperation())
          && entry.getFieldsV1() != null) {
        Map<String, Object> fields = deepCopy(entry.getFieldsV1().getAdditionalProperties());
        if (withoutContainerKeys(fields)) {
          changed = true;
          result.add(new ManagedFieldsEntryBuilder(entry).withFieldsV1(fieldsV1(fields)).build());
          continue;
        }
      }
      result.add(entry);
    }
    return changed ? Optional.of(result) : Optional.empty();
  }

  private static boolean withoutContainerKeys(Map<String, Object> fields) {
    Map<String, Object> podSpec = child(child(child(fields, "f:spec"), "f:template"), "f:spec");
    boolean changed = false;
    for (String list : CONTAINER_LISTS) {
      Map<String, Object> containers = child(podSpec, list);
      for (Object item : containers.values()) {
        if (item instanceof Map<?, ?> container) {
          changed |= container.remove(".") != null;
          changed |= container.remove("f:name") != null;
        }
      }
    }
    if (changed) {
      for (String list : CONTAINER_LISTS) {
        pruneEmptied(fields, List.of("f:spec", "f:template", "f:spec", list));
      }
    }
    return changed;
  }

  /**
   * An empty set in FieldsV1 marks a field owned whole, so a container (or list, or spec) we now
   * own nothing in must go rather than stay as {@code {}}.
   */
  private static void pruneEmptied(Map<String, Object> parent, List<String> path) {
    Object value = parent.get(path.get(0));
    if (!(value instanceof Map<?, ?>)) {
      return;
    }
    Map<String, Object> node = child(parent, path.get(0));
    if (path.size() > 1) {
      pruneEmptied(node, path.subList(1, path.size()));
    } else {
      node.values().removeIf(item -> item instanceof Map<?, ?> m && m.isEmpty());
    }
    if (node.isEmpty()) {
      parent.remove(path.get(0));
    }
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> child(Map<String, Object> parent, String key) {
    Object value = parent.get(key);
    return value instanceof Map<?, ?> map ? (Map<String, Object>) map : new LinkedHashMap<>();
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> deepCopy(Map<String, Object> source) {
    Map<String, Object> copy = new LinkedHashMap<>();
    source.forEach(
        (k, v) -> copy.put(k, v instanceof Map<?, ?> m ? deepCopy((Map<String, Object>) m) : v));
    return copy;
  }

  private static FieldsV1 fieldsV1(Map<String, Object> fields) {
    FieldsV1 v1 = new FieldsV1();
    fields.forEach(v1::setAdditionalProperty);
    return v1;
  }
}
