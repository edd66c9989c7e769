package io.saferollout.lab.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** The kubelet's restart decisions as pure functions: back-off delays and restart policies. */
class KubeletRestartDecisionsTest {

  private static final CrashLoopBackOff KUBELET = CrashLoopBackOff.KUBELET_DEFAULT;

  @Test
  void backOffIsImmediateThenDoublesFromTenSecondsToAFiveMinuteCap() {
    assertThat(IntStream.rangeClosed(0, 8).mapToObj(KUBELET::delay).map(Duration::toSeconds))
        .containsExactly(0L, 10L, 20L, 40L, 80L, 160L, 300L, 300L, 300L);
    assertThat(KUBELET.delay(10_000))
        .as("no overflow however long the streak")
        .isEqualTo(Duration.ofMinutes(5));
  }

  @Test
  void tenMinutesOfRunningStartsANewStreak() {
    assertThat(KUBELET.resetsAfter(Duration.ofMinutes(10))).isTrue();
    assertThat(KUBELET.resetsAfter(Duration.ofMinutes(10).minusSeconds(1))).isFalse();
    assertThat(KUBELET.streakAfterExit(6, Duration.ofMinutes(11))).isZero();
    assertThat(KUBELET.streakAfterExit(6, Duration.ofMinutes(2))).isEqualTo(6);
    assertThat(KUBELET.delay(KUBELET.streakAfterExit(6, Duration.ofMinutes(11)))).isZero();
  }

  @Test
  void aTunedBackOffFollowsTheSameShape() {
    // KEP-4603 lets a node lower the cap; the doubling is the same.
    CrashLoopBackOff tuned = new CrashLoopBackOff(Duration.ofSeconds(1), Duration.ofSeconds(60));
    assertThat(IntStream.rangeClosed(1, 8).mapToObj(tuned::delay).map(Duration::toSeconds))
        .containsExactly(1L, 2L, 4L, 8L, 16L, 32L, 60L, 60L);
    assertThat(tuned.resetsAfter(Duration.ofMinutes(2))).isTrue();
    assertThatThrownBy(() -> new CrashLoopBackOff(Duration.ofSeconds(10), Duration.ofSeconds(5)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("initial <= max");
  }

  @Test
  void restartPolicyDecidesWhichExitsAreRestarted() {
    assertThat(RestartPolicy.of(null))
        .as("the API server's default")
        .isEqualTo(RestartPolicy.ALWAYS);
    assertThat(RestartPolicy.of("Always").restarts(0, false)).isTrue();
    assertThat(RestartPolicy.of("OnFailure").restarts(0, false)).isFalse();
    assertThat(RestartPolicy.of("OnFailure").restarts(1, false)).isTrue();
    assertThat(RestartPolicy.of("OnFailure").restarts(0, true))
        .as("killed by a failed liveness probe")
        .isTrue();
    assertThat(RestartPolicy.of("Never").restarts(137, true)).isFalse();
    assertThatThrownBy(() -> RestartPolicy.of("Sometimes"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'Sometimes'");
  }
}
