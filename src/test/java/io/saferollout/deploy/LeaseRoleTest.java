package io.saferollout.deploy;

import static io.saferollout.deploy.ChartRenderer.NAMESPACE;
import static io.saferollout.deploy.ChartRenderer.chart;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.authorization.v1.ResourceRule;
import io.fabric8.kubernetes.api.model.authorization.v1.SelfSubjectRulesReview;
import io.fabric8.kubernetes.api.model.authorization.v1.SubjectRulesReviewStatus;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.PolicyRuleBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.VersionInfo;
import io.fabric8.kubernetes.client.server.mock.KubernetesMixedDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.ServerRequest;
import io.fabric8.mockwebserver.ServerResponse;
import io.fabric8.mockwebserver.http.Dispatcher;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.saferollout.api.SafeRollout;
import io.saferollout.operator.OperatorSettings;
import io.saferollout.operator.SafeRolloutOperator;
import io.saferollout.operator.health.OperatorHealth.Leadership;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The chart's leader-election Role against the calls the operator really makes, which the mock
 * server alone never checks: here it answers lease requests as an API server whose RBAC holds only
 * that Role (403 for the rest), and answers the operator framework's startup SelfSubjectRulesReview
 * with that Role's rules.
 */
class LeaseRoleTest {
  private static final Pattern LEASE_PATH =
      Pattern.compile(
          "^/apis/coordination\\.k8s\\.io/v1/namespaces/[^/]+/leases(?:/([^/?]+))?(\\?.*)?$");

  /**
   * Renews every 100 ms (client-go's 2 s retry period would make the test wait), and tolerates a
   * loaded machine for 10 s before giving up the lease.
   */
  private static final OperatorSettings.LeaseTiming FAST_RENEWAL =
      new OperatorSettings.LeaseTiming(
          Duration.ofSeconds(15), Duration.ofSeconds(10), Duration.ofMillis(100), false);

  @Test
  void theOperatorWinsAndRenewsItsLeaseWithOnlyTheChartsLeaseRole() {
    List<PolicyRule> rules = chartsLeaseRules();

    try (LeaseServer server = new LeaseServer(rules);
        SafeRolloutOperator operator = server.operator()) {
      operator.start();

      await()
          .atMost(Duration.ofSeconds(30))
          .untilAsserted(
              () ->
                  assertThat(server.succeeded("patch"))
                      .as("renewals; lease calls so far: %s", server.leaseCalls())
                      .isGreaterThanOrEqualTo(3));
      assertThat(operator.leadership()).isEqualTo(Leadership.LEADER);
      assertThat(server.leaseCalls())
          .as("every lease call the Role allows")
          .allMatch(call -> !call.endsWith(" 403"))
          .contains("create 201");
    }
  }

  @Test
  void withoutPatchTheLeadersFirstRenewalIsForbidden() {
    List<PolicyRule> rules = without(chartsLeaseRules(), "patch");

    try (LeaseServer server = new LeaseServer(rules);
        SafeRolloutOperator operator = server.operator()) {
      operator.start();

      await().atMost(Duration.ofSeconds(30)).until(() -> server.answered("patch", 403) >= 1);
      assertThat(server.succeeded("patch")).isZero();
    }
  }

  @Test
  void withoutUpdateTheOperatorFrameworkRefusesToStart() {
    List<PolicyRule> rules = without(chartsLeaseRules(), "update");

    try (LeaseServer server = new LeaseServer(rules);
        SafeRolloutOperator operator = server.operator()) {
      assertThatThrownBy(operator::start)
          .rootCause()
          .hasMessageContaining("No permission to lease resource")
          .hasMessageContaining("missing required verbs: [update]");
    }
  }

  private static List<PolicyRule> chartsLeaseRules() {
    return ChartRbacTest.leaderElectionRole(chart().render()).getRules();
  }

  private static List<PolicyRule> without(List<PolicyRule> rules, String verb) {
    return rules.stream()
        .map(
            r ->
                new PolicyRuleBuilder(r)
                    .withVerbs(r.getVerbs().stream().filter(v -> !v.equals(verb)).toList())
                    .build())
        .toList();
  }

  /**
   * The fabric8 mock API in CRUD mode behind an authorizer for leases: a lease request passes only
   * if a rule allows its verb on its name, as RBAC decides it (a create carries no name to match).
   */
  private static final class LeaseServer implements AutoCloseable {
    private final List<PolicyRule> rules;
    private final List<String> leaseCalls = new CopyOnWriteArrayList<>();
    private final KubernetesMockServer server;
    private final KubernetesClient client;

    LeaseServer(List<PolicyRule> rules) {
      this.rules = rules;
      Map<ServerRequest, Queue<ServerResponse>> expectations = new HashMap<>();
      Dispatcher crud = new KubernetesMixedDispatcher(expectations);
      Dispatcher authorizing =
          new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) {
              return answer(request, crud);
            }
          };
      server =
          new KubernetesMockServer(
              new Context(),
              new MockWebServer(),
              expectations,
              authorizing,
              false,
              new VersionInfo.Builder()
                  .withMajor("1")
                  .withMinor("30")
                  .withGitVersion("v1.30.0")
                  .build());
      server.init(InetAddress.getLoopbackAddress(), 0);
      client = server.createClient();
      installCrd();
    }

    SafeRolloutOperator operator() {
      assertThat(OperatorSettings.DEFAULT_LEASE_NAME)
          .as("the lease the chart's Role names")
          .isEqualTo("saferollout-operator");
      return new SafeRolloutOperator(
          client,
          OperatorSettings.singleInstance()
              .withLeaderElection(NAMESPACE, "saferollout-0", FAST_RENEWAL),
          new SimpleMeterRegistry());
    }

    private MockResponse answer(RecordedRequest request, Dispatcher crud) {
      if (request.getPath().startsWith("/apis/authorization.k8s.io/v1/selfsubjectrulesreviews")) {
        return rulesReview();
      }
      Matcher lease = LEASE_PATH.matcher(request.getPath());
      if (!lease.matches()) {
        return crud.dispatch(request);
      }
      String verb = verb(request.getMethod(), lease.group(1), lease.group(2));
      MockResponse response =
          allows(verb, lease.group(1))
              ? crud.dispatch(request)
              : new MockResponse()
                  .setResponseCode(403)
                  .setBody("{\"kind\":\"Status\",\"status\":\"Failure\",\"code\":403}");
      leaseCalls.add(verb + " " + response.code());
      return response;
    }

    /** The request verbs RBAC authorizes (Kubernetes docs, "Authorization": request verbs). */
    private static String verb(String method, String name, String query) {
      return switch (method) {
        case "GET" ->
            name != null
                ? "get"
                : (query != null && query.contains("watch=true") ? "watch" : "list");
        case "POST" -> "create";
        case "PUT" -> "update";
        case "PATCH" -> "patch";
        case "DELETE" -> name != null ? "delete" : "deletecollection";
        default -> method.toLowerCase();
      };
    }

    private boolean allows(String verb, String name) {
      return rules.stream()
          .anyMatch(
              r ->
                  r.getApiGroups().contains("coordination.k8s.io")
                      && r.getResources().contains("leases")
                      && r.getVerbs().contains(verb)
                      && (r.getResourceNames().isEmpty()
                          || (name != null && r.getResourceNames().contains(name))));
    }

    /** What the API server answers for a subject bound to exactly these rules. */
    private MockResponse rulesReview() {
      SelfSubjectRulesReview review = new SelfSubjectRulesReview();
      review.setStatus(
          new SubjectRulesReviewStatus(
              null,
              false,
              List.of(),
              rules.stream()
                  .map(
                      r ->
                          new ResourceRule(
                              r.getApiGroups(),
                              r.getResourceNames(),
                              r.getResources(),
                              r.getVerbs()))
                  .toList()));
      return new MockResponse().setResponseCode(201).setBody(Serialization.asJson(review));
    }

    long answered(String verb, int code) {
      return leaseCalls.stream().filter(c -> c.equals(verb + " " + code)).count();
    }

    /** Calls of this verb the server carried out (the mock answers a patch with 202). */
    long succeeded(String verb) {
      return leaseCalls.stream().filter(c -> c.matches(verb + " 2\\d\\d")).count();
    }

    List<String> leaseCalls() {
      return List.copyOf(leaseCalls);
    }

    private void installCrd() {
      try (InputStream in =
          Files.newInputStream(Path.of("crd", SafeRollout.CRD_NAME + "-v1.yml"))) {
        client.apiextensions().v1().customResourceDefinitions().load(in).create();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    @Override
    public void close() {
      client.close();
      server.destroy();
    }
  }
}
