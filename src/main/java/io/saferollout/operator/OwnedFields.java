package io.saferollout.operator;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.saferollout.rules.Change;
import io.saferollout.rules.FieldOwnership;
import io.saferollout.rules.JsonValues;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Which fields of a Deployment are still SafeRollout's: those we recorded setting that still hold
 * the value we set, compared as the API server serves it back (numbers by value, zero values
 * dropped, server defaults filled in; see {@link JsonValues#sameAsServed}). A field someone changed
 * since is the user's again, and FillMissing keeps it. Where the server records managedFields, a
 * field our field manager no longer owns is not ours either, whatever value it holds: another
 * manager took it (a GitOps tool applying the same value, say), and we must not fight it.
 */
final class OwnedFields {
  private OwnedFields() {}

  static Set<String> stillOurs(Deployment d, List<Change> recorded) {
    JsonNode tree = Serialization.jsonMapper().valueToTree(d);
    FieldOwnership owners = FieldOwnership.of(d);
    return recorded.stream()
        .filter(c -> JsonValues.sameAsServed(c.after(), c.field().get(tree).orElse(null)))
        .filter(
            c ->
                !owners.isRecorded() || owners.isOwnedBy(OperatorSettings.FIELD_MANAGER, c.field()))
        .map(Change::path)
        .collect(Collectors.toUnmodifiableSet());
  }
}
