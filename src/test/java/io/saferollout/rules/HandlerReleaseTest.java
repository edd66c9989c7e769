package io.saferollout.rules;

import static io.saferollout.rules.Fixtures.naive;
import static io.saferollout.rules.Fixtures.policy;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.LifecycleHandler;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.saferollout.api.Mode;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** When a user's handler lands next to SafeRollout's, SafeRollout's goes in the same write. */
class HandlerReleaseTest {
  static final String PRE_STOP = "spec.template.spec.containers[web].lifecycle.preStop";
  static final String READINESS = "spec.template.spec.containers[web].readinessProbe";

  /**
   * The naive Deployment hardened once, as the operator would have left it, and what it recorded.
   */
  private record Hardened(Deployment deployment, List<Change> recorded) {}

  private static Hardened hardened(ClusterCapabilities caps) {
    HardeningPlan first =
        DeploymentHardener.plan(
            naive(), policy(Mode.FillMissing), caps, LiveTarget.of(Set.of(), List.of()), null);
    return new Hardened(first.hardened(), first.changes());
  }

  private static HardeningPlan replan(Deployment d, List<Change> recorded, Mode mode) {
    // What OwnedFields finds: the fields still holding what was recorded.
    Set<String> owned =
        recorded.stream()
            .filter(
                c ->
                    JsonValues.sameAsServed(
                        c.after(), c.field().get(ManifestJson.tree(d)).orElse(null)))
            .map(Change::path)
            .collect(Collectors.toSet());
    return DeploymentHardener.plan(
        d, policy(mode), ClusterCapabilities.LATEST, LiveTarget.of(owned, recorded), null);
  }

  @ParameterizedTest
  @EnumSource(Mode.class)
  void aUsersExecPreStopNextToOurSleepRemovesOurs(Mode mode) {
    Hardened h = hardened(ClusterCapabilities.LATEST);
    LifecycleHandler hook =
        h.deployment()
            .getSpec()
            .getTemplate()
            .getSpec()
            .getContainers()
            .get(0)
            .getLifecycle()
            .getPreStop();
    hook.setExec(
        new io.fabric8.kubernetes.api.model.ExecActionBuilder().withCommand("/app/drain").build());

    HardeningPlan plan = replan(h.deployment(), h.recorded(), mode);

    LifecycleHandler after =
        plan.hardened()
            .getSpec()
            .getTemplate()
            .getSpec()
            .getContainers()
            .get(0)
            .getLifecycle()
            .getPreStop();
    assertThat(after.getSleep()).isNull();
    assertThat(after.getExec().getCommand()).containsExactly("/app/drain");
    assertThat(plan.changes()).extracting(Change::path).containsExactly(PRE_STOP + ".sleep");
    assertThat(plan.released()).extracting(FieldPath::toString).containsExactly(PRE_STOP);
    assertThat(plan.findings())
        .extracting(Finding::rule)
        .as("the user's hook is then checked like any other")
        .contains(Rule.SR008);
  }

  @Test
  void aUsersExecProbeNextToOurTcpProbeRemovesOursAndKeepsTheirThresholds() {
    Hardened h = hardened(ClusterCapabilities.LATEST);
    var probe =
        h.deployment().getSpec().getTemplate().getSpec().getContainers().get(0).getReadinessProbe();
    probe.setExec(
        new io.fabric8.kubernetes.api.model.ExecActionBuilder().withCommand("/app/ready").build());

    HardeningPlan plan = replan(h.deployment(), h.recorded(), Mode.FillMissing);

    var after =
        plan.hardened()
            .getSpec()
            .getTemplate()
            .getSpec()
            .getContainers()
            .get(0)
            .getReadinessProbe();
    assertThat(after.getTcpSocket()).isNull();
    assertThat(after.getExec().getCommand()).containsExactly("/app/ready");
    assertThat(plan.changes()).extracting(Change::path).containsExactly(READINESS + ".tcpSocket");
    assertThat(replan(plan.hardened(), h.recorded(), Mode.FillMissing).changes())
        .as("once released, the user's probe is left alone")
        .isEmpty();
  }

  @Test
  void withoutAUsersHandlerNothingIsReleased() {
    Hardened h = hardened(ClusterCapabilities.LATEST);
    HardeningPlan plan = replan(h.deployment(), h.recorded(), Mode.FillMissing);
    assertThat(plan.changes()).isEmpty();
    assertThat(plan.released()).isEmpty();
  }

  @Test
  void aManifestFileHasNoRecordAndReleasesNothing() {
    Hardened h = hardened(ClusterCapabilities.LATEST);
    LifecycleHandler hook =
        h.deployment()
            .getSpec()
            .getTemplate()
            .getSpec()
            .getContainers()
            .get(0)
            .getLifecycle()
            .getPreStop();
    hook.setExec(
        new io.fabric8.kubernetes.api.model.ExecActionBuilder().withCommand("/app/drain").build());
    HardeningPlan plan =
        DeploymentHardener.plan(
            h.deployment(), policy(Mode.FillMissing), ClusterCapabilities.LATEST, Set.of(), null);
    assertThat(plan.released()).isEmpty();
  }
}
