package io.saferollout.lab;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The lab installs the CRD from its copy in the jar (the demo runs from anywhere); crd/ is the
 * source of truth, generated from the Java model. When this fails, copy crd/ over the resource.
 */
class CrdResourceTest {

  @Test
  void theShippedCrdIsTheGeneratedOne() throws Exception {
    String generated = Files.readString(Path.of("crd", Lab.CRD_RESOURCE));
    try (InputStream in = Lab.class.getResourceAsStream(Lab.CRD_RESOURCE)) {
      assertThat(in).as("src/main/resources/io/saferollout/lab/" + Lab.CRD_RESOURCE).isNotNull();
      assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8))
          .as("copy crd/%s to src/main/resources/io/saferollout/lab/", Lab.CRD_RESOURCE)
          .isEqualTo(generated);
    }
  }
}
