package io.saferollout.deploy;

import static io.saferollout.deploy.ChartRenderer.Rendered.all;
import static io.saferollout.deploy.ChartRenderer.chart;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * Sharing a namespace: whoever may view or edit it through Kubernetes' built-in roles may view or
 * edit its SafeRollouts, through ClusterRoles aggregated into those roles; status stays the
 * operator's to write.
 */
class ChartUserRolesTest {
  static final String VIEW = "rbac.authorization.k8s.io/aggregate-to-view";
  static final String EDIT = "rbac.authorization.k8s.io/aggregate-to-edit";
  static final String ADMIN = "rbac.authorization.k8s.io/aggregate-to-admin";

  @Test
  void viewersReadSafeRolloutsAndTheirStatus() {
    ClusterRole view = role(chart().render(), "saferollout-view");

    assertThat(view.getMetadata().getLabels())
        .containsEntry(VIEW, "true")
        .containsEntry(EDIT, "true")
        .containsEntry(ADMIN, "true");
    assertThat(grants(view.getRules()))
        .isEqualTo(
            Map.of(
                "saferollouts", Set.of("get", "list", "watch"),
                "saferollouts/status", Set.of("get", "list", "watch")));
  }

  @Test
  void editorsWriteSafeRolloutsButNotTheirStatus() {
    ClusterRole edit = role(chart().render(), "saferollout-edit");

    assertThat(edit.getMetadata().getLabels())
        .containsEntry(EDIT, "true")
        .containsEntry(ADMIN, "true")
        .doesNotContainKey(VIEW);
    assertThat(grants(edit.getRules()))
        .isEqualTo(
            Map.of(
                "saferollouts", Set.of("create", "update", "patch", "delete", "deletecollection")));
  }

  @Test
  void theyAreAggregatedNeverBoundAndRenderedAlsoForNamespacedInstalls() {
    List<HasMetadata> objects = chart().with("watchNamespaces", List.of("team-a")).render();

    assertThat(all(objects, ClusterRole.class))
        .extracting(r -> r.getMetadata().getName())
        .containsExactlyInAnyOrder("saferollout-view", "saferollout-edit");
    assertThat(all(objects, ClusterRoleBinding.class))
        .as("aggregation grants them; the chart binds nobody")
        .isEmpty();
  }

  @Test
  void canBeLeftOut() {
    assertThat(all(chart().with("rbac.userRoles", false).render(), ClusterRole.class))
        .extracting(r -> r.getMetadata().getName())
        .containsExactly("saferollout");
  }

  private static ClusterRole role(List<HasMetadata> objects, String name) {
    return all(objects, ClusterRole.class).stream()
        .filter(r -> r.getMetadata().getName().equals(name))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no ClusterRole " + name));
  }

  private static Map<String, Set<String>> grants(List<PolicyRule> rules) {
    Map<String, Set<String>> grants = new TreeMap<>();
    for (PolicyRule rule : rules) {
      assertThat(rule.getApiGroups()).containsExactly("saferollout.io");
      for (String resource : rule.getResources()) {
        grants.computeIfAbsent(resource, r -> new TreeSet<>()).addAll(rule.getVerbs());
      }
    }
    return grants;
  }
}
