package io.saferollout.lint;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.saferollout.manifest.ManifestObject;
import io.saferollout.rules.Severity;
import java.io.PrintWriter;

/** The machine report: one JSON object, every checked object listed, findings with their lines. */
final class JsonReport {
  private static final ObjectMapper MAPPER =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private JsonReport() {}

  static void write(LintReport report, PrintWriter out) {
    ObjectNode root = MAPPER.createObjectNode();
    root.put("serverVersion", report.settings().caps().toString());
    root.put("minSeverity", report.settings().minSeverity().name());
    ArrayNode objects = root.putArray("objects");
    for (ObjectReport object : report.objects()) {
      ManifestObject o = object.object();
      ObjectNode node = objects.addObject();
      node.put("kind", o.kind());
      if (o.namespace() != null) {
        node.put("namespace", o.namespace());
      }
      node.put("name", o.name());
      node.put("file", o.file());
      node.put("line", o.line());
      ArrayNode findings = node.putArray("findings");
      for (LintFinding f : object.findings()) {
        ObjectNode finding = findings.addObject();
        finding.put("rule", f.rule().id());
        finding.put("severity", f.severity().name());
        finding.put("title", f.rule().title());
        finding.put("path", f.path());
        finding.put("line", f.line());
        finding.put("message", f.message());
        finding.put("fix", f.fix());
        finding.put("fixable", f.fixable());
        if (f.fixable()) {
          finding.put("hardenAction", f.hardenAction());
        }
      }
    }
    ArrayNode notices = root.putArray("notices");
    for (LintNotice n : report.notices()) {
      notices
          .addObject()
          .put("id", n.id())
          .put("file", n.file())
          .put("line", n.line())
          .put("subject", n.subject())
          .put("message", n.message());
    }
    ObjectNode summary = root.putObject("summary");
    summary.put("objects", report.objects().size());
    summary.put("findings", report.findingCount());
    summary.put("fixable", report.fixableCount());
    report
        .countBySeverity()
        .forEach(
            (Severity s, Long n) -> summary.put(s.name().toLowerCase(java.util.Locale.ROOT), n));
    try {
      out.println(MAPPER.writeValueAsString(root));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write the JSON report", e);
    }
  }
}
