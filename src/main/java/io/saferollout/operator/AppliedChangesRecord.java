package io.saferollout.operator;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.saferollout.api.AppliedChange;
import io.saferollout.rules.Change;
import io.saferollout.rules.FieldOwnership;
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
 * record survives operator restarts and status loss, travels with backups, and lets a later revert
 * undo exactly our changes: the value before us and the value we set, per field path.
 */
final class AppliedChangesRecord {
  static final String ANNOTATION = "saferollout.io/applied-changes";
  static final String HARDENED_BY = "saferollout.io/hardened-by";

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final org.slf4j.Logger LOG =
      org.slf4j.LoggerFactory.getLogger(AppliedChangesRecord.class);

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
          LOG.warn(
              "ignoring an entry of {} on Deployment {}/{}: unknown rule '{}' or no path",
              ANNOTATION,
              d.getMetadata().getNamespace(),
              d.getMetadata().getName(),
              e.rule());
          continue;
        }
        try {
          changes.add(
              Change.fromText(rule.get(), e.path(), e.oldValue(), e.newValue(), "recorded"));
        } catch (IllegalArgumentException bad) {
          // A hand-edited entry only costs ownership of that field: it counts as the user's.
          LOG.warn(
              "ignoring an entry of {} on Deployment {}/{}: {}",
              ANNOTATION,
              d.getMetadata().getNamespace(),
              d.getMetadata().getName(),
              bad.getMessage());
        }
      }
      return changes;
    } catch (JsonProcessingException e) {
      // A hand-edited or truncated record must not stop hardening; it only costs exact revert
      // (our earlier values then count as the user's and are kept).
      LOG.warn(
          "ignoring annotation {} on Deployment {}/{}: not valid JSON ({})",
          ANNOTATION,
          d.getMetadata().getNamespace(),
          d.getMetadata().getName(),
          e.getOriginalMessage());
      return List.of();
    }
  }

  /**
   * The recorded changes SafeRollout can prove it made, for Revert: anyone who may edit the
   * Deployment may edit this annotation, and an entry written by hand must not make the operator
   * write a value in its own name. An entry counts when the SafeRollout's status (a subresource
   * only the operator writes) lists the same change for this Deployment, or, for an entry that only
   * removes what SafeRollout added, when managedFields show the {@code saferollout} manager still
   * owns the field. Where the server keeps managedFields, an entry for a field SafeRollout no
   * longer owns is never reverted. Entries left out are logged, and their fields stay as they are.
   */
  static List<Change> provable(Deployment d, List<AppliedChange> vouched) {
    FieldOwnership owners = FieldOwnership.of(d);
    String name = d.getMetadata().getName();
    List<Change> proven = new ArrayList<>();
    for (Change c : read(d)) {
      boolean owned =
          owners.isRecorded() && owners.isOwnedBy(OperatorSettings.FIELD_MANAGER, c.field());
      boolean inStatus =
          vouched != null
              && vouched.stream().anyMatch(v -> name.equals(v.getDeployment()) && sameEntry(v, c));
      boolean provenByOwnership = owned && c.before() == null;
      if ((inStatus && (owned || !owners.isRecorded())) || provenByOwnership) {
        proven.add(c);
      } else {
        LOG.warn(
            "not reverting {} on Deployment {}/{}: the record entry cannot be verified ({}), so the field is "
                + "left as it is",
            c.path(),
            d.getMetadata().getNamespace(),
            name,
            owners.isRecorded() && !owned
                ? "the saferollout field manager does not own it"
                : "the SafeRollout's status does not list it");
      }
    }
    return proven;
  }

  private static boolean sameEntry(AppliedChange vouched, Change c) {
    try {
      return Change.fromText(
              c.rule(), vouched.getPath(), vouched.getOldValue(), vouched.getNewValue(), "")
          .sameAs(c);
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  static String write(List<Change> changes) {
    try {
      return JSON.writeValueAsString(
          changes.stream()
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
      boolean releases =
          c.removes()
              && byPath.keySet().stream()
                  .anyMatch(p -> !p.equals(c.field()) && c.field().isWithin(p));
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
