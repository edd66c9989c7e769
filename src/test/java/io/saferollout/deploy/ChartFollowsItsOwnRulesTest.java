package io.saferollout.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.saferollout.cli.SafeRolloutCli;
import io.saferollout.rules.ClusterCapabilities;
import io.saferollout.rules.DeploymentHardener;
import io.saferollout.rules.HardeningPlan;
import io.saferollout.rules.HardeningPolicy;
import io.saferollout.rules.Severity;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The operator's own Deployment passes the rules it enforces on everyone else: on the oldest server
 * the chart supports, nothing is left to harden and nothing above INFO is found. One exemption: the
 * policy asks for no preStop delay (0 s). A delay keeps a pod serving while its endpoint removal
 * reaches a Service's clients; the operator serves no user traffic (probes and the metrics scrape
 * only), so it needs none, and without a hook the chart installs on 1.28.
 */
class ChartFollowsItsOwnRulesTest {
  static final HardeningPolicy NO_USER_TRAFFIC = noPreStopDelay(HardeningPolicy.defaults());

  private static HardeningPolicy noPreStopDelay(HardeningPolicy p) {
    return new HardeningPolicy(
        p.mode(),
        p.readiness(),
        0,
        p.drainSeconds(),
        p.maxSurge(),
        p.minReadySeconds(),
        p.sidecars());
  }

  @Test
  void theRenderedOperatorDeploymentHasNoZeroDowntimeGaps() {
    List<HasMetadata> objects = ChartRenderer.chart().render();
    Deployment operator = ChartRenderer.Rendered.only(objects, Deployment.class);
    List<PodDisruptionBudget> pdbs = ChartRenderer.Rendered.all(objects, PodDisruptionBudget.class);

    HardeningPlan plan =
        DeploymentHardener.plan(
            operator,
            NO_USER_TRAFFIC,
            ClusterCapabilities.parse(ChartRenderer.KUBE_VERSION),
            Set.of(),
            pdbs);

    assertThat(plan.changes()).as("gaps the chart leaves open").isEmpty();
    assertThat(plan.findings()).filteredOn(f -> f.severity() != Severity.INFO).isEmpty();
  }

  @Test
  void lintOfTheRenderedChartIsClean() throws Exception {
    Path rendered = Files.createTempFile("chart", ".yaml");
    try {
      Files.writeString(rendered, ChartRenderer.chart().renderYaml());
      StringWriter out = new StringWriter();
      int exit =
          SafeRolloutCli.execute(
              new PrintWriter(out),
              new PrintWriter(new StringWriter()),
              "lint",
              "--server-version",
              ChartRenderer.KUBE_VERSION,
              "--prestop-seconds",
              "0",
              rendered.toString());
      assertThat(exit).as(out.toString()).isZero();
    } finally {
      Files.deleteIfExists(rendered);
    }
  }
}
