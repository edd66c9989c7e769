package io.saferollout;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.Tag;

/**
 * A test class that inspects what `package` built (the jars in target/): it runs in `verify`
 * (failsafe, after `package`), never in `test`, which runs before the jars exist.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Tag(PackagedArtifactTest.TAG)
public @interface PackagedArtifactTest {
  String TAG = "packaged";
}
