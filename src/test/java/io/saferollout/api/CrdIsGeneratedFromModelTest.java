package io.saferollout.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.crdv2.generator.CRDGenerator;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The CRD in crd/ is generated from the Java model and checked in. This test regenerates it and
 * fails when the checked-in file is stale; run with -Dcrd.update=true to rewrite it.
 */
class CrdIsGeneratedFromModelTest {
  static final Path CHECKED_IN = Path.of("crd", SafeRollout.CRD_NAME + "-v1.yml");

  static String generate() throws IOException {
    Path out = Files.createTempDirectory("crd");
    new CRDGenerator()
        .customResourceClasses(SafeRollout.class)
        .forCRDVersions("v1")
        .inOutputDir(out.toFile())
        .generate();
    return Files.readString(out.resolve(SafeRollout.CRD_NAME + "-v1.yml"));
  }

  @Test
  void checkedInCrdMatchesTheJavaModel() throws IOException {
    String generated = generate();
    if (Boolean.getBoolean("crd.update")) {
      Files.writeString(CHECKED_IN, generated);
    }
    assertThat(CHECKED_IN)
        .as("crd/ is stale: run ./mvnw test -Dtest=CrdIsGeneratedFromModelTest -Dcrd.update=true")
        .exists();
    assertThat(Files.readString(CHECKED_IN))
        .as("crd/ is stale: run ./mvnw test -Dtest=CrdIsGeneratedFromModelTest -Dcrd.update=true")
        .isEqualTo(generated);
  }
}
