package io.saferollout.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.xpath.XPath;
import javax.xml.xpath.XPathConstants;
import javax.xml.xpath.XPathFactory;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;

/**
 * What goes into the operator's image, as the build configures it: the image is built from
 * target/saferollout-operator.jar alone (whose contents OperatorArtifactTest checks) plus
 * operator/image, and Jib's default layers (the project's classes and every dependency, the lab's
 * included) are filtered out. The base image is remote, so the image itself is not built here;
 * `./mvnw -B -Pimage package jib:buildTar -Djib.from.image=scratch` builds the same layers offline.
 */
class OperatorImageContentTest {
  static final String OPERATOR_JAR = "saferollout-operator.jar";
  static final String JIB =
      "/project/profiles/profile[id='image']/build/plugins/plugin[artifactId='jib-maven-plugin']";

  static Document pom;
  static XPath xpath;

  @BeforeAll
  static void readThePom() throws Exception {
    pom =
        DocumentBuilderFactory.newInstance()
            .newDocumentBuilder()
            .parse(Path.of("pom.xml").toFile());
    xpath = XPathFactory.newInstance().newXPath();
  }

  @Test
  void theShadeExecutionOperatorWritesTheJarTheImageCopies() throws Exception {
    String shade =
        "/project/build/plugins/plugin[artifactId='maven-shade-plugin']/executions/execution[id='operator']";

    assertThat(text(shade + "/configuration/outputFile"))
        .isEqualTo("${project.build.directory}/" + OPERATOR_JAR);
    assertThat(
            texts(
                shade
                    + "/configuration/filters/filter[artifact='${project.groupId}:${project.artifactId}']/excludes/exclude"))
        .contains("io/saferollout/lab/**", "META-INF/services/io.saferollout.cli.LabCommand");
  }

  @Test
  void theContainerRunsThatJarAndOnlyThatJar() throws Exception {
    assertThat(texts(JIB + "/configuration/container/entrypoint/arg"))
        .containsExactly(
            "java", "@/etc/saferollout/jvm.options", "-jar", "/opt/saferollout/" + OPERATOR_JAR);
    assertThat(text(JIB + "/configuration/container/mainClass"))
        .as("Jib's classpath entrypoint is not used")
        .isEmpty();
  }

  @Test
  void theImageAddsTheOperatorJarAndTheRuntimeFilesNothingElse() throws Exception {
    String paths = JIB + "/configuration/extraDirectories/paths/path";

    assertThat(texts(paths + "/from"))
        .containsExactly("${project.basedir}/operator/image", "${project.build.directory}");
    assertThat(texts(paths + "[from='${project.build.directory}']/includes"))
        .containsExactly(OPERATOR_JAR);
    assertThat(text(paths + "[from='${project.build.directory}']/into"))
        .isEqualTo("/opt/saferollout");
  }

  @Test
  void jibsOwnClasspathLayersAreFilteredOut() throws Exception {
    String extension = JIB + "/configuration/pluginExtensions/pluginExtension";

    assertThat(text(extension + "/implementation"))
        .isEqualTo(
            "com.google.cloud.tools.jib.maven.extension.layerfilter.JibLayerFilterExtension");
    // Jib puts classes, resources and every runtime dependency (mock server, bouncycastle) under
    // /app.
    assertThat(texts(extension + "/configuration/filters/filter/glob")).containsExactly("/app/**");
    assertThat(texts(extension + "/configuration/filters/filter/toLayer"))
        .as("removed, not moved")
        .isEmpty();
    assertThat(text(JIB + "/configuration/container/appRoot"))
        .as("Jib's layers stay under /app")
        .isEmpty();
  }

  private static String text(String expression) throws Exception {
    return ((String) xpath.evaluate(expression, pom, XPathConstants.STRING)).trim();
  }

  private static List<String> texts(String expression) throws Exception {
    NodeList nodes = (NodeList) xpath.evaluate(expression, pom, XPathConstants.NODESET);
    List<String> values = new ArrayList<>();
    for (int i = 0; i < nodes.getLength(); i++) {
      Node node = nodes.item(i);
      values.add(node.getTextContent().trim());
    }
    return values;
  }
}
