package io.saferollout.lab.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The informer cache is behind when it does not yet show the controller's own writes
 * (endpointslice_tracker.go StaleSlices).
 */
class EndpointSliceTrackerTest {

  private static final String KEY = "demo/web";

  private final EndpointSliceTracker tracker = new EndpointSliceTracker();

  @Test
  void aCacheWithoutTheSliceJustCreatedIsBehindUntilItShowsIt() {
    tracker.recordWrite(KEY, slice("a", 1));

    assertThat(tracker.cacheIsBehind(KEY, List.of())).isTrue();
    assertThat(tracker.cacheIsBehind(KEY, List.of(slice("a", 1)))).isFalse();
  }

  @Test
  void aCacheHoldingAnOlderGenerationThanTheLastUpdateIsBehind() {
    tracker.recordWrite(KEY, slice("a", 2));

    assertThat(tracker.cacheIsBehind(KEY, List.of(slice("a", 1)))).isTrue();
    assertThat(tracker.cacheIsBehind(KEY, List.of(slice("a", 2)))).isFalse();
    assertThat(tracker.cacheIsBehind(KEY, List.of(slice("a", 3))))
        .as("someone else wrote since: not ours to wait for")
        .isFalse();
  }

  @Test
  void aCacheStillHoldingADeletedSliceIsBehindAndTheDeletionIsForgottenOnceSeen() {
    tracker.recordWrite(KEY, slice("a", 1));
    tracker.recordDeletion(KEY, slice("a", 1));

    assertThat(tracker.cacheIsBehind(KEY, List.of(slice("a", 1)))).isTrue();
    assertThat(tracker.cacheIsBehind(KEY, List.of())).isFalse();
    // Forgotten: the same object showing up again (a re-list racing an old event) is not awaited.
    assertThat(tracker.cacheIsBehind(KEY, List.of(slice("a", 1)))).isFalse();
  }

  @Test
  void servicesAreTrackedApartAndAnUnknownServiceIsNeverBehind() {
    tracker.recordWrite(KEY, slice("a", 1));

    assertThat(tracker.cacheIsBehind("demo/other", List.of())).isFalse();
    assertThat(tracker.cacheIsBehind(KEY, List.of(slice("b", 1)))).isTrue();
  }

  private static EndpointSlice slice(String uid, long generation) {
    return new EndpointSliceBuilder()
        .withNewMetadata()
        .withName("web-" + uid)
        .withNamespace("demo")
        .withUid(uid)
        .withGeneration(generation)
        .endMetadata()
        .withAddressType("IPv4")
        .build();
  }
}
