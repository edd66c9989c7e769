package io.saferollout.lab;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The lab installs the CRD from the classpath (the demo runs from the jar, anywhere). crd/ is its
 * one source: the build copies it there (pom.xml, the resource from directory crd), so this fails
 * only when that copy is taken out of the build.
 */
class CrdResourceTest {

  @Test
  void theLabInstallsTheGeneratedCrd() throws Exception {
    Path generated = Path.of("crd", Lab.CRD_RESOURCE);
    try (InputStream in = Lab.class.getResourceAsStream(Lab.CRD_RESOURCE)) {
      assertThat(in)
          .as(
              "%s is not on the classpath as io/saferollout/lab/%s: pom.xml's <resources> must"
                  + " copy crd/ there",
              generated, Lab.CRD_RESOURCE)
          .isNotNull();
      assertThat(in.readAllBytes())
          .as("the classpath copy of %s is stale: rebuild (./mvnw -B process-resources)", generated)
          .isEqualTo(Files.readAllBytes(generated));
    }
  }
}
