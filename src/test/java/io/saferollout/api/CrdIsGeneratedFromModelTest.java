package io.saferollout.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.crdv2.generator.CRDGenerator;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The CRD in crd/ is generated from the Java model and checked in; this test regenerates it and
 * fails when the checked-in file is stale. The Helm chart holds a byte-for-byte copy, because Helm
 * packages only files under the chart's directory; this test writes that copy too, and fails when
 * it differs. (The lab's copy is not checked in: the build copies crd/ onto the classpath.)
 */
public class CrdIsGeneratedFromModelTest {
  public static final String CRD_FILE = SafeRollout.CRD_NAME + "-v1.yml";
  public static final Path GENERATED = Path.of("crd", CRD_FILE);
  public static final Path CHART_COPY =
      Path.of("deploy", "helm", "saferollout", "crds").resolve(CRD_FILE);
  public static final String HOW_TO_UPDATE =
      "./mvnw -B test -Dtest=CrdIsGeneratedFromModelTest -Dcrd.update=true";

  static String generate() throws IOException {
    Path out = Files.createTempDirectory("crd");
    new CRDGenerator()
        .customResourceClasses(SafeRollout.class)
        .forCRDVersions("v1")
        .inOutputDir(out.toFile())
        .generate();
    return Files.readString(out.resolve(CRD_FILE));
  }

  @Test
  void checkedInCrdMatchesTheJavaModel() throws IOException {
    String generated = generate();
    if (Boolean.getBoolean("crd.update")) {
      Files.writeString(GENERATED, generated);
    }
    String stale = GENERATED + " is stale: run " + HOW_TO_UPDATE;
    assertThat(GENERATED).as(stale).exists();
    assertThat(Files.readString(GENERATED)).as(stale).isEqualTo(generated);
  }

  @Test
  void chartCopyIsByteForByteTheGeneratedCrd() throws IOException {
    if (Boolean.getBoolean("crd.update")) {
      Files.writeString(CHART_COPY, generate());
    }
    String stale = CHART_COPY + " differs from " + GENERATED + ": run " + HOW_TO_UPDATE;
    assertThat(CHART_COPY).as(stale).exists();
    assertThat(Files.mismatch(GENERATED, CHART_COPY)).as(stale).isEqualTo(-1L);
  }
}
