package io.saferollout.rules;

import static io.saferollout.rules.Fixtures.changesFor;
import static io.saferollout.rules.Fixtures.findingsFor;
import static io.saferollout.rules.Fixtures.liveDeployment;
import static io.saferollout.rules.Fixtures.naive;
import static io.saferollout.rules.Fixtures.plan;
import static io.saferollout.rules.Fixtures.policy;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.ManagedFieldsEntry;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.saferollout.api.Mode;
import io.saferollout.api.SafeRolloutSpec;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class FieldOwnershipTest {
  private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();

  /**
   * The live Deployment after its author also applied maxUnavailable: 25% themselves with
   * client-side apply: the Update manager owns it, and the last-applied configuration shows it was
   * sent.
   */
  private static Deployment liveWithUserStrategy() {
    Deployment d = liveDeployment();
    ManagedFieldsEntry kubectl = d.getMetadata().getManagedFields().get(0);
    @SuppressWarnings("unchecked")
    Map<String, Object> spec =
        (Map<String, Object>) kubectl.getFieldsV1().getAdditionalProperties().get("f:spec");
    spec.put("f:strategy", Map.of("f:rollingUpdate", Map.of("f:maxUnavailable", Map.of())));
    d.getMetadata()
        .setAnnotations(
            Map.of(
                FieldOwnership.LAST_APPLIED,
                "{\"spec\":{\"strategy\":{\"rollingUpdate\":{\"maxUnavailable\":\"25%\"}}}}"));
    return d;
  }

  /**
   * The same, but the Update manager's ownership is all there is: a defaulted value it never sent.
   */
  @Test
  void anUpdateManagerOwningTheDefaultValueDidNotChooseIt() {
    Deployment d = liveWithUserStrategy();
    d.getMetadata().setAnnotations(Map.of());
    assertThat(
            FieldOwnership.of(d)
                .isManaged(FieldPath.parse("spec.strategy.rollingUpdate.maxUnavailable")))
        .isTrue();
    assertThat(
            FieldOwnership.of(d)
                .isDefaulted(FieldPath.parse("spec.strategy.rollingUpdate.maxUnavailable")))
        .isTrue();
    assertThat(
            plan(d, policy(Mode.FillMissing))
                .hardened()
                .getSpec()
                .getStrategy()
                .getRollingUpdate()
                .getMaxUnavailable())
        .isEqualTo(new IntOrString(0));
  }

  @Test
  void readsWhoSetWhat() {
    FieldOwnership owners = FieldOwnership.of(liveDeployment());
    assertThat(owners.isRecorded()).isTrue();
    assertThat(owners.isManaged(FieldPath.parse("spec.template.spec.containers[web].image")))
        .isTrue();
    assertThat(owners.isManaged(FieldPath.parse("spec.selector.matchLabels[app]")))
        .as("atomic selector")
        .isTrue();
    assertThat(owners.isManaged(FieldPath.parse("spec.replicas"))).isTrue();
    assertThat(owners.isDefaulted(FieldPath.parse("spec.replicas"))).isFalse();
    assertThat(
            owners.isDefaulted(FieldPath.parse("spec.template.spec.terminationGracePeriodSeconds")))
        .isTrue();
    assertThat(owners.isDefaulted(FieldPath.parse("spec.strategy.rollingUpdate.maxUnavailable")))
        .isTrue();
    assertThat(
            owners.isDefaulted(
                FieldPath.parse("spec.template.spec.containers[web].imagePullPolicy")))
        .isTrue();
    assertThat(owners.isDefaulted(FieldPath.parse("spec.minReadySeconds")))
        .as("absent, not defaulted")
        .isFalse();
  }

  @Test
  void withoutManagedFieldsEveryValueIsTheUsers() {
    FieldOwnership owners = FieldOwnership.of(naive());
    assertThat(owners.isRecorded()).isFalse();
    assertThat(owners.isDefaulted(FieldPath.parse("spec.replicas"))).isFalse();
  }

  @Test
  void aServerDefaultedMaxUnavailableIsFilledInFillMissing() {
    HardeningPlan plan = plan(liveDeployment(), policy(Mode.FillMissing));
    assertThat(plan.hardened().getSpec().getStrategy().getRollingUpdate().getMaxUnavailable())
        .isEqualTo(new IntOrString(0));
    assertThat(changesFor(plan, Rule.SR012))
        .singleElement()
        .satisfies(c -> assertThat(c.oldValue()).isEqualTo("\"25%\""));
    assertThat(findingsFor(plan, Rule.SR012)).isEmpty();
    assertThat(changesFor(plan, Rule.SR009))
        .as("the defaulted 30 s already covers 15 + 10 + 5")
        .isEmpty();
  }

  @Test
  void theSameValueSetByTheUserIsOnlyReported() {
    HardeningPlan plan = plan(liveWithUserStrategy(), policy(Mode.FillMissing));
    assertThat(plan.hardened().getSpec().getStrategy().getRollingUpdate().getMaxUnavailable())
        .isEqualTo(new IntOrString("25%"));
    assertThat(findingsFor(plan, Rule.SR012)).hasSize(1);
  }

  @Test
  void aDefaultedGraceTooShortForThePolicyIsRaised() {
    SafeRolloutSpec spec = new SafeRolloutSpec();
    spec.getPreStop().setDelaySeconds(30);
    HardeningPlan plan = plan(liveDeployment(), HardeningPolicy.from(spec));
    assertThat(plan.hardened().getSpec().getTemplate().getSpec().getTerminationGracePeriodSeconds())
        .isEqualTo(45L);
    assertThat(findingsFor(plan, Rule.SR009)).isEmpty();
  }

  @Test
  void aLiveDeploymentIsHardenedOnceAndThenLeftAlone() {
    for (Mode mode : Mode.values()) {
      HardeningPlan first = plan(liveDeployment(), policy(mode));
      Set<String> owned = Set.copyOf(first.changes().stream().map(Change::path).toList());
      assertThat(
              DeploymentHardener.plan(
                      first.hardened(), policy(mode), ClusterCapabilities.LATEST, Set.of(), null)
                  .changes())
          .isEmpty();
      assertThat(
              DeploymentHardener.plan(
                      first.hardened(), policy(mode), ClusterCapabilities.LATEST, owned, null)
                  .changes())
          .isEmpty();
      assertThat(SERIALIZATION.asJson(first.applyTo(liveDeployment())))
          .isEqualTo(SERIALIZATION.asJson(first.hardened()));
    }
  }
}
