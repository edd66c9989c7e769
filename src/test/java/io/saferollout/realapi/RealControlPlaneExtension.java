package io.saferollout.realapi;

import io.saferollout.lab.controlplane.ControlPlane;
import io.saferollout.lab.controlplane.KubernetesBinaries;
import java.util.EnumSet;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Starts one real control plane (etcd, kube-apiserver, kube-controller-manager, kube-scheduler) for
 * all {@link RealApiTest} classes of a JVM, and stops it when the JVM's tests end.
 */
public final class RealControlPlaneExtension implements BeforeAllCallback, ParameterResolver {

  /** Set (to anything but "false") to fail instead of skip when the binaries are missing. */
  public static final String REQUIRED_ENV = "SAFEROLLOUT_REQUIRE_CONTROL_PLANE";

  private static final ExtensionContext.Namespace NS =
      ExtensionContext.Namespace.create(RealControlPlaneExtension.class);

  @Override
  public void beforeAll(ExtensionContext context) {
    KubernetesBinaries.Lookup lookup = KubernetesBinaries.locate();
    if (!lookup.found()) {
      if (required()) {
        Assertions.fail(lookup.problem() + " (" + REQUIRED_ENV + " is set, so this is a failure)");
      }
      Assumptions.abort("skipped: " + lookup.problem());
    }
    controlPlane(context);
  }

  static boolean required() {
    String value = System.getenv(REQUIRED_ENV);
    return value != null && !value.isBlank() && !value.equalsIgnoreCase("false");
  }

  private static ControlPlane controlPlane(ExtensionContext context) {
    return context
        .getRoot()
        .getStore(NS)
        .getOrComputeIfAbsent(
            SharedControlPlane.class,
            key ->
                new SharedControlPlane(
                    ControlPlane.start(EnumSet.allOf(ControlPlane.Component.class))),
            SharedControlPlane.class)
        .controlPlane();
  }

  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
    return parameter.getParameter().getType() == ControlPlane.class;
  }

  @Override
  public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
    return controlPlane(context);
  }

  /** Closed by JUnit when the root context closes, i.e. after the JVM's last test. */
  private record SharedControlPlane(ControlPlane controlPlane)
      implements ExtensionContext.Store.CloseableResource, AutoCloseable {
    @Override
    public void close() {
      controlPlane.close();
    }
  }
}
