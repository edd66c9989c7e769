package io.saferollout.realapi;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A test class that runs against the real Kubernetes control plane ({@link
 * io.saferollout.lab.controlplane.ControlPlane}): it takes a {@code ControlPlane} parameter, shared
 * by every such class in the JVM, and works in namespaces of its own. `./mvnw verify` runs it
 * (failsafe). Without the binaries it is skipped with a message saying how to build them, unless
 * {@value RealControlPlaneExtension#REQUIRED_ENV} is set (as {@code .ci/run} does): then a missing
 * control plane fails it.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Tag(RealApiTest.TAG)
@ExtendWith(RealControlPlaneExtension.class)
public @interface RealApiTest {
  String TAG = "realapi";
}
