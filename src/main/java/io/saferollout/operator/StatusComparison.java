package io.saferollout.operator;

import io.fabric8.kubernetes.client.utils.Serialization;
import io.saferollout.api.SafeRolloutStatus;

/** Status equality by content (the model classes carry no equals of their own). */
final class StatusComparison {
  private StatusComparison() {}

  static boolean same(SafeRolloutStatus a, SafeRolloutStatus b) {
    return Serialization.jsonMapper()
        .valueToTree(a)
        .equals(Serialization.jsonMapper().valueToTree(b));
  }
}
