package io.saferollout.deploy;

import static io.saferollout.deploy.ChartRenderer.NAMESPACE;
import static io.saferollout.deploy.ChartRenderer.Rendered.all;
import static io.saferollout.deploy.ChartRenderer.Rendered.only;
import static io.saferollout.deploy.ChartRenderer.chart;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.api.model.rbac.RoleRef;
import io.fabric8.kubernetes.api.model.rbac.Subject;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** Least privilege: the chart grants exactly the API calls the operator makes, nothing more. */
class ChartRbacTest {
  /** Every call the operator makes in a namespace it watches: "group/resource" to verbs. */
  static final Map<String, Set<String>> WATCHED_NAMESPACE_ACCESS =
      Map.ofEntries(
          Map.entry(
              "saferollout.io/saferollouts", Set.of("get", "list", "watch", "patch", "update")),
          Map.entry("saferollout.io/saferollouts/status", Set.of("get", "patch", "update")),
          Map.entry("saferollout.io/saferollouts/finalizers", Set.of("update")),
          Map.entry("apps/deployments", Set.of("get", "list", "watch", "patch")),
          Map.entry("policy/poddisruptionbudgets", Set.of("get", "list", "watch")),
          Map.entry("/pods", Set.of("list", "watch")),
          Map.entry("discovery.k8s.io/endpointslices", Set.of("list", "watch")),
          // The namespace's own labels (mesh injection); a Role grants it for the namespace it is
          // in.
          Map.entry("/namespaces", Set.of("get")),
          Map.entry("/events", Set.of("create")));

  /**
   * Leader election: create any lease, read and renew only the operator's own. fabric8's
   * LeaderElector gets, creates and patches (renewal and takeover are JSON merge patches); update
   * is only there because JOSDK checks for it at startup (LeaseRoleTest runs both against the
   * Role).
   */
  static final Map<String, Set<String>> LEASE_ACCESS =
      Map.of(
          "coordination.k8s.io/leases", Set.of("create"),
          "coordination.k8s.io/leases[saferollout-operator]", Set.of("get", "update", "patch"));

  @Test
  void byDefaultAClusterRoleGrantsExactlyTheOperatorsCallsInAllNamespaces() {
    List<HasMetadata> objects = chart().render();

    ClusterRole clusterRole = operatorsClusterRole(objects);
    Map<String, Set<String>> clusterWide = new TreeMap<>(WATCHED_NAMESPACE_ACCESS);
    clusterWide.put(
        "/nodes", Set.of("list")); // kubelet versions, for the hook form and native sidecars
    assertThat(grants(clusterRole.getRules())).isEqualTo(clusterWide);

    ClusterRoleBinding binding = only(objects, ClusterRoleBinding.class);
    assertThat(binding.getRoleRef())
        .isEqualTo(
            new RoleRef(
                "rbac.authorization.k8s.io", "ClusterRole", clusterRole.getMetadata().getName()));
    assertBindsTheOperatorsServiceAccount(binding.getSubjects());
    assertThat(all(objects, Role.class))
        .extracting(r -> r.getMetadata().getName())
        .as("only the leader-election Role besides the ClusterRole")
        .containsExactly("saferollout-leader-election");
  }

  @Test
  void watchNamespacesGetOneRoleEachAndNoClusterRole() {
    List<HasMetadata> objects =
        chart().with("watchNamespaces", List.of("team-a", "team-b")).render();

    assertThat(all(objects, ClusterRole.class)).filteredOn(r -> !isUserRole(r)).isEmpty();
    assertThat(all(objects, ClusterRoleBinding.class)).isEmpty();
    for (String namespace : List.of("team-a", "team-b")) {
      Role role =
          all(objects, Role.class).stream()
              .filter(r -> namespace.equals(r.getMetadata().getNamespace()))
              .findFirst()
              .orElseThrow(() -> new AssertionError("no Role in " + namespace));
      assertThat(grants(role.getRules()))
          .as("Role in %s", namespace)
          .isEqualTo(new TreeMap<>(WATCHED_NAMESPACE_ACCESS));

      RoleBinding binding =
          all(objects, RoleBinding.class).stream()
              .filter(b -> namespace.equals(b.getMetadata().getNamespace()))
              .findFirst()
              .orElseThrow(() -> new AssertionError("no RoleBinding in " + namespace));
      assertThat(binding.getRoleRef())
          .isEqualTo(
              new RoleRef("rbac.authorization.k8s.io", "Role", role.getMetadata().getName()));
      assertBindsTheOperatorsServiceAccount(binding.getSubjects());
    }
  }

  @Test
  void leaseAccessIsARoleInTheOperatorsOwnNamespaceLimitedToItsLease() {
    List<HasMetadata> objects = chart().render();

    Role leaseRole = leaderElectionRole(objects);
    assertThat(leaseRole.getMetadata().getNamespace()).isEqualTo(NAMESPACE);
    assertThat(grants(leaseRole.getRules())).isEqualTo(new TreeMap<>(LEASE_ACCESS));
    RoleBinding binding =
        all(objects, RoleBinding.class).stream()
            .filter(b -> b.getRoleRef().getName().equals(leaseRole.getMetadata().getName()))
            .findFirst()
            .orElseThrow();
    assertThat(binding.getMetadata().getNamespace()).isEqualTo(NAMESPACE);
    assertBindsTheOperatorsServiceAccount(binding.getSubjects());
  }

  @Test
  void aRenamedLeaseIsTheOneTheRoleAllows() {
    Role leaseRole =
        leaderElectionRole(chart().with("leaderElection.leaseName", "sr-lock").render());

    assertThat(grants(leaseRole.getRules()))
        .containsEntry("coordination.k8s.io/leases[sr-lock]", Set.of("get", "update", "patch"));
  }

  @Test
  void withoutLeaderElectionThereIsNoLeaseAccess() {
    List<HasMetadata> objects =
        chart()
            .with("replicas", 1)
            .with("leaderElection.enabled", false)
            .with("podDisruptionBudget.enabled", false)
            .render();

    assertThat(all(objects, Role.class)).isEmpty();
    assertThat(all(objects, RoleBinding.class)).isEmpty();
  }

  @Test
  void anExistingServiceAccountIsBoundInsteadOfANewOne() {
    List<HasMetadata> objects =
        chart()
            .with("serviceAccount.create", false)
            .with("serviceAccount.name", "platform-operator")
            .render();

    assertThat(all(objects, ServiceAccount.class)).isEmpty();
    assertThat(
            only(objects, Deployment.class)
                .getSpec()
                .getTemplate()
                .getSpec()
                .getServiceAccountName())
        .isEqualTo("platform-operator");
    assertThat(only(objects, ClusterRoleBinding.class).getSubjects())
        .containsExactly(new Subject(null, "ServiceAccount", "platform-operator", NAMESPACE));
  }

  @Test
  void rbacCanBeLeftToTheClusterAdmin() {
    List<HasMetadata> objects = chart().with("rbac.create", false).render();

    assertThat(objects).noneMatch(o -> o.getApiVersion().startsWith("rbac.authorization.k8s.io/"));
  }

  static Role leaderElectionRole(List<HasMetadata> objects) {
    return all(objects, Role.class).stream()
        .filter(r -> r.getMetadata().getName().endsWith("-leader-election"))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no leader-election Role rendered"));
  }

  private static void assertBindsTheOperatorsServiceAccount(List<Subject> subjects) {
    assertThat(subjects)
        .containsExactly(new Subject(null, "ServiceAccount", "saferollout", NAMESPACE));
  }

  /**
   * Flattens rules to "group/resource[names]" -> verbs, so two spellings of one grant compare
   * equal.
   */
  static Map<String, Set<String>> grants(List<PolicyRule> rules) {
    Map<String, Set<String>> grants = new TreeMap<>();
    for (PolicyRule rule : rules) {
      assertThat(rule.getNonResourceURLs()).as("non-resource URLs").isEmpty();
      String names = rule.getResourceNames().isEmpty() ? "" : rule.getResourceNames().toString();
      for (String group : rule.getApiGroups()) {
        for (String resource : rule.getResources()) {
          grants
              .computeIfAbsent(group + "/" + resource + names, k -> new TreeSet<>())
              .addAll(rule.getVerbs());
        }
      }
    }
    assertThat(grants.toString()).as("no wildcards").doesNotContain("*");
    return grants;
  }

  /**
   * The operator's own ClusterRole, as opposed to the aggregated roles for users
   * (ChartUserRolesTest).
   */
  static ClusterRole operatorsClusterRole(List<HasMetadata> objects) {
    List<ClusterRole> operators =
        all(objects, ClusterRole.class).stream().filter(r -> !isUserRole(r)).toList();
    assertThat(operators).hasSize(1);
    return operators.get(0);
  }

  static boolean isUserRole(ClusterRole role) {
    return role.getMetadata().getLabels().keySet().stream()
        .anyMatch(k -> k.startsWith("rbac.authorization.k8s.io/aggregate-to-"));
  }
}
