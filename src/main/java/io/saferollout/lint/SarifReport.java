package io.saferollout.lint;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.saferollout.BuildInfo;
import io.saferollout.rules.Rule;
import io.saferollout.rules.Severity;
import java.io.PrintWriter;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;

/**
 * The report as SARIF 2.1.0 (OASIS), the format GitHub code scanning and other CI annotators read.
 * Rule metadata comes from the {@link Rule} catalogue; every result points at its file and the line
 * of its field, so the annotation lands where the fix goes.
 */
final class SarifReport {
  static final String SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json";
  private static final String INFORMATION_URI = "https://github.com/saferollout/saferollout";
  private static final ObjectMapper MAPPER =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private SarifReport() {}

  static void write(LintReport report, PrintWriter out) {
    ObjectNode log = MAPPER.createObjectNode();
    log.put("$schema", SCHEMA);
    log.put("version", "2.1.0");
    ObjectNode run = log.putArray("runs").addObject();
    ObjectNode driver = run.putObject("tool").putObject("driver");
    driver.put("name", "saferollout");
    driver.put("version", BuildInfo.version());
    driver.put("informationUri", INFORMATION_URI);
    ArrayNode rules = driver.putArray("rules");
    for (Rule rule : Rule.values()) {
      ObjectNode r = rules.addObject();
      r.put("id", rule.id());
      r.put("name", camelCase(rule.title()));
      r.putObject("shortDescription").put("text", rule.title());
      r.putObject("fullDescription").put("text", rule.whatFails());
      r.putObject("help")
          .put("text", rule.fix())
          .put("markdown", "**What fails:** " + rule.whatFails() + "\n\n**Fix:** " + rule.fix());
      r.put(
          "helpUri",
          INFORMATION_URI
              + "/blob/main/docs/rules.md#"
              + rule.id().toLowerCase(java.util.Locale.ROOT));
      r.putObject("defaultConfiguration").put("level", level(rule.severity()));
    }
    // Notices are results too (level "note"), so they need descriptors; they come after the rules.
    int noticeBase = Rule.values().length;
    String[][] noticeRules = {
      {LintNotice.UNCOVERED_KIND, "Workload kind not checked yet"},
      {LintNotice.NOT_AN_OBJECT, "Document is not a Kubernetes object"}
    };
    for (String[] n : noticeRules) {
      ObjectNode r = rules.addObject();
      r.put("id", n[0]);
      r.putObject("shortDescription").put("text", n[1]);
      r.putObject("defaultConfiguration").put("level", "note");
    }

    ArrayNode results = run.putArray("results");
    for (ObjectReport object : report.objects()) {
      for (LintFinding f : object.findings()) {
        ObjectNode result = results.addObject();
        result.put("ruleId", f.rule().id());
        result.put("ruleIndex", f.rule().ordinal());
        result.put("level", level(f.severity()));
        result
            .putObject("message")
            .put(
                "text",
                f.message()
                    + ". Fix: "
                    + f.fix()
                    + (f.fixable() ? " (`saferollout harden`: " + f.hardenAction() + ")" : ""));
        ObjectNode location = result.putArray("locations").addObject();
        physical(location, object.object().file(), f.line());
        location
            .putArray("logicalLocations")
            .addObject()
            .put("fullyQualifiedName", object.object().displayName() + ":" + f.path());
        result.putObject("properties").put("fieldPath", f.path()).put("fixable", f.fixable());
      }
    }
    for (LintNotice n : report.notices()) {
      ObjectNode result = results.addObject();
      result.put("ruleId", n.id());
      result.put("ruleIndex", noticeBase + (n.id().equals(LintNotice.UNCOVERED_KIND) ? 0 : 1));
      result.put("level", "note");
      result.putObject("message").put("text", n.subject() + ": " + n.message());
      physical(result.putArray("locations").addObject(), n.file(), n.line());
    }
    try {
      out.println(MAPPER.writeValueAsString(log));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write the SARIF report", e);
    }
  }

  private static void physical(ObjectNode location, String file, int line) {
    ObjectNode physical = location.putObject("physicalLocation");
    physical.putObject("artifactLocation").put("uri", uri(file));
    physical.putObject("region").put("startLine", Math.max(line, 1));
  }

  /**
   * A relative path stays relative (code-scanning UIs resolve it against the checkout root), with
   * forward slashes and percent-encoding, as SARIF requires a URI reference (3.10.2).
   */
  static String uri(String file) {
    Path path =
        Path.of(file.equals(io.saferollout.manifest.ManifestSource.STDIN_NAME) ? "stdin" : file);
    if (path.isAbsolute()) {
      return path.toUri().toString();
    }
    String slashed = path.toString().replace(java.io.File.separatorChar, '/');
    try {
      return new URI(null, null, slashed, null).toASCIIString();
    } catch (URISyntaxException e) {
      throw new IllegalStateException("cannot express " + file + " as a URI", e);
    }
  }

  static String level(Severity severity) {
    return switch (severity) {
      case ERROR -> "error";
      case WARNING -> "warning";
      case INFO -> "note";
    };
  }

  private static String camelCase(String title) {
    StringBuilder out = new StringBuilder();
    for (String word : title.replaceAll("[^A-Za-z0-9 ]", " ").trim().split("\\s+")) {
      out.append(Character.toUpperCase(word.charAt(0))).append(word.substring(1));
    }
    return out.toString();
  }
}
