package io.saferollout.operator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.saferollout.rules.Change;
import io.saferollout.rules.FieldPath;
import io.saferollout.rules.JsonValues;
import java.util.Collection;
import java.util.List;

/**
 * The server-side apply body for a Deployment: only the fields SafeRollout owns, at their desired
 * values. Apply semantics make this the whole of our intent: a field we stop sending is released
 * (and removed if nobody else owns it), so the body always carries every owned path, not just the
 * ones that changed now.
 *
 * <p>A recorded path whose desired value is no longer what we recorded setting is left out: the
 * user's value is there now, and applying it (with force) would take the field from its owner.
 * Leaving it out is also how a field another manager took over is released.
 */
final class ApplyConfiguration {
  private ApplyConfiguration() {}

  static ObjectNode of(Deployment desired, Collection<String> ownedPaths) {
    JsonNode source = Serialization.jsonMapper().valueToTree(desired);
    List<Change> recorded = AppliedChangesRecord.read(desired);
    ObjectNode config = Serialization.jsonMapper().createObjectNode();
    config.put("apiVersion", "apps/v1");
    config.put("kind", "Deployment");
    ObjectNode meta = config.putObject("metadata");
    meta.put("name", desired.getMetadata().getName());
    meta.put("namespace", desired.getMetadata().getNamespace());
    for (String key :
        new String[] {AppliedChangesRecord.HARDENED_BY, AppliedChangesRecord.ANNOTATION}) {
      FieldPath p = FieldPath.parse("metadata.annotations").select(key);
      p.get(source).ifPresent(v -> p.set(config, v));
    }
    for (String path : ownedPaths) {
      FieldPath p = FieldPath.parse(path);
      p.get(source).filter(v -> stillWhatWeSet(recorded, p, v)).ifPresent(v -> p.set(config, v));
    }
    return config;
  }

  /** True when the record has no say on the path, or its last recorded value is the one desired. */
  private static boolean stillWhatWeSet(List<Change> recorded, FieldPath path, JsonNode desired) {
    Change last = null;
    for (Change c : recorded) {
      if (c.field().equals(path)) {
        last = c;
      }
    }
    return last == null || JsonValues.sameAsServed(last.after(), desired);
  }
}
