package io.saferollout.deploy;

import static io.saferollout.deploy.ChartRenderer.NAMESPACE;
import static io.saferollout.deploy.ChartRenderer.chart;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.authentication.TokenRequestBuilder;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.http.AsyncBody;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.HttpResponse;
import io.fabric8.kubernetes.client.http.Interceptor;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.saferollout.api.Adoption;
import io.saferollout.api.SafeRollout;
import io.saferollout.api.SafeRolloutSpec;
import io.saferollout.api.TargetRef;
import io.saferollout.lab.controlplane.ControlPlane;
import io.saferollout.operator.OperatorSettings;
import io.saferollout.operator.SafeRolloutOperator;
import io.saferollout.operator.health.OperatorHealth.Leadership;
import io.saferollout.realapi.RealApi;
import io.saferollout.realapi.RealApiTest;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * The operator as the chart installs it, on the real API server with RBAC enforced: it runs as the
 * chart's ServiceAccount, bound to exactly the ClusterRole and Roles the chart renders, never as
 * admin. Every request it makes is watched for 403. Two replicas elect a leader through the chart's
 * lease Role, hold the lease through renewals and fail over when the leader stops.
 */
@RealApiTest
class ChartRbacOnRealServerTest {

  private static final String SHOP = "rbac-on-real-server";

  /** Every 403 the operator's clients were answered, as "METHOD uri". */
  private final List<String> forbidden = new CopyOnWriteArrayList<>();

  @Test
  void theChartsRbacIsEnoughForHardeningAndLeaderElectionWithFailover(ControlPlane cp) {
    try (KubernetesClient admin = cp.newAdminClient()) {
      RealApi.installCrd(admin);
      RealApi.namespace(admin, NAMESPACE);
      RealApi.namespace(admin, SHOP);
      ServiceAccount account = installChartsRbac(admin);
      String token = tokenFor(admin, account);

      List<SafeRolloutOperator> replicas = new ArrayList<>();
      List<KubernetesClient> clients = new ArrayList<>();
      try {
        for (String identity : List.of("replica-a", "replica-b")) {
          KubernetesClient client = operatorClient(cp.adminConfig(), token);
          clients.add(client);
          OperatorSettings settings =
              OperatorSettings.singleInstance()
                  .withLeaderElection(
                      NAMESPACE, identity, OperatorSettings.LeaseTiming.DEFAULT.inProcess());
          SafeRolloutOperator operator =
              new SafeRolloutOperator(client, settings, new SimpleMeterRegistry());
          replicas.add(operator);
          operator.start();
        }

        SafeRolloutOperator leader = awaitOneLeader(replicas);
        admin.apps().deployments().inNamespace(SHOP).resource(deployment("web")).create();
        admin.resources(SafeRollout.class).inNamespace(SHOP).resource(safeRollout("web")).create();
        awaitHardened(admin, "web");

        Lease lease = lease(admin);
        String holder = lease.getSpec().getHolderIdentity();
        Set<ZonedDateTime> renewals = new LinkedHashSet<>();
        // client-go's timing renews every retry period (2 s): four distinct renew times under
        // one holder are three renewals. 60 s is far more than 6 s on a loaded machine.
        await()
            .atMost(Duration.ofSeconds(60))
            .pollInterval(Duration.ofMillis(250))
            .until(
                () -> {
                  Lease now = lease(admin);
                  assertThat(now.getSpec().getHolderIdentity()).isEqualTo(holder);
                  renewals.add(now.getSpec().getRenewTime());
                  return renewals.size() >= 4;
                });
        assertThat(leader.leadership()).isEqualTo(Leadership.LEADER);

        int leaderIndex = replicas.indexOf(leader);
        leader.close();
        SafeRolloutOperator standby = replicas.get(1 - leaderIndex);
        String standbyIdentity = leaderIndex == 0 ? "replica-b" : "replica-a";
        // A stopped leader's lease expires after 15 s at most; the standby retries every 2 s.
        await()
            .atMost(Duration.ofSeconds(60))
            .until(() -> standbyIdentity.equals(lease(admin).getSpec().getHolderIdentity()));
        await()
            .atMost(Duration.ofSeconds(30))
            .until(() -> standby.leadership() == Leadership.LEADER);

        // The new leader reconciles: a second Deployment gets hardened by it.
        admin.apps().deployments().inNamespace(SHOP).resource(deployment("shop")).create();
        admin.resources(SafeRollout.class).inNamespace(SHOP).resource(safeRollout("shop")).create();
        awaitHardened(admin, "shop");
      } finally {
        replicas.forEach(SafeRolloutOperator::close);
        clients.forEach(KubernetesClient::close);
      }
    }
    assertThat(forbidden).as("requests the API server refused with 403").isEmpty();
  }

  /**
   * With {@code watchNamespaces} the chart renders a Role per namespace and no ClusterRole, so
   * nodes cannot be listed: the operator must harden with what those Roles grant.
   */
  @Test
  void withWatchNamespacesTheRolesAloneAreEnough(ControlPlane cp) {
    String team = "rbac-watched-team";
    try (KubernetesClient admin = cp.newAdminClient()) {
      RealApi.installCrd(admin);
      RealApi.namespace(admin, NAMESPACE);
      RealApi.namespace(admin, team);
      ServiceAccount account =
          installChartsRbac(admin, chart().with("watchNamespaces", List.of(team)).render());
      try (KubernetesClient client = operatorClient(cp.adminConfig(), tokenFor(admin, account));
          SafeRolloutOperator operator =
              new SafeRolloutOperator(
                  client,
                  new OperatorSettings(
                          Set.of(team),
                          false,
                          OperatorSettings.DEFAULT_LEASE_NAME,
                          null,
                          null,
                          Duration.ofMinutes(10),
                          OperatorSettings.LeaseTiming.DEFAULT)
                      .withLeaderElection(
                          NAMESPACE, "only", OperatorSettings.LeaseTiming.DEFAULT.inProcess()),
                  new SimpleMeterRegistry())) {
        operator.start();
        admin.apps().deployments().inNamespace(team).resource(deployment("api")).create();
        admin.resources(SafeRollout.class).inNamespace(team).resource(safeRollout("api")).create();
        awaitHardened(admin, team, "api");
      }
    }
    assertThat(forbidden).as("requests the API server refused with 403").isEmpty();
  }

  private static ServiceAccount installChartsRbac(KubernetesClient admin) {
    return installChartsRbac(admin, chart().render());
  }

  /** Applies the chart's ServiceAccount and RBAC objects exactly as rendered. */
  private static ServiceAccount installChartsRbac(
      KubernetesClient admin, List<HasMetadata> objects) {
    ServiceAccount account = ChartRenderer.Rendered.only(objects, ServiceAccount.class);
    for (HasMetadata object : objects) {
      if (object instanceof ServiceAccount
          || object instanceof ClusterRole
          || object instanceof ClusterRoleBinding
          || object instanceof Role
          || object instanceof RoleBinding) {
        if (object.getMetadata().getNamespace() == null
            && !(object instanceof ClusterRole || object instanceof ClusterRoleBinding)) {
          object.getMetadata().setNamespace(NAMESPACE);
        }
        admin.resource(object).fieldManager("helm").forceConflicts().serverSideApply();
      }
    }
    return account;
  }

  private static String tokenFor(KubernetesClient admin, ServiceAccount account) {
    return admin
        .serviceAccounts()
        .inNamespace(NAMESPACE)
        .withName(account.getMetadata().getName())
        .tokenRequest(
            new TokenRequestBuilder().withNewSpec().withExpirationSeconds(3600L).endSpec().build())
        .getStatus()
        .getToken();
  }

  /** The ServiceAccount's identity only: the admin's client certificate is dropped. */
  private KubernetesClient operatorClient(Config admin, String token) {
    Config config =
        new ConfigBuilder(admin)
            .withClientCertFile(null)
            .withClientKeyFile(null)
            .withClientCertData(null)
            .withClientKeyData(null)
            .withOauthToken(token)
            .build();
    return new KubernetesClientBuilder()
        .withConfig(config)
        .withHttpClientBuilderConsumer(
            b ->
                b.addOrReplaceInterceptor(
                    "forbidden",
                    new Interceptor() {
                      @Override
                      public void after(
                          HttpRequest request,
                          HttpResponse<?> response,
                          AsyncBody.Consumer<List<ByteBuffer>> consumer) {
                        if (response.code() == 403) {
                          forbidden.add(request.method() + " " + request.uri());
                        }
                      }
                    }))
        .build();
  }

  private static SafeRolloutOperator awaitOneLeader(List<SafeRolloutOperator> replicas) {
    await()
        .atMost(Duration.ofSeconds(60))
        .until(
            () -> replicas.stream().filter(r -> r.leadership() == Leadership.LEADER).count() == 1);
    return replicas.stream()
        .filter(r -> r.leadership() == Leadership.LEADER)
        .findFirst()
        .orElseThrow();
  }

  private static Lease lease(KubernetesClient admin) {
    return admin
        .leases()
        .inNamespace(NAMESPACE)
        .withName(OperatorSettings.DEFAULT_LEASE_NAME)
        .get();
  }

  private static void awaitHardened(KubernetesClient admin, String name) {
    awaitHardened(admin, SHOP, name);
  }

  private static void awaitHardened(KubernetesClient admin, String namespace, String name) {
    await()
        .atMost(Duration.ofSeconds(60))
        .untilAsserted(
            () -> {
              Deployment d = admin.apps().deployments().inNamespace(namespace).withName(name).get();
              var container = d.getSpec().getTemplate().getSpec().getContainers().get(0);
              assertThat(container.getReadinessProbe()).as("readiness probe").isNotNull();
              assertThat(container.getLifecycle()).as("preStop").isNotNull();
              assertThat(container.getLifecycle().getPreStop()).isNotNull();
            });
  }

  /**
   * No replicas: the real Deployment controller marks its rollout complete at once, so adoption
   * {@code Immediately} applies without a kubelet.
   */
  private static Deployment deployment(String name) {
    return new DeploymentBuilder()
        .withNewMetadata()
        .withName(name)
        .endMetadata()
        .withNewSpec()
        .withReplicas(0)
        .withNewSelector()
        .addToMatchLabels("app", name)
        .endSelector()
        .withNewTemplate()
        .withNewMetadata()
        .addToLabels("app", name)
        .endMetadata()
        .withNewSpec()
        .addNewContainer()
        .withName("app")
        .withImage("registry.example/" + name + ":1")
        .addNewPort()
        .withContainerPort(8080)
        .endPort()
        .endContainer()
        .endSpec()
        .endTemplate()
        .endSpec()
        .build();
  }

  private static SafeRollout safeRollout(String name) {
    SafeRollout sr = new SafeRollout();
    sr.getMetadata().setName(name);
    SafeRolloutSpec spec = new SafeRolloutSpec();
    spec.setTarget(TargetRef.byName(name));
    spec.setAdoption(Adoption.Immediately);
    spec.getReadinessProbe().setPath("/healthz");
    sr.setSpec(spec);
    return sr;
  }
}
