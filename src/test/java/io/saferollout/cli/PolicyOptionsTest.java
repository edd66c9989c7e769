package io.saferollout.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.saferollout.api.Mode;
import io.saferollout.api.SpecDefaults;
import io.saferollout.rules.HardeningPolicy;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** lint and harden read their policy options through the operator's spec parser. */
class PolicyOptionsTest {

  @Test
  void unsetOptionsTakeTheSpecDefaults() {
    HardeningPolicy policy = parse().policy(Mode.FillMissing);
    assertThat(policy.preStopDelaySeconds()).isEqualTo(SpecDefaults.PRE_STOP_DELAY_SECONDS);
    assertThat(policy.drainSeconds()).isEqualTo(SpecDefaults.DRAIN_SECONDS);
    assertThat(policy.minReadySeconds()).isEqualTo(SpecDefaults.MIN_READY_SECONDS);
  }

  @Test
  void everyBadOptionIsNamedByItsOwnName() {
    PolicyOptions options =
        parse(
            "--prestop-seconds",
            "-1",
            "--drain-seconds",
            "301",
            "--min-ready-seconds",
            "-2",
            "--readiness-path",
            "healthz");
    assertThat(
            org.assertj.core.api.Assertions.catchThrowable(() -> options.policy(Mode.FillMissing)))
        .isInstanceOf(BadInputException.class)
        .hasMessageContaining("--prestop-seconds: must be between 0 and 300, got -1")
        .hasMessageContaining("--drain-seconds: must be between 0 and 300, got 301")
        .hasMessageContaining("--min-ready-seconds: must be between 0 and 3600, got -2")
        .hasMessageContaining("--readiness-path: must start with '/', got 'healthz'")
        .hasMessageNotContaining("spec.");
  }

  @Test
  void helpShowsTheSpecDefaults() {
    String usage = new CommandLine(new Holder()).getUsageMessage();
    assertThat(usage)
        .contains("(default: " + SpecDefaults.PRE_STOP_DELAY_SECONDS + ")")
        .contains("(default: " + SpecDefaults.DRAIN_SECONDS + ")");
  }

  static final class Holder {
    @CommandLine.Mixin PolicyOptions options = new PolicyOptions();
  }

  private static PolicyOptions parse(String... args) {
    Holder holder = new Holder();
    new CommandLine(holder).parseArgs(args);
    return holder.options;
  }
}
