package io.saferollout.rules;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.Container;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Never fight an owner: where SafeRollout set a probe or preStop handler and another manager later
 * set a different handler type in the same field, SafeRollout's handler goes, in the same write.
 *
 * <p>A probe or lifecycle handler must have exactly one handler type (API validation: "may not
 * specify more than 1 handler type"). Server-side apply merges each manager's fields, so our {@code
 * httpGet} next to a user's {@code exec} is an object every later write is rejected for (422). The
 * plan removes our handler and releases the field: with server-side apply the operator leaves it
 * out of its apply body; with the JSON-patch fallback the removal is in the patch.
 */
final class HandlerRelease {
  private static final Set<String> PROBE_HANDLERS = Set.of("exec", "httpGet", "tcpSocket", "grpc");
  private static final Set<String> LIFECYCLE_HANDLERS =
      Set.of("exec", "httpGet", "tcpSocket", "sleep");

  private HandlerRelease() {}

  static void apply(HardeningDraft draft) {
    List<Change> recorded = draft.live().map(LiveTarget::recorded).orElse(List.of());
    if (recorded.isEmpty()) {
      return;
    }
    for (Container c : draft.current().getSpec().getTemplate().getSpec().getContainers()) {
      release(
          draft,
          recorded,
          Rule.SR001,
          DeploymentPaths.readinessProbe(c.getName()),
          PROBE_HANDLERS,
          "readiness probe of container '" + c.getName() + "'");
      release(
          draft,
          recorded,
          Rule.SR005,
          DeploymentPaths.preStop(c.getName()),
          LIFECYCLE_HANDLERS,
          "preStop hook of container '" + c.getName() + "'");
    }
  }

  private static void release(
      HardeningDraft draft,
      List<Change> recorded,
      Rule rule,
      FieldPath path,
      Set<String> handlerTypes,
      String what) {
    Optional<String> ours = lastSet(recorded, path).flatMap(v -> onlyHandler(v, handlerTypes));
    Optional<JsonNode> now = draft.get(path);
    if (ours.isEmpty() || now.isEmpty() || !now.get().has(ours.get())) {
      return;
    }
    List<String> others =
        handlerTypes.stream()
            .filter(h -> !h.equals(ours.get()) && now.get().has(h))
            .sorted()
            .toList();
    if (others.isEmpty()) {
      return;
    }
    draft.change(
        rule,
        path.field(ours.get()),
        null,
        "the "
            + what
            + " now has the user's "
            + String.join(", ", others)
            + " handler; SafeRollout removes its own "
            + ours.get()
            + " handler and leaves the field to its owner");
    draft.release(path);
  }

  private static Optional<JsonNode> lastSet(List<Change> recorded, FieldPath path) {
    Optional<JsonNode> value = Optional.empty();
    for (Change c : recorded) {
      if (c.field().equals(path)) {
        value = Optional.ofNullable(c.after());
      }
    }
    return value;
  }

  private static Optional<String> onlyHandler(JsonNode value, Set<String> handlerTypes) {
    List<String> present = handlerTypes.stream().filter(value::has).toList();
    return present.size() == 1 ? Optional.of(present.get(0)) : Optional.empty();
  }
}
