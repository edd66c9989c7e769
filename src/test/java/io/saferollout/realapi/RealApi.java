package io.saferollout.realapi;

import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.saferollout.api.SafeRollout;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/** What tests on the real API server do often: install the CRD as shipped, make a namespace. */
public final class RealApi {

  static final Path CRD_FILE = Path.of("crd", SafeRollout.CRD_NAME + "-v1.yml");

  private RealApi() {}

  /** Applies {@code crd/} as is (server-side, so every class may) and waits until it is served. */
  public static CustomResourceDefinition installCrd(KubernetesClient admin) {
    CustomResourceDefinition crd;
    try (InputStream in = Files.newInputStream(CRD_FILE)) {
      crd = admin.apiextensions().v1().customResourceDefinitions().load(in).item();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    admin
        .apiextensions()
        .v1()
        .customResourceDefinitions()
        .resource(crd)
        .fieldManager("saferollout-tests")
        .forceConflicts()
        .serverSideApply();
    await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () -> {
              CustomResourceDefinition served =
                  admin
                      .apiextensions()
                      .v1()
                      .customResourceDefinitions()
                      .withName(SafeRollout.CRD_NAME)
                      .get();
              return served.getStatus() != null
                  && served.getStatus().getConditions() != null
                  && served.getStatus().getConditions().stream()
                      .anyMatch(
                          c -> c.getType().equals("Established") && c.getStatus().equals("True"));
            });
    return admin
        .apiextensions()
        .v1()
        .customResourceDefinitions()
        .withName(SafeRollout.CRD_NAME)
        .get();
  }

  /** A new namespace named after the test class (each class works in its own). */
  public static String namespace(KubernetesClient admin, String name) {
    Namespace ns = new NamespaceBuilder().withNewMetadata().withName(name).endMetadata().build();
    admin.namespaces().resource(ns).fieldManager("saferollout-tests").serverSideApply();
    return name;
  }
}
