package io.saferollout.lint;

import java.io.PrintWriter;

/** How a {@link LintReport} is written: for people, for scripts, for code-scanning UIs. */
public enum LintFormat {
  text {
    @Override
    public void write(LintReport report, PrintWriter out) {
      TextReport.write(report, out);
    }
  },
  json {
    @Override
    public void write(LintReport report, PrintWriter out) {
      JsonReport.write(report, out);
    }
  },
  sarif {
    @Override
    public void write(LintReport report, PrintWriter out) {
      SarifReport.write(report, out);
    }
  };

  public abstract void write(LintReport report, PrintWriter out);
}
