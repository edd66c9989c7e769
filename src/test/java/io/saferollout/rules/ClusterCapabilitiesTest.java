package io.saferollout.rules;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class ClusterCapabilitiesTest {
  @ParameterizedTest
  @CsvSource({
    "1.28, 1, 28",
    "v1.33.1, 1, 33",
    "v1.30.2+k3s1, 1, 30",
    "v1.29.4-eks-036c24b, 1, 29",
    "1.31+, 1, 31",
    "' v1.27.0 ', 1, 27"
  })
  void parsesServerVersions(String text, int major, int minor) {
    assertThat(ClusterCapabilities.parse(text)).isEqualTo(new ClusterCapabilities(major, minor));
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "latest", "1", "v1.x", "1.28.3.4.5", "one.two"})
  void rejectsGarbageWithAClearMessage(String text) {
    assertThatThrownBy(() -> ClusterCapabilities.parse(text))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("Kubernetes version")
        .hasMessageContaining("expected something like 1.30");
  }

  @Test
  void rejectsNull() {
    assertThatThrownBy(() -> ClusterCapabilities.parse(null))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @ParameterizedTest
  @CsvSource({
    "1.28, false, false",
    "1.29, false, true",
    "1.30, true, true",
    "1.33, true, true",
    "1.34, true, true"
  })
  void featuresFollowTheVersionsTheyAreOnByDefault(
      String version, boolean sleepAction, boolean nativeSidecars) {
    ClusterCapabilities caps = ClusterCapabilities.parse(version);
    assertThat(caps.sleepAction()).isEqualTo(sleepAction);
    assertThat(caps.nativeSidecars()).isEqualTo(nativeSidecars);
  }

  @Test
  void latestHasEveryFeature() {
    assertThat(ClusterCapabilities.LATEST).isEqualTo(new ClusterCapabilities(1, 34));
    assertThat(ClusterCapabilities.LATEST.sleepAction()).isTrue();
    assertThat(ClusterCapabilities.LATEST.nativeSidecars()).isTrue();
    assertThat(new ClusterCapabilities(2, 0).nativeSidecars()).isTrue();
  }

  @Test
  void theOldestKubeletDecides() {
    ClusterCapabilities caps =
        ClusterCapabilities.oldestOf(
            "v1.31.2", List.of("v1.31.2", "v1.28.9-eks-036c24b", "v1.30.1+k3s1"));
    assertThat(caps).isEqualTo(new ClusterCapabilities(1, 28));
    assertThat(caps.sleepAction()).as("a 1.28 kubelet cannot run the sleep hook").isFalse();
    assertThat(caps.nativeSidecars()).isFalse();
    assertThat(ClusterCapabilities.oldestOf("v1.30.0", List.of("v1.31.0")))
        .as("nor can an older API server")
        .isEqualTo(new ClusterCapabilities(1, 30));
    assertThat(ClusterCapabilities.oldestOf("1.29", List.of()))
        .as("no Nodes readable: the server decides")
        .isEqualTo(new ClusterCapabilities(1, 29));
  }

  @Test
  void anUnreadableKubeletVersionIsNamed() {
    assertThatThrownBy(
            () -> ClusterCapabilities.oldestOf("1.30", List.of("v1.30.0", "kubelet-dev")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("kubelet-dev");
  }
}
