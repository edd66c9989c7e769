package io.saferollout.rules;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.IntOrString;
import io.saferollout.api.Mode;
import io.saferollout.api.SafeRolloutSpec;
import io.saferollout.api.SidecarMode;
import io.saferollout.api.StrategySpec;
import org.junit.jupiter.api.Test;

class HardeningPolicyTest {
  @Test
  void defaultsAreTheDocumentedOnes() {
    HardeningPolicy p = HardeningPolicy.defaults();
    assertThat(p.mode()).isEqualTo(Mode.FillMissing);
    assertThat(p.preStopDelaySeconds()).isEqualTo(15);
    assertThat(p.drainSeconds()).isEqualTo(10);
    assertThat(p.maxSurge()).isEqualTo(new IntOrString("25%"));
    assertThat(p.minReadySeconds()).isEqualTo(5);
    assertThat(p.sidecars()).isEqualTo(SidecarMode.Auto);
    assertThat(p.readiness().getPath()).isNull();
    assertThat(p.readiness().getPeriodSeconds()).isEqualTo(5);
  }

  @Test
  void aSpecFullOfNullsGivesTheDefaults() {
    SafeRolloutSpec spec = new SafeRolloutSpec();
    spec.setMode(null);
    spec.setReadinessProbe(null);
    spec.getPreStop().setDelaySeconds(null);
    spec.setDrainSeconds(null);
    spec.setStrategy(null);
    spec.setSidecars(null);
    HardeningPolicy p = HardeningPolicy.from(spec);
    assertThat(p.mode()).isEqualTo(Mode.FillMissing);
    assertThat(p.requiredGracePeriodSeconds()).isEqualTo(30);
    assertThat(p.maxSurge()).isEqualTo(new IntOrString("25%"));
    assertThat(p.minReadySeconds()).isEqualTo(5);
    assertThat(p.readiness().getScheme()).isEqualTo("HTTP");
    assertThat(HardeningPolicy.from(null).requiredGracePeriodSeconds()).isEqualTo(30);
  }

  @Test
  void readsEveryKnobOfTheSpec() {
    SafeRolloutSpec spec = new SafeRolloutSpec();
    spec.setMode(Mode.Enforce);
    spec.getPreStop().setDelaySeconds(20);
    spec.setDrainSeconds(40);
    spec.getReadinessProbe().setPath("/ready");
    spec.getReadinessProbe().setPeriodSeconds(null);
    StrategySpec strategy = new StrategySpec();
    strategy.setMaxSurge(new IntOrString(2));
    strategy.setMinReadySeconds(null);
    spec.setStrategy(strategy);
    spec.setSidecars(SidecarMode.Istio);

    HardeningPolicy p = HardeningPolicy.from(spec);
    assertThat(p.mode()).isEqualTo(Mode.Enforce);
    assertThat(p.requiredGracePeriodSeconds())
        .isEqualTo(20 + 40 + HardeningPolicy.GRACE_MARGIN_SECONDS);
    assertThat(p.readiness().getPath()).isEqualTo("/ready");
    assertThat(p.readiness().getPeriodSeconds()).isEqualTo(5);
    assertThat(p.maxSurge()).isEqualTo(new IntOrString(2));
    assertThat(p.minReadySeconds()).isEqualTo(5);
    assertThat(p.sidecars()).isEqualTo(SidecarMode.Istio);
  }

  @Test
  void rejectsAZeroOrMalformedMaxSurgeNamingTheField() {
    for (IntOrString bad :
        new IntOrString[] {
          new IntOrString(0),
          new IntOrString("0%"),
          new IntOrString("lots"),
          new IntOrString("150%")
        }) {
      StrategySpec strategy = new StrategySpec();
      strategy.setMaxSurge(bad);
      SafeRolloutSpec spec = new SafeRolloutSpec();
      spec.setStrategy(strategy);
      assertThatThrownBy(() -> HardeningPolicy.from(spec))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("maxSurge");
    }
  }

  @Test
  void rejectsNegativeDurationsAndBadProbeSettings() {
    SafeRolloutSpec spec = new SafeRolloutSpec();
    spec.getPreStop().setDelaySeconds(-1);
    assertThatThrownBy(() -> HardeningPolicy.from(spec))
        .hasMessageContaining("preStopDelaySeconds must not be negative");

    SafeRolloutSpec path = new SafeRolloutSpec();
    path.getReadinessProbe().setPath("healthz");
    assertThatThrownBy(() -> HardeningPolicy.from(path)).hasMessageContaining("must start with /");

    SafeRolloutSpec scheme = new SafeRolloutSpec();
    scheme.getReadinessProbe().setScheme("TCP");
    assertThatThrownBy(() -> HardeningPolicy.from(scheme)).hasMessageContaining("HTTP or HTTPS");
  }
}
