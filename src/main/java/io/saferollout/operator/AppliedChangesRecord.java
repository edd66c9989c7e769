package io.saferollout.operator;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import com.fasterxml.jackson.databind.JsonNode;
import io.saferollout.rules.Change;
import io.saferollout.rules.FieldPath;
import io.saferollout.rules.JsonValues;
import io.saferollout.rules.Rule;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What SafeRollout changed on a Deployment, kept on the Deployment itself (an annotation), so the
 * record survives operator restarts and status loss, travels with backups, and lets a later
 * revert undo exactly our changes: the value before us and the value we set, per field path.
 */
final class AppliedChangesRecord {
  static final String ANNOTATION = "saferollout.io/applied-changes";
  static final String HARDENED_BY = "saferollout.io/hardened-by";

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(AppliedChangesRecord.class);

  private record Entry(String rule, String path, String oldValue, String newValue) {}

  private AppliedChangesRecord() {}

  static List<Change> read(Deployment d) {
    String raw = annotation(d, ANNOTATION).orElse(null);
    if (raw == null || raw.isBlank()) {
      return List.of();
    }
    try {
      List<Entry> entries = JSON.readValue(raw, new TypeReference<List<Entry>>() {});
      List<Change> changes = new ArrayList<>();
      for (Entry e : entries) {
        Optional<Rule> rule = Rule.byId(e.rule());
        if (rule.isEmpty() || e.path() == null) {
          LOG.warn("ignoring an entry of {} on Deployment {}/{}: unknown rule '{}' or no path", ANNOTATION,
              d.getMetadata().getNamespace(), d.getMetadata().getName(), e.rule());
          continue;
        }
        try {
          changes.add(Change.fromText(rule.get(), e.path(), e.oldValue(), e.newValue(), "recorded"));
        } catch (IllegalArgumentException bad) {
          // A hand-edited entry only costs ownership of that field: it counts as the user's.
          LOG.warn("ignoring an entry of {} on Deployment {}/{}: {}", ANNOTATION,
              d.getMetadata().getNamespace(), d.getMetadata().getName(), bad.getMessage());
        }
      }
      return changes;
    } catch (JsonProcessingException e) {
      // A hand-edited or truncated record must not stop hardening; it only costs exact revert
      // (our earlier values then count as the user's and are kept).
      LOG.warn("ignoring annotation {} on Deployment {}/{}: not valid JSON ({})", ANNOTATION,
          d.getMetadata().getNamespace(), d.getMetadata().getName(), e.getOriginalMessage());
      return List.of();
    }
  }

  static String write(List<Change> changes) {
    try {
      return JSON.writeValueAsString(changes.stream()
          .map(c -> new Entry(c.rule().id(), c.path(), c.oldValue(), c.newValue()))
          .toList());
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * Folds newly applied changes into the record: a field changed again keeps its first old value
   * (the user's), and a field set back to that value drops out of the record. A removal inside a
   * recorded field (SafeRollout's handler taken out because the user set their own next to it) ends
   * the record of that field: it is the user's now, and a revert must not bring our handler back.
   */
  static List<Change> merge(List<Change> recorded, List<Change> applied) {
    Map<FieldPath, Change> byPath = new LinkedHashMap<>();
    recorded.forEach(c -> byPath.put(c.field(), c));
    for (Change c : applied) {
      boolean releases = c.removes() && byPath.keySet().stream().anyMatch(p -> !p.equals(c.field()) && c.field().isWithin(p));
      if (releases) {
        byPath.keySet().removeIf(p -> c.field().isWithin(p));
        continue;
      }
      Change earlier = byPath.get(c.field());
      JsonNode original = earlier != null ? earlier.before() : c.before();
      if (JsonValues.same(original, c.after())) {
        byPath.remove(c.field());
      } else {
        byPath.put(c.field(), new Change(c.rule(), c.field(), original, c.after(), c.reason()));
      }
    }
    return List.copyOf(byPath.values());
  }

  static Optional<String> annotation(Deployment d, String key) {
    var a = d.getMetadata().getAnnotations();
    return a == null ? Optional.empty() : Optional.ofNullable(a.get(key));
  }
}
