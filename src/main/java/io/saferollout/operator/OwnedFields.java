package io.saferollout.operator;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.saferollout.rules.Change;
import io.saferollout.rules.FieldPath;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Which fields of a Deployment are still SafeRollout's: those we recorded setting that still hold
 * the value we set. A field someone changed since is the user's again, and FillMissing keeps it.
 * (On a real cluster managedFields says the same; this also works where the server keeps none.)
 */
final class OwnedFields {
  private OwnedFields() {}

  static Set<String> stillOurs(Deployment d, List<Change> recorded) {
    JsonNode tree = Serialization.jsonMapper().valueToTree(d);
    return recorded.stream()
        .filter(c -> holdsWhatWeSet(tree, c))
        .map(Change::path)
        .collect(Collectors.toUnmodifiableSet());
  }

  private static boolean holdsWhatWeSet(JsonNode tree, Change c) {
    try {
      return Objects.equals(FieldPath.parse(c.path()).get(tree).orElse(null), c.newValueTree());
    } catch (IllegalArgumentException e) {
      // A hand-edited record entry (bad path or value) only costs ownership: the field counts as
      // the user's and is kept.
      return false;
    }
  }
}
